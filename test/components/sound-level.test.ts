/** @jest-environment jsdom */
// The name tag's sound meter and my camera while the room joins, on the built kit. The meter:
// audiovolumenotify volumes into 0–4 bars, sent to the view only when a tile's level changes and,
// between lit levels, at most every LEVEL_INTERVAL_MS (store/media-policy.ts says why); a muted
// tile shows the muted icon instead; the tile's label still says muted / speaking in words. The
// preview: while joining to publish with the camera on, my live-pusher previews where my tile
// will be, and gives way to my tile once joined.
import { Role } from 'miniprogram-conference-protocol'
import { LEVEL_INTERVAL_MS, LEVEL_STEPS, soundLevel } from '../../store/media-policy'
import { FakeEmedia } from '../../testkit/fake-emedia'
import {
  flush,
  mount,
  recordSetData,
  restoreWx,
  simulate,
  spyLiveContexts,
  unmountAll,
} from './mount'
import { attrs, attrsOf, grid, playerTiles, selfTile, type Node } from './rendered'

afterEach(() => {
  unmountAll()
  restoreWx()
})

/** The lit bars of a tile's meter (-1: no meter shown). */
function litBars(tile: Node): number {
  const bars = tile.querySelectorAll('.label .meter .meter-bar')
  if (!bars.length) return -1
  return bars.filter((b) => /\blit\b/.test(String(attrs(b).class))).length
}
const label = (tile: Node) => attrs(tile.querySelector('.tile')!)['ariaLabel']
const volume = (native: Node, v: number) =>
  native.dispatchEvent('audiovolumenotify', { detail: { volume: v } })

/** A room in English with bob in it: his tile and its live-player, as rendered now. */
async function roomWithBob(): Promise<{ tile: () => Node; player: () => Node }> {
  const fake = new FakeEmedia()
  const { room } = mount(fake, { roomName: 'weekly', lang: 'en' })
  await flush()
  const bob = fake.addRemote('bob').stream!.id
  await flush()
  const tile = () => playerTiles(room).find((t) => t.data.tileId === bob)!
  return { tile, player: () => tile().querySelector('#player')! }
}

describe('the sound meter in each name tag', () => {
  test('volumes into buckets: silent under the speaking threshold, then 1–4 bars', () => {
    expect(LEVEL_STEPS[0]).toBe(20)
    const volumes = [0, 19, 20, 34, 35, 49, 50, 69, 70, 100]
    expect(volumes.map(soundLevel)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4])
  })

  test("a remote tile's meter follows its volume; its label says speaking in words", async () => {
    const { tile, player } = await roomWithBob()
    // Silent: the microphone and an unlit meter (the bars sunk to dots).
    expect(tile().querySelector('.label .mic')).toBeDefined()
    expect(litBars(tile())).toBe(0)
    expect(label(tile())).toBe('bob')
    for (const [v, bars] of [
      [25, 1],
      [0, 0],
      [90, 4],
    ] as const) {
      volume(player(), v)
      await flush()
      // Each step past the rate bound (the last one went unlit or came from silence).
      expect(litBars(tile())).toBe(bars)
      expect(label(tile())).toBe(bars ? 'bob, speaking' : 'bob')
    }
    await simulate.sleep(LEVEL_INTERVAL_MS + 20)
    volume(player(), 55)
    await flush()
    expect(litBars(tile())).toBe(3)
  })

  test('only a change of bucket is sent, and between lit levels at most one per interval', async () => {
    const bob = await roomWithBob()
    const tile = bob.tile()
    const player = bob.player()
    const calls = recordSetData([['bob', tile]])
    const levelsSent = () =>
      calls.filter((c) => 'soundLevel' in c.data).map((c) => c.data.soundLevel)

    // Steady speech in one bucket: one setData, however many events.
    for (let i = 0; i < 10; i++) volume(player, 36 + (i % 3) * 4)
    await flush()
    expect(levelsSent()).toEqual([2])

    // A burst across buckets, faster than the bound: nothing more of it reaches the view...
    for (const v of [55, 75, 40, 80, 60, 90]) volume(player, v)
    await flush()
    expect(levelsSent()).toEqual([2])
    expect(litBars(tile)).toBe(2)
    // ...except falling silent, at once (the speaking state, which the ring follows).
    volume(player, 5)
    await flush()
    expect(levelsSent()).toEqual([2, 0])
    // Starting to speak again is not held back either; the next lit change waits its turn.
    volume(player, 80)
    volume(player, 30)
    await flush()
    expect(levelsSent()).toEqual([2, 0, 4])
    await simulate.sleep(LEVEL_INTERVAL_MS + 20)
    volume(player, 30)
    await flush()
    expect(levelsSent()).toEqual([2, 0, 4, 1])
    expect(litBars(tile)).toBe(1)
    // One bar, 1 item of data: the meter costs a few bytes per change.
    expect(calls.filter((c) => 'soundLevel' in c.data).every((c) => c.bytes < 40)).toBe(true)
  })

  test('my own tile: a meter while my microphone is on; muted, the muted icon and no meter', async () => {
    const { room } = mount(new FakeEmedia(), { roomName: 'weekly', lang: 'zh', nickName: '我' })
    await flush()
    const mine = () => selfTile(room)
    volume(mine().querySelector('#pusher')!, 72)
    await flush()
    expect(litBars(mine())).toBe(4)
    expect(label(mine())).toBe('我，正在说话')
    await (room.instance as { toggleMic(): Promise<boolean> }).toggleMic()
    await flush()
    expect(litBars(mine())).toBe(-1)
    expect(mine().querySelector('.label .mic-off')).toBeDefined()
    expect(label(mine())).toBe('我，已静音')
  })

  test('a remote tile muted by its sender: the muted icon, no meter, "muted" in words', async () => {
    const fake = new FakeEmedia()
    const { room } = mount(fake, { roomName: 'weekly', lang: 'en' })
    await flush()
    const { stream } = fake.addRemote('cy')
    await flush()
    const cy = playerTiles(room)[0]
    volume(cy.querySelector('#player')!, 60)
    await flush()
    expect(litBars(cy)).toBe(3)
    // The sender paused its audio: the stream is announced again with aoff.
    fake.emit('streamAdded', { ...stream!, aoff: 1 })
    await flush()
    expect(litBars(cy)).toBe(-1)
    expect(cy.querySelector('.label .mic-off')).toBeDefined()
    expect(label(cy)).toBe('cy, muted')
  })
})

