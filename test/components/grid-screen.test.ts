/** @jest-environment jsdom */
// The video area of the in-call screen, on the built kit: swipe paging, the invite button while
// alone, the speaker layout following the talker (and a tap choosing instead), and a tile's
// sheet that mutes one person on this phone only. Touches, taps and volume events are dispatched
// as WeChat would; what changed is read where it shows.
import { FakeEmedia } from '../../testkit/fake-emedia'
import { flush, mount, simulate, unmountAll } from './mount'
import { attrs, attrsOf, grid, playerTiles, type Node } from './rendered'
import { GAP, HOLD } from '../../components/member-grid/active-speaker'

afterEach(() => unmountAll())

/** j-component's touches: x and y become clientX / clientY. */
const touch = (x: number, y: number) => ({ x, y })
/** A finger moving from (x0, y0) to (x1, y1) on `el` (it moves first: no tap, as on a phone). */
async function drag(el: Node, x0: number, y0: number, x1: number, y1: number) {
  el.dispatchEvent('touchstart', { touches: [touch(x0, y0)] } as never)
  el.dispatchEvent('touchmove', { touches: [touch(x1, y1)] } as never)
  el.dispatchEvent('touchend', { changedTouches: [touch(x1, y1)] } as never)
  await flush()
}
/** A swipe over the stage. */
const swipe = (room: Node, x0: number, y0: number, x1: number, y1: number) =>
  drag(grid(room).querySelector('.stage')!, x0, y0, x1, y1)
/** The grid's cell (the view around a tile) that holds a tile id. */
function cellOf(room: Node, id: string): Node {
  const cells = grid(room).data.cells as Array<{ id: string }>
  return grid(room).querySelectorAll('.cell')[cells.findIndex((c) => c.id === id)]
}
const onScreen = (room: Node) =>
  (grid(room).data.cells as Array<{ id: string; active: boolean; kind: string }>).filter(
    (c) => c.active,
  )

describe('the grid: swipe paging', () => {
  test('a swipe left turns to the next page, right back; a short or upward drag does nothing', async () => {
    const fake = new FakeEmedia()
    const { room } = mount(fake, { roomName: 'weekly', lang: 'en' })
    await flush()
    for (let i = 0; i < 11; i++) fake.addRemote(`m${i}`)
    await flush()
    expect(grid(room).data).toMatchObject({ pages: 2, page: 0 })
    await swipe(room, 300, 400, 280, 400) // 20 px: a tap that slipped
    expect(grid(room).data.page).toBe(0)
    await swipe(room, 300, 400, 240, 520) // more down than sideways: a scroll
    expect(grid(room).data.page).toBe(0)
    await swipe(room, 300, 400, 100, 420)
    expect(grid(room).data.page).toBe(1)
    // The last page (3 of 12) is laid out for three: 2×2.
    expect(onScreen(room)).toHaveLength(3)
    expect(grid(room).querySelector('.page-no')!.dom.textContent).toBe('2 / 2')
    await swipe(room, 300, 400, 250, 400) // past the last page: stays
    expect(grid(room).data.page).toBe(1)
    await swipe(room, 100, 400, 300, 400)
    expect(grid(room).data.page).toBe(0)
  })
})

describe('the grid: alone in the call', () => {
  test('"waiting for others" with an invite button that opens the room info sheet', async () => {
    const fake = new FakeEmedia()
    const { room } = mount(fake, { roomName: 'weekly', lang: 'en' })
    await flush()
    const invite = grid(room).querySelector('#invite-others')!
    expect(invite.dom.textContent!.trim()).toBe('Invite others')
    invite.dispatchEvent('tap')
    await flush()
    expect(room.querySelector('.sheet-info')).toBeDefined()
    // Someone came: no notice, no button.
    fake.addRemote('bob')
    await flush()
    expect(grid(room).querySelector('#invite-others')).toBeUndefined()
  })
})

