/** @jest-environment jsdom */
// <conference-room> and its tiles on the built kit (miniprogram_dist), with a fake emedia
// injected through the store (see mount.ts): what a page sees, what the native components get.
import { comparer, reaction } from 'mobx-miniprogram'
import { ErrorCode, ExitReason } from 'miniprogram-conference-protocol'
import { FakeEmedia, makeStream } from '../../testkit/fake-emedia'
import { flush, mount, recordSetData, spyLiveContexts, unmountAll } from './mount'
import { attrs, attrsOf, grid, playerTiles, selfTile } from './rendered'
import { sleep, until } from '../../testkit/wait'

function listen(room: ReturnType<typeof mount>['room'], names: string[]) {
  const events: Array<{ name: string; detail: Record<string, unknown> }> = []
  for (const name of names) {
    room.addEventListener(name, (e: { detail: Record<string, unknown> }) =>
      events.push({ name, detail: e.detail }),
    )
  }
  return events
}

describe('<conference-room> on the built kit', () => {
  afterEach(unmountAll)

  test('joins with its properties, keeps the screen on, binds the push URL to live-pusher', async () => {
    const keepOn: unknown[] = []
    ;(wx as unknown as Record<string, unknown>).setKeepScreenOn = (o: unknown) => keepOn.push(o)
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, {
      host: 'ws://127.0.0.1:8080/ws',
      userId: 'ann',
      roomName: 'weekly',
      nickName: 'Ann',
      maxBitrate: 800,
    })
    const events = listen(room, ['join'])
    await flush()

    expect(fake.configured).toEqual([{ host: 'ws://127.0.0.1:8080/ws', userId: 'ann' }])
    expect(fake.called('joinRoom')).toEqual([
      [{ roomName: 'weekly', password: '', role: undefined, config: { nickName: 'Ann' } }],
    ])
    expect(store.session.status).toBe('joined')
    expect(keepOn).toEqual([expect.objectContaining({ keepScreenOn: true })])
    expect(events).toEqual([
      { name: 'join', detail: { confrId: 'C_weekly', memberId: 'MS_self', role: 3 } },
    ])

    const pusher = attrsOf(selfTile(room), '#pusher')
    expect(pusher.url).toBe(store.media.local.pushUrl)
    expect(pusher.url).toMatch(/^rtmp:\/\/media\.test\/live\/ST_self_/)
    expect(pusher).toMatchObject({
      mode: 'RTC',
      maxBitrate: 800,
      enableMic: true,
      enableCamera: true,
    })
    // One tile: the whole grid; the native component fills its sized tile (never auto height).
    expect(attrs(grid(room).querySelector('.cell')!).style).toBe(
      'left:0;top:0;width:100%;height:100%;',
    )
  })

  test('a remote stream gets a player tile with its play URL; voff / aoff show indicators', async () => {
    const fake = new FakeEmedia()
    const { room } = mount(fake, { roomName: 'weekly' })
    await flush()
    const { stream } = fake.addRemote('bob')
    await flush()

    const [tile] = playerTiles(room)
    expect(tile).toBeDefined()
    const player = attrsOf(tile, '#player')
    expect(player.src).toBe(stream!.rtmp)
    expect(player).toMatchObject({ mode: 'RTC', autoplay: true, muted: false })
    // You and one other: the other full screen, you floating bottom right.
    const styles = grid(room)
      .querySelectorAll('.cell')
      .map((c) => attrs(c).style)
    expect(styles).toEqual([
      'right:24rpx;bottom:24rpx;width:210rpx;height:280rpx;z-index:2;',
      'left:0;top:0;width:100%;height:100%;',
    ])
    expect(tile.querySelector('.camera-off')).toBeUndefined()
    expect(tile.querySelector('.mic-off')).toBeUndefined()

    fake.emit('mediaChanged', { ...stream!, voff: 1, aoff: 1 }, { voff: 1, aoff: 1 })
    await flush()
    expect(tile.querySelector('.camera-off')).toBeDefined()
    expect(tile.querySelector('.mic-off')).toBeDefined()
    // Camera off is an overlay: the player keeps its stream. The server's aoff mutes the player
    // (a member the host muted is not heard whatever its own client sends).
    expect(attrsOf(tile, '#player')).toMatchObject({ src: stream!.rtmp, muted: true })
  })

  test('two streams of one member: two player tiles; removing one keeps the other playing', async () => {
    const fake = new FakeEmedia()
    const { room } = mount(fake, { roomName: 'weekly' })
    await flush()
    const { member, stream: camera } = fake.addRemote('bob')
    const desktop = makeStream(member, { id: 'ST_bob_desktop', rtcId: 'wx-2', type: 'desktop' })
    fake.emit('streamAdded', desktop)
    await flush()

    const srcs = () => playerTiles(room).map((t) => attrsOf(t, '#player').src)
    expect(srcs()).toEqual([camera!.rtmp, desktop.rtmp])
    expect(playerTiles(room).map((t) => t.data.memberId)).toEqual(['MS_bob', 'MS_bob'])
    const cameraTile = playerTiles(room)[0].instance
    const cameraKey = playerTiles(room)[0].data.key

    fake.emit('streamRemoved', desktop)
    await flush()
    expect(srcs()).toEqual([camera!.rtmp])
    // The same component with the same native player (key): playback was not interrupted.
    expect(playerTiles(room)[0].instance === cameraTile).toBe(true)
    expect(playerTiles(room)[0].data.key).toBe(cameraKey)
  })

  test('speaker template: a shared screen takes the large tile', async () => {
    const fake = new FakeEmedia()
    const { room } = mount(fake, { roomName: 'weekly', template: 'speaker', gridHeight: 1000 })
    await flush()
    const { member } = fake.addRemote('bob')
    fake.addRemote('cy')
    await flush()
    // The speaker template's large cell (kind 'main' in member-grid/layout.ts) and its tile.
    const large = () => {
      const main = (grid(room).data.cells as Array<{ id: string; kind: string }>)
        .filter((cell) => cell.kind === 'main')
        .map((cell) => cell.id)
      return playerTiles(room).filter((t) => main.includes(t.data.tileId as string))
    }
    expect(large().map((t) => t.data.memberId)).toEqual(['MS_bob'])

    const desktop = makeStream(member, { id: 'ST_bob_desktop', rtcId: 'wx-2', type: 'desktop' })
    fake.emit('streamAdded', desktop)
    await flush()
    expect(large().map((t) => attrsOf(t, '#player').src)).toEqual([desktop.rtmp])
  })

  test('an audience member: no camera permission asked, no publish, no error', async () => {
    const asked: unknown[] = []
    ;(wx as unknown as Record<string, unknown>).authorize = (o: {
      scope: string
      success(): void
    }) => {
      asked.push(o.scope)
      o.success()
    }
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, { roomName: 'talk', role: 1 })
    const events = listen(room, ['error'])
    await flush()
    expect(store.session.status).toBe('joined')
    expect(asked).toEqual([])
    expect(fake.called('pubStream')).toEqual([])
    expect(events).toEqual([])
    expect(grid(room).querySelector('#self')).toBeUndefined()

    // A talker is asked for both.
    mount(new FakeEmedia(), { roomName: 'talk', role: 3 })
    await flush()
    expect(asked).toEqual(['scope.camera', 'scope.record'])
  })

  test('the control bar toggles mic and camera and reports them', async () => {
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, { roomName: 'weekly' })
    await flush()
    room.querySelector('#mic')!.dispatchEvent('tap')
    room.querySelector('#camera')!.dispatchEvent('tap')
    await flush()
    expect(fake.called('pauseAudio')).toEqual([[store.media.local.streamId]])
    expect(fake.called('pauseVideo')).toEqual([[store.media.local.streamId]])
    const pusher = attrsOf(selfTile(room), '#pusher')
    expect(pusher).toMatchObject({ enableMic: false, muted: true, enableCamera: false })
    expect(selfTile(room).querySelector('.camera-off')).toBeDefined()
  })

  test('-1307 restarts the pusher and -2301 replays the player, after a backoff', async () => {
    const contexts = spyLiveContexts()
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, { roomName: 'weekly' })
    await flush()
    fake.addRemote('carl')
    await flush()
    expect(contexts.pusher.calls).toEqual(['start'])

    selfTile(room)
      .querySelector('#pusher')!
      .dispatchEvent('statechange', { detail: { code: -1307 } })
    const [tile] = playerTiles(room)
    tile.querySelector('#player')!.dispatchEvent('statechange', { detail: { code: -2301 } })
    await flush()
    expect(store.media.local.pushState).toBe('failed')
    expect(store.media.plays.get('ST_MS_carl')?.state).toBe('failed')
    expect(contexts.pusher.calls).toEqual(['start'])

    await until(() => contexts.pusher.calls.length === 3)
    expect(contexts.pusher.calls).toEqual(['start', 'stop', 'start'])
    await until(() => contexts.players.size === 1)
    expect([...contexts.players.values()][0].calls).toEqual(['stop', 'play'])

    selfTile(room)
      .querySelector('#pusher')!
      .dispatchEvent('statechange', { detail: { code: 1002 } })
    await flush()
    expect(store.media.local.pushState).toBe('pushing')
  })

  test('a pusher / player with no media in time is re-created; then a fresh URL', async () => {
    const contexts = spyLiveContexts()
    const fake = new FakeEmedia()
    const stall = 100
    const { room, store } = mount(
      fake,
      { roomName: 'weekly' },
      (s) => (s.media.stallTimeoutMs = stall),
    )
    // What each tile shows over time (key = the native component's wx:key).
    const seen = { self: [] as Array<[string, string]>, erin: [] as Array<[string, string]> }
    const stops = (['self', 'erin'] as const).map((who) =>
      reaction(
        () => store.tileOf(who === 'self' ? 'MS_self' : 'ST_MS_erin'),
        (t) => t && seen[who].push([t.key, t.url]),
        { equals: comparer.structural },
      ),
    )
    await flush()
    fake.addRemote('erin')

    // Neither 1002/1007 nor 2003/2004 nor a netstatus with media: re-created three times on the
    // same URL, then a fresh URL (pubStream again / subStream).
    await until(
      () => fake.called('pubStream').length === 2 && fake.called('subStream').length === 1,
      5000,
    )
    for (const who of ['self', 'erin'] as const) {
      const shown = seen[who].filter(([, url]) => url)
      const fresh = shown.findIndex(([, url]) => url !== shown[0][1])
      // The first mount and three re-creations (each a new key) on the first URL.
      expect([who, fresh]).toEqual([who, 4])
      expect(new Set(shown.slice(0, 4).map(([key]) => key)).size).toBe(4)
    }
    expect(contexts.pusher.calls.filter((c) => c === 'start').length).toBeGreaterThanOrEqual(4)
    // The fresh URL reaches the view on the next tick after subStream resolves.
    await until(
      () => /token=fresh-/.test(String(attrsOf(playerTiles(room)[0], '#player').src)),
      5000,
    )
    expect(attrsOf(playerTiles(room)[0], '#player').src).toMatch(/token=fresh-/)

    // Media flows: the watchdog rests.
    const healthy = async () => {
      selfTile(room)
        .querySelector('#pusher')!
        .dispatchEvent('statechange', { detail: { code: 1002 } })
      playerTiles(room)[0]
        .querySelector('#player')!
        .dispatchEvent('netstatus', { detail: { info: { videoBitrate: 250 } } })
      await flush()
    }
    await healthy()
    await healthy()
    const settled = [store.tileOf('MS_self')!.key, store.tileOf('ST_MS_erin')!.key]
    await sleep(stall * 3)
    expect([store.tileOf('MS_self')!.key, store.tileOf('ST_MS_erin')!.key]).toEqual(settled)
    stops.forEach((stop) => stop())
  })

  test('hide / show pauses and resumes; 5000 restarts on show; a lost membership rejoins', async () => {
    const contexts = spyLiveContexts()
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, { roomName: 'weekly' })
    await flush()

    room.triggerPageLifeTime('hide')
    await flush()
    expect(store.media.local.background).toBe(true)
    expect(contexts.pusher.calls).toEqual(['start', 'pause'])
    room.triggerPageLifeTime('show')
    await flush()
    expect(contexts.pusher.calls).toEqual(['start', 'pause', 'resume'])

    // iOS: WeChat stopped the push while we were away (5000): a resume is not enough.
    room.triggerPageLifeTime('hide')
    selfTile(room)
      .querySelector('#pusher')!
      .dispatchEvent('statechange', { detail: { code: 5000 } })
    await flush()
    room.triggerPageLifeTime('show')
    await flush()
    expect(contexts.pusher.calls.slice(-2)).toEqual(['pause', 'start'])

    // The grace window ran out while hidden: on show the room joins again and publishes.
    room.triggerPageLifeTime('hide')
    fake.emit('conferenceExit', ExitReason.FAILED, ErrorCode.NETWORK)
    await flush()
    expect(store.session.status).toBe('exited')
    room.triggerPageLifeTime('show')
    await flush()
    expect(fake.called('joinRoom')).toHaveLength(2)
    expect(store.session.status).toBe('joined')
    expect(attrsOf(selfTile(room), '#pusher').url).toBe(store.media.local.pushUrl)
  })

  test('kicked: exit event {reason 2, code -504}, tiles gone, no rejoin on show', async () => {
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, { roomName: 'weekly' })
    const events = listen(room, ['exit', 'memberjoin', 'memberexit'])
    await flush()
    const { member } = fake.addRemote('dora')
    fake.emit('memberExited', member, 'exit')
    fake.emit('conferenceExit', ExitReason.REFUSED, ErrorCode.MEMBER_INVALID)
    await flush()
    expect(events.map((e) => e.name)).toEqual(['memberjoin', 'memberexit', 'exit'])
    expect(events[2].detail).toEqual({ reason: 2, code: -504 })
    expect(grid(room).querySelector('.cell')).toBeUndefined()
    room.triggerPageLifeTime('show')
    await flush()
    expect(fake.called('joinRoom')).toHaveLength(1)
    expect(store.session.status).toBe('exited')
  })

  test('camera refused (10001): the room explains and leads to wx.openSetting', async () => {
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, { roomName: 'weekly', lang: 'en' })
    const events = listen(room, ['error'])
    await flush()
    const keyBefore = store.tileOf('MS_self')!.key
    selfTile(room)
      .querySelector('#pusher')!
      .dispatchEvent('error', { detail: { errCode: 10001, errMsg: 'denied' } })
    await flush()
    expect(events[0].detail).toMatchObject({ code: 10001, action: 'pusher' })
    expect(room.querySelector('.permission-text')!.dom.textContent).toMatch(/Others can only hear/)
    // The push goes on with audio only: the camera is off on the pusher, the others are told.
    expect(attrsOf(selfTile(room), '#pusher')).toMatchObject({
      enableCamera: false,
      enableMic: true,
    })
    expect(attrsOf(selfTile(room), '#pusher').url).toBe(store.media.local.pushUrl)
    expect(fake.called('pauseVideo')).toEqual([[store.media.local.streamId]])
    // "Not now" closes the card; the camera control, marked blocked, opens it again.
    room.querySelector('#dismiss-permission')!.dispatchEvent('tap')
    await flush()
    expect(room.querySelector('.permission')).toBeUndefined()
    expect(attrs(room.querySelector('#camera')!).class).toMatch(/\bblocked\b/)
    room.querySelector('#camera')!.dispatchEvent('tap')
    await flush()
    expect(room.querySelector('.permission')).toBeDefined()

    ;(wx as unknown as Record<string, unknown>).openSetting = (o: {
      success: (r: unknown) => void
    }) => o.success({ authSetting: { 'scope.camera': true, 'scope.record': true } })
    room.querySelector('#open-setting')!.dispatchEvent('tap')
    await flush()
    expect(room.querySelector('.permission')).toBeUndefined()
    expect(store.tileOf('MS_self')!.key).not.toBe(keyBefore)
  })

  test('every method resolves true or false and never rejects (as the README says)', async () => {
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, { roomName: 'weekly', autoJoin: false })
    const api = room.instance as unknown as Record<string, () => Promise<unknown>>
    expect(await api.join()).toBe(true)
    expect(await api.toggleMic()).toBe(true)
    expect(await api.toggleCamera()).toBe(true)
    expect(await api.switchCamera()).toBe(true)
    // Refused in settings: the card instead of a toggle.
    store.media.setPermissionDenied('camera')
    await flush()
    expect(await api.toggleCamera()).toBe(false)
    ;(wx as unknown as Record<string, unknown>).openSetting = (o: {
      success: (r: unknown) => void
    }) => o.success({ authSetting: { 'scope.camera': false, 'scope.record': true } })
    expect(await api.openSetting()).toBe(false)
    ;(wx as unknown as Record<string, unknown>).openSetting = (o: {
      success: (r: unknown) => void
    }) => o.success({ authSetting: { 'scope.camera': true, 'scope.record': true } })
    expect(await api.openSetting()).toBe(true)
    // A leave the server did not acknowledge still leaves, and says so.
    fake.failNext.set('exitConference', { code: -9527, message: 'network' })
    expect(await api.hangUp()).toBe(false)
    expect(store.session.status).toBe('exited')
    expect(await api.hangUp()).toBe(true)
  })

  test('a room detached with a store update still queued leaves the next pusher alone', async () => {
    const fake = new FakeEmedia()
    const { room } = mount(fake, { roomName: 'weekly' })
    await flush()
    // Left: the store's change reaches the tile on the next tick, after the room is gone.
    await (room.instance as unknown as { hangUp(): Promise<boolean> }).hangUp()
    unmountAll()
    // The pusher context is the page's: the page's next room would be stopped by a stray call.
    const contexts = spyLiveContexts()
    await flush()
    expect(contexts.pusher.calls).toEqual([])
  })

  test('unpublishing stops the push and clears the URL', async () => {
    const contexts = spyLiveContexts()
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, { roomName: 'weekly' })
    await flush()
    expect(await store.media.unpublish()).toBe(true)
    await flush()
    expect(contexts.pusher.calls).toEqual(['start', 'stop'])
    expect(attrsOf(selfTile(room), '#pusher').url).toBe('')
    expect(fake.called('unpubStream')).toHaveLength(1)
  })

  test('leaving (离开, then 离开会议) leaves and emits exit {0, 0}', async () => {
    const fake = new FakeEmedia()
    const { room } = mount(fake, { roomName: 'weekly' })
    const events = listen(room, ['exit'])
    await flush()
    room.querySelector('#leave')!.dispatchEvent('tap')
    await flush()
    expect(fake.called('exitConference')).toEqual([])
    room.querySelector('#leave-meeting')!.dispatchEvent('tap')
    await flush()
    expect(fake.called('exitConference')).toEqual([['C_weekly']])
    expect(events).toEqual([{ name: 'exit', detail: { reason: 0, code: 0 } }])
  })

  test('with 9 members, one mute sends only the data of that tile (setData payload)', async () => {
    const fake = new FakeEmedia()
    const { room } = mount(fake, { roomName: 'weekly' })
    await flush()
    const remotes = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8'].map((n) => fake.addRemote(n))
    await flush()
    const tiles = playerTiles(room)
    expect(tiles).toHaveLength(8)
    const cells = grid(room)
      .querySelectorAll('.cell')
      .map((c) => attrs(c).style)
    expect(cells[8]).toBe('left:66.6667%;top:66.6667%;width:33.3333%;height:33.3333%;')

    const calls = recordSetData([
      ['room', room],
      ['grid', grid(room)],
      ['self', selfTile(room)],
      ...tiles.map((t): [string, typeof t] => [t.data.memberId as string, t]),
    ])
    const target = remotes[4]
    fake.emit('mediaChanged', { ...target.stream!, aoff: 1 }, { aoff: 1 })
    await flush()

    expect(calls.map((c) => [c.who, c.data])).toEqual([[target.member.id, { aoff: 1 }]])
    const bytes = calls.reduce((n, c) => n + c.bytes, 0)
    console.info(`setData for one mute among 9 members: ${calls.length} call, ${bytes} bytes`)
    expect(bytes).toBeLessThanOrEqual(16)

    // For comparison, a tenth member: the grid re-sends its cells, the room its head count;
    // existing tiles get nothing.
    calls.length = 0
    fake.addRemote('a9')
    await flush()
    expect(calls.map((c) => c.who)).toEqual(['room', 'grid', 'grid'])
    expect(calls[0].data).toEqual({ headCount: 10 })
    const joinBytes = calls.reduce((n, c) => n + c.bytes, 0)
    console.info(`setData for a tenth member joining: ${calls.length} calls, ${joinBytes} bytes`)
  })
})