describe('my camera while the room joins', () => {
  /** A join that waits until the test lets it go. */
  function slowJoin(fake: FakeEmedia): () => void {
    const join = fake.mgr.joinRoom
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    fake.mgr.joinRoom = (async (...args: Parameters<typeof join>) => {
      await gate
      return join(...args)
    }) as typeof join
    return release
  }

  test('joining to publish with the camera on: my preview where my tile will be, then my tile', async () => {
    const { pusher } = spyLiveContexts()
    const fake = new FakeEmedia()
    const release = slowJoin(fake)
    const { room, store } = mount(fake, { roomName: 'weekly', lang: 'en' })
    await flush()
    expect(store.session.status).toBe('joining')
    // The one cell, full size, holds my pusher tile with no URL: it previews, it does not push.
    type Cell = { id: string; isSelf: boolean; kind: string; style: string }
    const cells = () => grid(room).data.cells as Cell[]
    const previewCell = cells()
    expect(previewCell).toEqual([
      expect.objectContaining({ isSelf: true, kind: 'full', style: expect.stringMatching(/100%/) }),
    ])
    expect(attrsOf(selfTile(room), '#pusher')).toMatchObject({ url: '', enableCamera: true })
    expect(pusher.calls).toEqual(['startPreview'])
    // The joining banner stays over it; my name tag has no name from the server yet.
    expect(room.querySelector('.banner.joining')).toBeDefined()
    expect(label(selfTile(room))).toBe('me')
    // It is nobody's tile yet: a tap or a long press on it tells the page nothing, opens nothing.
    const events: string[] = []
    for (const name of ['tiletap', 'tilelongpress'])
      grid(room).addEventListener(name, () => events.push(name))
    const cell = grid(room).querySelector('.cell')!
    cell.dispatchEvent('tap')
    cell.dispatchEvent('longpress')
    await flush()
    expect(events).toEqual([])
    expect(room.querySelector('.sheet')).toBeUndefined()

    release()
    await flush(12)
    expect(store.session.status).toBe('joined')
    // Joined and published: my own tile, pushing; the preview's camera handed over.
    expect(selfTile(room).data.pushUrl).not.toBe('')
    expect(pusher.calls).toEqual(['startPreview', 'stopPreview', 'start'])
    // In the place the preview had (alone in the room: the whole stage).
    expect(cells()).toEqual([{ ...previewCell[0], id: store.session.self!.id }])
  })

  test('no preview when the camera starts off, the camera is refused, or the role only watches', async () => {
    for (const [props, deny] of [
      [{ camera: false }, ''],
      [{}, 'scope.camera'],
      [{ role: Role.AUDIENCE }, ''],
    ] as const) {
      const { pusher } = spyLiveContexts()
      const authorize = wx.authorize
      ;(wx as unknown as Record<string, unknown>).authorize = (o: {
        scope: string
        success?: () => void
        fail?: (e: object) => void
      }) => (o.scope === deny ? o.fail?.({ errMsg: 'authorize:fail auth deny' }) : o.success?.())
      const fake = new FakeEmedia()
      slowJoin(fake)
      const { room, store } = mount(fake, { roomName: 'weekly', ...props })
      await flush()
      expect(store.session.status).toBe('joining')
      expect(store.media.permissionDenied).toBe(deny ? 'camera' : '')
      expect(grid(room).data.cells).toEqual([])
      expect(pusher.calls).toEqual([])
      ;(wx as unknown as Record<string, unknown>).authorize = authorize
    }
  })

  test('the camera switched off while joining stops the preview', async () => {
    const { pusher } = spyLiveContexts()
    const fake = new FakeEmedia()
    slowJoin(fake)
    const { room } = mount(fake, { roomName: 'weekly' })
    await flush()
    expect(pusher.calls).toEqual(['startPreview'])
    await (room.instance as { toggleCamera(): Promise<boolean> }).toggleCamera()
    await flush()
    expect(grid(room).data.cells).toEqual([])
    expect(pusher.calls).toEqual(['startPreview', 'stopPreview'])
  })
})