describe('1v1: the small tile swaps on a tap and moves by a drag', () => {
  test('a tap swaps me and the other; a drag up and left takes it to the top left corner', async () => {
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, { roomName: 'weekly' })
    await flush()
    const bob = fake.addRemote('bob').stream!.id
    await flush()
    const self = store.session.self!.id
    const kindOf = (id: string) =>
      (grid(room).data.cells as Array<{ id: string; kind: string; style: string }>).find(
        (c) => c.id === id,
      )!
    expect([kindOf(self).kind, kindOf(bob).kind]).toEqual(['float', 'full'])
    cellOf(room, self).dispatchEvent('tap')
    await flush()
    expect([kindOf(self).kind, kindOf(bob).kind]).toEqual(['full', 'float'])
    expect(kindOf(bob).style).toMatch(/right:24rpx;bottom:24rpx/)

    // A drag of the small tile: it goes to the corner it was moved towards.
    await drag(cellOf(room, bob), 300, 600, 80, 150)
    expect(kindOf(bob).style).toMatch(/left:24rpx;top:24rpx/)
    expect(kindOf(bob).kind).toBe('float')
    // A drag on the large tile moves nothing.
    await drag(cellOf(room, self), 100, 100, 300, 600)
    expect(kindOf(bob).style).toMatch(/left:24rpx;top:24rpx/)
  })
})

describe('the speaker layout follows the talker', () => {
  /** A tile's live-player reports its volume, as audiovolumenotify does. */
  const volume = (tile: Node, v: number) =>
    tile.querySelector('#player')!.dispatchEvent('audiovolumenotify', { detail: { volume: v } })
  const main = (room: Node) => onScreen(room).find((c) => c.kind === 'main')?.id
  const tileOf = (room: Node, id: string) => playerTiles(room).find((t) => t.data.tileId === id)!

  test('with hysteresis: the talker takes it after HOLD, keeps it through pauses; a tap pins', async () => {
    const fake = new FakeEmedia()
    const { room } = mount(fake, { roomName: 'weekly', template: 'speaker' })
    await flush()
    const ids = ['ann', 'bob', 'cy'].map((n) => fake.addRemote(n).stream!.id)
    await flush()
    expect(main(room)).toBe(ids[0])
    // cy talks: nothing moves at once, then after HOLD cy is large.
    volume(tileOf(room, ids[2]), 60)
    await flush()
    expect(main(room)).toBe(ids[0])
    await simulate.sleep(HOLD + 200)
    expect(main(room)).toBe(ids[2])
    // bob says a word while cy pauses briefly: cy stays.
    volume(tileOf(room, ids[2]), 0)
    volume(tileOf(room, ids[1]), 60)
    await simulate.sleep(300)
    volume(tileOf(room, ids[1]), 0)
    volume(tileOf(room, ids[2]), 60)
    await simulate.sleep(GAP + 200)
    expect(main(room)).toBe(ids[2])

    // A tap on bob's thumbnail pins him, whoever talks; a tap on the large tile follows again.
    const cell = (id: string) => cellOf(room, id)
    cell(ids[1]).dispatchEvent('tap')
    await flush()
    expect(main(room)).toBe(ids[1])
    await simulate.sleep(HOLD + 200)
    expect(main(room)).toBe(ids[1])
    cell(ids[1]).dispatchEvent('tap')
    await flush()
    expect(main(room)).toBe(ids[2])
  })

  test('the grid template does not follow (no re-layout on speech)', async () => {
    const fake = new FakeEmedia()
    const { room } = mount(fake, { roomName: 'weekly' })
    await flush()
    const ids = ['ann', 'bob', 'cy'].map((n) => fake.addRemote(n).stream!.id)
    await flush()
    const before = JSON.stringify(grid(room).data.cells)
    volume(tileOf(room, ids[2]), 60)
    await simulate.sleep(HOLD + 200)
    expect(JSON.stringify(grid(room).data.cells)).toBe(before)
    expect(grid(room).data.speakerId).toBe('')
  })
})

describe("a tile's sheet: mute one person on this phone only", () => {
  test('a long press on a tile opens its sheet; the switch mutes its player here, nothing is sent', async () => {
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, { roomName: 'weekly', lang: 'en' })
    await flush()
    const bob = fake.addRemote('bob').stream!.id
    fake.addRemote('cy')
    await flush()
    cellOf(room, bob).dispatchEvent('longpress')
    await flush()
    expect(room.querySelector('.sheet-tile')).toBeDefined()
    expect(room.querySelector('.sheet-tile .sheet-title')!.dom.textContent).toBe('bob')
    const toggle = room.querySelector('#local-mute')!
    expect(toggle.dom.textContent!.trim()).toBe('Mute on this phone')
    toggle.dispatchEvent('tap')
    await flush()
    expect(store.screen.localMutes.has(bob)).toBe(true)
    const bobTile = playerTiles(room).find((t) => t.data.tileId === bob)!
    expect(attrsOf(bobTile, '#player').muted).toBe(true)
    expect(room.querySelector('#local-mute')!.dom.textContent!.trim()).toBe('Unmute on this phone')
    expect(fake.calls.map((c) => c.method)).not.toContain('pauseAudio')
    room.querySelector('#local-mute')!.dispatchEvent('tap')
    await flush()
    expect(attrsOf(bobTile, '#player').muted).toBe(false)

    // My own tile has no such sheet.
    room.querySelector('#close-sheet')!.dispatchEvent('tap')
    await flush()
    cellOf(room, store.session.self!.id).dispatchEvent('longpress')
    await flush()
    expect(room.querySelector('.sheet-tile')).toBeUndefined()
  })
})

describe('tiles say who is muted or speaking, in the chosen language, not by colour alone', () => {
  const label = (tile: Node) => attrs(tile.querySelector('.tile')!)['ariaLabel']

  test('name, muted, speaking, muted on this phone; the bars named in words', async () => {
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, { roomName: 'weekly', lang: 'en', nickName: 'Me' })
    await flush()
    const bob = fake.addRemote('bob').stream!.id
    fake.addRemote('cy')
    await flush()
    const tile = () => playerTiles(room).find((t) => t.data.tileId === bob)!
    expect(label(tile())).toBe('bob')
    tile()
      .querySelector('#player')!
      .dispatchEvent('audiovolumenotify', { detail: { volume: 60 } })
    await flush()
    expect(label(tile())).toBe('bob, speaking')
    // Speaking shows as a shape in the name tag too, beside the ring's colour: the sound meter's
    // bars stand up (sound-level.test.ts).
    const lit = tile()
      .querySelectorAll('.label .meter-bar')
      .filter((b) => /\blit\b/.test(String(attrs(b).class)))
    expect(lit).toHaveLength(3)
    store.screen.setLocalMute(bob)
    await flush()
    expect(label(tile())).toBe('bob, speaking, muted on this phone')
    expect(tile().querySelector('.label .muted-here')).toBeDefined()
    tile()
      .querySelector('#player')!
      .dispatchEvent('netstatus', {
        detail: { info: { videoBitrate: 500, audioBitrate: 48, videoFPS: 15, netSpeed: 600 } },
      })
    await flush()
    expect(attrs(tile().querySelector('.quality')!)['ariaLabel']).toBe('Good network')

    // My own tile, muted, in Chinese.
    const { room: zh } = mount(new FakeEmedia(), { roomName: 'weekly', lang: 'zh', nickName: '我' })
    await flush()
    await (zh.instance as { toggleMic(): Promise<boolean> }).toggleMic()
    await flush()
    const mine = grid(zh).querySelector('#self')!
    expect(label(mine)).toBe('我，已静音')
    expect(mine.querySelector('.label .mic-off')).toBeDefined()
  })
})
