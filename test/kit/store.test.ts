// Unit tests of the store against a fake emedia (one layer: the SDK's behaviour is not under test).
import { comparer, reaction } from 'mobx-miniprogram'
import { ErrorCode, ExitReason, Role } from 'miniprogram-conference-protocol'
import { createConferenceStore, type ConferenceStore } from '../../store/root'
import { netQuality } from '../../store/media-policy'
import type { StoreEvents } from '../../store/types'
import { FakeEmedia, makeMember, makeStream } from '../../testkit/fake-emedia'

function setup() {
  const fake = new FakeEmedia()
  const store = createConferenceStore(fake)
  const events: Array<{ name: keyof StoreEvents; data: unknown }> = []
  for (const name of [
    'join',
    'exit',
    'memberjoin',
    'memberexit',
    'error',
    'reconnected',
  ] as const) {
    store.on(name, (data) => events.push({ name, data }))
  }
  return { fake, store, events }
}

async function joined(store: ConferenceStore) {
  expect(await store.session.joinRoom({ roomName: 'weekly', config: { nickName: 'Ann' } })).toBe(
    true,
  )
}

describe('conference store', () => {
  test('join: status, snapshot and tiles in display order (self first, then join order)', async () => {
    const { fake, store, events } = setup()
    const alice = makeMember('MS_alice', 'alice')
    const bob = makeMember('MS_bob', 'bob')
    const viewer = makeMember('MS_viewer', 'viewer', Role.AUDIENCE)
    fake.members = [alice, viewer, bob]
    fake.streams = [makeStream(bob, { voff: 1 })]

    const joining = store.session.joinRoom({ roomName: 'weekly', config: { nickName: 'Ann' } })
    expect(store.session.status).toBe('joining')
    expect(await joining).toBe(true)

    expect(store.session.status).toBe('joined')
    expect(store.session.conference?.confrId).toBe('C_weekly')
    expect(store.tiles.map((t) => [t.name, t.isSelf, t.url, t.voff])).toEqual([
      ['Ann', true, '', 0],
      ['alice', false, '', 1],
      ['bob', false, 'rtmp://media.test/live/ST_MS_bob?token=play-MS_bob', 1],
    ])
    expect(events.map((e) => e.name)).toEqual(['join'])
  })

  test('a member who leaves loses the tile; memberjoin / memberexit are emitted', async () => {
    const { fake, store, events } = setup()
    await joined(store)
    const { member } = fake.addRemote('carol')
    expect(store.tileIds).toEqual(['MS_self', 'ST_MS_carol'])
    expect(store.tileOf('ST_MS_carol')?.url).toContain('ST_MS_carol')

    fake.emit('memberExited', member, 'exit')
    expect(store.tileIds).toEqual(['MS_self'])
    expect(store.session.streams.size).toBe(0)
    expect(store.media.plays.size).toBe(0)
    expect(events.filter((e) => e.name.startsWith('member')).map((e) => e.name)).toEqual([
      'memberjoin',
      'memberexit',
    ])
  })

  test('mediaChanged sets voff / aoff on that tile only; the tile id list keeps its identity', async () => {
    const { fake, store } = setup()
    await joined(store)
    const { stream } = fake.addRemote('dave')
    fake.addRemote('erin')
    const seen: string[] = []
    const stops = [
      reaction(
        () => store.tileOf('ST_MS_erin')?.voff,
        () => seen.push('erin changed'),
      ),
      reaction(
        () => store.tileIds,
        () => seen.push('ids changed'),
      ),
    ]

    fake.emit('mediaChanged', { ...stream!, voff: 1 }, { voff: 1 })
    expect(store.tileOf('ST_MS_dave')?.voff).toBe(1)
    expect(store.tileOf('ST_MS_dave')?.aoff).toBe(0)
    expect(seen).toEqual([])
    fake.addRemote('fay')
    // Two SDK events, two lists: fay's placeholder (a talker), then her stream's tile in its place.
    expect(seen).toEqual(['ids changed', 'ids changed'])
    expect(store.tileIds.slice(-1)).toEqual(['ST_MS_fay'])
    stops.forEach((stop) => stop())
  })

  test('toggleCamera / toggleMic change local state and report to the others', async () => {
    const { fake, store } = setup()
    await joined(store)
    expect(await store.media.publish()).toBe(true)
    const streamId = store.media.local.streamId
    expect(store.media.local.pushUrl).toMatch(
      /^rtmp:\/\/media\.test\/live\/ST_self_\d+\?token=push-/,
    )
    expect(store.tileOf('MS_self')?.url).toBe(store.media.local.pushUrl)

    await store.media.toggleCamera()
    expect(store.media.local.cameraOn).toBe(false)
    expect(store.tileOf('MS_self')?.voff).toBe(1)
    await store.media.toggleCamera()
    await store.media.toggleMic(false)
    expect(fake.called('pauseVideo')).toEqual([[streamId]])
    expect(fake.called('resumeVideo')).toEqual([[streamId]])
    expect(fake.called('pauseAudio')).toEqual([[streamId]])
    expect(store.tileOf('MS_self')?.aoff).toBe(1)
  })

  test('a mic switched off before publishing is published off; a toggle in flight is reported', async () => {
    const { fake, store } = setup()
    await joined(store)
    await store.media.toggleMic(false)
    expect(fake.called('pauseAudio')).toEqual([])
    await store.media.publish()
    expect(fake.called('pubStream')[0][1]).toEqual({ voff: 0, aoff: 1 })
    await store.media.unpublish()
    const publishing = store.media.publish()
    void store.media.toggleCamera(false)
    await publishing
    expect(fake.called('pubStream')[1][1]).toEqual({ voff: 0, aoff: 1 })
    expect(fake.called('pauseVideo')).toEqual([[store.media.local.streamId]])
  })

  test('an audience member cannot publish: -101 and no pubStream', async () => {
    const { fake, store, events } = setup()
    await store.session.joinRoom({ roomName: 'talk', role: Role.AUDIENCE })
    expect(await store.media.publish()).toBe(false)
    expect(fake.called('pubStream')).toEqual([])
    expect(store.lastError).toMatchObject({ code: ErrorCode.NO_RIGHTS, action: 'publish' })
    expect(events.some((e) => e.name === 'error')).toBe(true)
    expect(store.tileIds).toEqual([])
  })

  test('autoPublish publishes after join and after a promotion', async () => {
    const { fake, store } = setup()
    store.media.setAutoPublish(true)
    await store.session.joinRoom({ roomName: 'talk', role: Role.AUDIENCE })
    expect(fake.called('pubStream')).toHaveLength(0)
    fake.emit('roleChanged', Role.TALKER, 'rt2')
    await new Promise((r) => setImmediate(r))
    expect(fake.called('pubStream')).toHaveLength(1)
    expect(store.media.local.pushUrl).not.toBe('')
    fake.emit('roleChanged', Role.AUDIENCE, 'rt3')
    expect(store.media.local.pushUrl).toBe('')
  })

  test('reconnecting → reconnected applies the fresh push URL and re-mounts the pusher', async () => {
    const { fake, store, events } = setup()
    await joined(store)
    await store.media.publish()
    const streamId = store.media.local.streamId
    const oldKey = store.tileOf('MS_self')!.key
    fake.emit('reconnecting')
    expect(store.session.status).toBe('reconnecting')

    const fresh = 'rtmp://media.test/live/' + streamId + '?token=after-reconnect'
    fake.emit('reconnected', {
      published: [{ stream: makeStream(fake.self!, { id: streamId }), rtmp: fresh }],
    })
    expect(store.session.status).toBe('joined')
    expect(store.media.local.pushUrl).toBe(fresh)
    expect(store.tileOf('MS_self')!.key).not.toBe(oldKey)
    expect(events.some((e) => e.name === 'reconnected')).toBe(true)
  })

  test('refreshPushUrl keeps the same stream (no unpublish): a fresh URL only', async () => {
    const { fake, store } = setup()
    await joined(store)
    await store.media.publish()
    const { streamId, pushUrl } = store.media.local
    expect(await store.media.refreshPushUrl()).toBe(true)
    expect(store.media.local.streamId).toBe(streamId)
    expect(store.media.local.pushUrl).not.toBe(pushUrl)
    expect(fake.called('unpubStream')).toEqual([])
  })

  test('reconnected without our stream publishes again when we were publishing', async () => {
    const { fake, store } = setup()
    await joined(store)
    await store.media.publish()
    fake.emit('reconnecting')
    fake.emit('reconnected', { published: [] })
    await new Promise((r) => setImmediate(r))
    expect(fake.called('pubStream')).toHaveLength(2)
    expect(store.media.local.pushUrl).not.toBe('')
  })

  test('conferenceExit: status exited with reason and code; kicked is not rejoined', async () => {
    const { fake, store, events } = setup()
    await joined(store)
    fake.addRemote('frank')
    fake.emit('conferenceExit', ExitReason.REFUSED, ErrorCode.MEMBER_INVALID)
    expect(store.session.status).toBe('exited')
    expect(store.session.exitReason).toBe(2)
    expect(store.session.exitCode).toBe(-504)
    expect(store.tiles).toEqual([])
    expect(store.session.needsRejoin).toBe(false)
    expect(events.filter((e) => e.name === 'exit').map((e) => e.data)).toEqual([
      { reason: 2, code: -504 },
    ])
  })

  test('a membership lost to the network is rejoined the same way', async () => {
    const { fake, store } = setup()
    await store.session.joinById('C_77', 'pw', { nickName: 'Ann' })
    await store.media.publish()
    fake.emit('conferenceExit', ExitReason.FAILED, ErrorCode.NETWORK)
    expect(store.session.needsRejoin).toBe(true)
    expect(await store.session.rejoin()).toBe(true)
    expect(fake.called('joinConference')).toEqual([
      ['C_77', 'pw', undefined, { nickName: 'Ann' }],
      ['C_77', 'pw', undefined, { nickName: 'Ann' }],
    ])
    expect(store.session.status).toBe('joined')
    expect(fake.called('pubStream')).toHaveLength(2)
  })

  test('leave exits once, emits exit {0, 0} and is not rejoinable', async () => {
    const { fake, store, events } = setup()
    await joined(store)
    expect(await store.session.leave()).toBe(true)
    fake.emit('conferenceExit', 0, 0)
    expect(fake.called('exitConference')).toEqual([['C_weekly']])
    expect(events.filter((e) => e.name === 'exit')).toHaveLength(1)
    expect(store.session.needsRejoin).toBe(false)
  })

  test('leave while the join is on its way (the page closed): the join is left once answered', async () => {
    const { fake, store, events } = setup()
    const joining = store.session.joinRoom({ roomName: 'weekly' })
    expect(store.session.status).toBe('joining')
    expect(await store.session.leave()).toBe(true)
    expect(await joining).toBe(false)
    expect(fake.called('exitConference')).toEqual([['C_weekly']])
    expect(fake.called('pubStream')).toHaveLength(0)
    expect(store.session.status).toBe('exited')
    expect(store.session.exitReason).toBe(ExitReason.HANGUP)
    expect(store.session.conference).toBeNull()
    expect(events.filter((e) => e.name === 'join')).toHaveLength(0)
    expect(events.filter((e) => e.name === 'exit')).toHaveLength(1)
    expect(store.session.needsRejoin).toBe(false)
    // A join after it goes through as any other.
    await joined(store)
    expect(store.session.status).toBe('joined')
  })

  test('a refused join: error with the server code, no tiles, second join allowed', async () => {
    const { fake, store, events } = setup()
    fake.failNext.set('joinConference', {
      code: ErrorCode.WRONG_PASSWORD,
      message: 'wrong password',
    })
    expect(await store.session.joinById('C_1', 'bad')).toBe(false)
    expect(store.session.status).toBe('exited')
    expect(store.session.exitCode).toBe(-508)
    expect(store.session.exitReason).toBe(ExitReason.FAILED)
    expect(events.find((e) => e.name === 'error')?.data).toMatchObject({
      code: -508,
      action: 'join',
    })
    // The SDK also told it as onConferenceExit(4, -508): one error, no `exit` of a call never had.
    expect(events.filter((e) => e.name === 'exit')).toEqual([])
    expect(await store.session.joinById('C_1', 'good')).toBe(true)
  })

  test("a join refused with a reason other than 4 keeps the SDK's reason", async () => {
    const { fake, store, events } = setup()
    fake.failNext.set('joinConference', { code: ErrorCode.CONFERENCE_GONE, message: 'gone' })
    expect(await store.session.joinById('C_1', 'pw')).toBe(false)
    expect([store.session.exitReason, store.session.exitCode]).toEqual([
      ExitReason.CLOSED,
      ErrorCode.CONFERENCE_GONE,
    ])
    expect(events.map((e) => e.name)).toEqual(['error'])
  })

  test('bad input gets a clear error and changes nothing', async () => {
    const { fake, store } = setup()
    expect(await store.session.joinRoom({ roomName: '' })).toBe(false)
    expect(store.lastError?.message).toMatch(/roomName is required/)
    expect(store.session.status).toBe('idle')
    expect(fake.calls).toEqual([])
    expect(() => createConferenceStore({} as never)).toThrow(/emedia/)
  })

  test('create: creates, joins with the ticket, rejoins later by id + password', async () => {
    const { fake, store } = setup()
    expect(await store.session.create({ password: 'pw', nickName: 'Ann' })).toBe(true)
    expect(fake.called('joinConferenceWithTicket')).toEqual([
      ['C_new', 'ticket-C_new', undefined, { nickName: 'Ann' }],
    ])
    expect(store.session.isAdmin).toBe(true)
    fake.emit('conferenceExit', ExitReason.FAILED, ErrorCode.NETWORK)
    await store.session.rejoin()
    expect(fake.called('joinConference')).toEqual([['C_new', 'pw', undefined, { nickName: 'Ann' }]])
  })

  test('kick / grantRole / destroy go to the SDK with the conference id', async () => {
    const { fake, store } = setup()
    await joined(store)
    await store.session.kick(['bob'])
    await store.session.grantRole(['carl'], Role.ADMIN)
    await store.session.destroy()
    expect(fake.called('kickMembersById')).toEqual([['C_weekly', ['bob']]])
    expect(fake.called('grantRole')).toEqual([['C_weekly', ['carl'], 7]])
    expect(fake.called('destroyConference')).toEqual([['C_weekly']])
  })

  test('pusher and player events: states, permission, speaking, remount, fresh play URL', async () => {
    const { fake, store } = setup()
    await joined(store)
    await store.media.publish()
    expect(store.media.onPusherState(1002)).toBe('pushing')
    expect(store.media.local.pushState).toBe('pushing')
    expect(store.media.onPusherState(-1307)).toBe('restart')
    expect(store.media.local.pushState).toBe('failed')
    expect(store.media.onPusherState(5000)).toBe('suspended')

    store.media.onPusherError(10001, 'camera denied')
    expect(store.media.permissionDenied).toBe('camera')
    const selfKey = store.tileOf('MS_self')!.key
    store.media.clearPermissionDenied()
    expect(store.media.permissionDenied).toBe('')
    expect(store.tileOf('MS_self')!.key).not.toBe(selfKey)

    fake.addRemote('gina')
    expect(store.media.onPlayerState('ST_MS_gina', -2301)).toBe('replay')
    expect(store.media.plays.get('ST_MS_gina')?.state).toBe('failed')
    store.media.onPlayerNetStatus('ST_MS_gina', { videoBitrate: 300 })
    expect(store.media.plays.get('ST_MS_gina')?.state).toBe('playing')

    const before = store.tileOf('ST_MS_gina')!
    expect(await store.media.refreshPlayUrl('ST_MS_gina')).toBe(true)
    const after = store.tileOf('ST_MS_gina')!
    expect(after.url).toMatch(/token=fresh-/)
    expect(after.key).not.toBe(before.key)

    store.media.onVolume('ST_MS_gina', 50)
    expect(store.tileOf('ST_MS_gina')?.speaking).toBe(true)
    store.media.onVolume('ST_MS_gina', 3)
    expect(store.tileOf('ST_MS_gina')?.speaking).toBe(false)
  })

  test('switchCamera ignores a double tap', () => {
    const { store } = setup()
    expect(store.media.switchCamera(1000)).toBe(true)
    expect(store.media.switchCamera(1200)).toBe(false)
    expect(store.media.local.devicePosition).toBe('back')
    expect(store.media.switchCamera(2000)).toBe(true)
    expect(store.media.local.devicePosition).toBe('front')
  })

  test('a stream announced without a play URL gets one through subStream', async () => {
    const { fake, store } = setup()
    await joined(store)
    const hank = makeMember('MS_hank', 'hank')
    fake.emit('memberJoined', hank)
    fake.emit('streamAdded', makeStream(hank, { rtmp: undefined }))
    await new Promise((r) => setImmediate(r))
    expect(fake.called('subStream')).toEqual([['ST_MS_hank', { refresh: true }]])
    expect(store.tileOf('ST_MS_hank')?.url).toMatch(/token=fresh-/)
  })

  test('dispose stops listening to the SDK', () => {
    const { fake, store } = setup()
    expect(fake.listenerCount()).toBeGreaterThan(0)
    store.dispose()
    expect(fake.listenerCount()).toBe(0)
  })
})

describe('tiles by stream', () => {
  async function twoStreams() {
    const { fake, store, events } = setup()
    await joined(store)
    const { member: ivy, stream: camera } = fake.addRemote('ivy')
    const desktop = makeStream(ivy, {
      id: 'ST_ivy_desktop',
      rtcId: 'wx-2',
      type: 'desktop',
      rtmp: 'rtmp://media.test/live/ST_ivy_desktop?token=play-ivy',
    })
    fake.streams.push(desktop)
    fake.emit('streamAdded', desktop)
    return { fake, store, events, ivy, camera: camera!, desktop }
  }

  test('a member with two streams (camera and a shared screen) shows both', async () => {
    const { store, camera, desktop } = await twoStreams()
    expect(store.tileIds).toEqual(['MS_self', camera.id, desktop.id])
    expect(
      store.tiles.slice(1).map((t) => [t.memberId, t.streamId, t.kind, t.name, t.url]),
    ).toEqual([
      ['MS_ivy', camera.id, 'camera', 'ivy', camera.rtmp],
      ['MS_ivy', desktop.id, 'desktop', 'ivy', desktop.rtmp],
    ])
  })

  test('removing one stream keeps the other tile as it was (URL, key, playback)', async () => {
    const { fake, store, camera, desktop } = await twoStreams()
    store.media.onPlayerState(camera.id, 2003)
    const cameraTile = store.tileOf(camera.id)
    const seen: unknown[] = []
    const stop = reaction(
      () => store.tileOf(camera.id),
      (t) => seen.push(t),
      { equals: comparer.structural },
    )

    fake.emit('streamRemoved', desktop)
    expect(store.tileIds).toEqual(['MS_self', camera.id])
    expect(store.tileOf(desktop.id)).toBeUndefined()
    expect(store.media.plays.has(desktop.id)).toBe(false)
    expect(store.tileOf(camera.id)).toEqual(cameraTile)
    expect(store.media.plays.get(camera.id)?.state).toBe('playing')
    expect(seen).toEqual([])
    stop()

    // And the other way round: the camera goes, the shared screen stays.
    fake.emit('streamAdded', desktop)
    fake.emit('streamRemoved', camera)
    expect(store.tileIds).toEqual(['MS_self', desktop.id])
    expect(store.tileOf(desktop.id)?.url).toBe(desktop.rtmp)
  })

  test('mute, volume and quality of one stream stay on its tile', async () => {
    const { fake, store, camera, desktop } = await twoStreams()
    fake.emit('mediaChanged', { ...camera, aoff: 1 }, { aoff: 1 })
    store.media.onVolume(desktop.id, 60)
    store.media.onPlayerNetStatus(desktop.id, { videoBitrate: 800, videoFPS: 5 })
    expect([store.tileOf(camera.id)?.aoff, store.tileOf(desktop.id)?.aoff]).toEqual([1, 0])
    expect([store.tileOf(camera.id)?.speaking, store.tileOf(desktop.id)?.speaking]).toEqual([
      false,
      true,
    ])
    expect([store.tileOf(camera.id)?.quality, store.tileOf(desktop.id)?.quality]).toEqual([0, 3])
  })

  test('the member leaving takes all their tiles', async () => {
    const { fake, store, ivy } = await twoStreams()
    fake.emit('memberExited', ivy, 'exit')
    expect(store.tileIds).toEqual(['MS_self'])
    expect(store.media.plays.size).toBe(0)
  })

  test('a shared screen is the featured tile; none when it stops', async () => {
    const { fake, store, desktop } = await twoStreams()
    expect(store.featuredTileId).toBe(desktop.id)
    fake.emit('streamRemoved', desktop)
    expect(store.featuredTileId).toBe('')
    fake.addRemote('jan')
    expect(store.featuredTileId).toBe('')
  })

  test('a member who may publish and has no stream has a placeholder tile; an audience has none', async () => {
    const { fake, store } = setup()
    await joined(store)
    fake.addRemote('kim', { publish: false })
    fake.addRemote('lea', { publish: false, role: Role.AUDIENCE })
    expect(store.tileIds).toEqual(['MS_self', 'MS_kim'])
    expect(store.tileOf('MS_kim')).toMatchObject({ memberId: 'MS_kim', streamId: '', url: '' })
  })
})

describe('COMMUNICATION_MIX tiles', () => {
  const SYS = makeMember('sys', 'server', Role.ADMIN)
  const mix = (id: string) =>
    makeStream(SYS, { id, rtcId: 'mix', type: 'mix', rtmp: `rtmp://media.test/live/${id}?t=1` })

  test('the mix is the one tile beside your own, featured; the talkers have no placeholders', async () => {
    const { fake, store } = setup()
    fake.members = [makeMember('MS_ann', 'ann'), makeMember('MS_bob', 'bob')]
    expect(await store.session.joinRoom({ roomName: 'weekly', type: 11 })).toBe(true)
    expect(store.tileIds).toEqual(['MS_self'])
    expect(store.featuredTileId).toBe('')
    fake.emit('streamAdded', mix('ST_room'))
    expect(store.tileIds).toEqual(['MS_self', 'ST_room'])
    expect(store.featuredTileId).toBe('ST_room')
    expect(store.tileOf('ST_room')).toMatchObject({
      kind: 'mix',
      name: 'weekly',
      url: mix('ST_room').rtmp,
    })
  })

  test('a talker moved to its own mix: the new one replaces the old in one step', async () => {
    const { fake, store } = setup()
    fake.streams = [mix('ST_room')]
    expect(await store.session.joinRoom({ roomName: 'weekly', type: 11 })).toBe(true)
    const seen: string[][] = []
    const stop = reaction(
      () => store.tileIds,
      (ids) => seen.push(ids),
    )
    // The server announces the talker's own mix before it withdraws the room's.
    fake.emit('streamAdded', mix('ST_mine'))
    fake.emit('streamRemoved', mix('ST_room'))
    stop()
    expect(seen).toEqual([['MS_self', 'ST_mine']])
    expect(store.featuredTileId).toBe('ST_mine')
    expect(store.media.plays.has('ST_room')).toBe(false)
  })

  test('outside a MIX room a member with no stream still has a placeholder', async () => {
    const { fake, store } = setup()
    fake.members = [makeMember('MS_ann', 'ann')]
    expect(await store.session.joinRoom({ roomName: 'weekly', type: 10 })).toBe(true)
    expect(store.tileIds).toEqual(['MS_self', 'MS_ann'])
  })
})

describe('media state for the tiles', () => {
  test('an audience member joins with autoPublish: no publish attempt, no error', async () => {
    const { fake, store, events } = setup()
    store.media.setAutoPublish(true)
    expect(await store.session.joinRoom({ roomName: 'talk', role: Role.AUDIENCE })).toBe(true)
    expect(fake.called('pubStream')).toEqual([])
    expect(events.map((e) => e.name)).toEqual(['join'])
    expect(store.lastError).toBeNull()
  })

  test('camera refused while publishing: audio only, the push goes on, the others see camera off', async () => {
    const { fake, store } = setup()
    await joined(store)
    await store.media.publish()
    const { pushUrl, streamId } = store.media.local
    store.media.onPusherError(10001, 'camera denied')
    expect(store.media.local.cameraDenied).toBe(true)
    expect(store.media.videoOn).toBe(false)
    expect(store.media.local.pushUrl).toBe(pushUrl)
    expect(store.tileOf('MS_self')).toMatchObject({ voff: 1, aoff: 0 })
    await new Promise((r) => setImmediate(r))
    expect(fake.called('pauseVideo')).toEqual([[streamId]])
    expect(fake.called('unpubStream')).toEqual([])

    // Granted in the settings: the camera comes back and the others are told.
    store.media.clearPermissionDenied()
    await new Promise((r) => setImmediate(r))
    expect(store.media.local.cameraDenied).toBe(false)
    expect(store.tileOf('MS_self')?.voff).toBe(0)
    expect(fake.called('resumeVideo')).toEqual([[streamId]])
  })

  test('camera refused before publishing (wx.authorize): published with video off', async () => {
    const { fake, store } = setup()
    store.media.setPermissionDenied('camera')
    await joined(store)
    expect(await store.media.publish()).toBe(true)
    expect(fake.called('pubStream')[0][1]).toEqual({ voff: 1, aoff: 0 })
    // The user's own camera switch is untouched: granting it later turns video on.
    expect(store.media.local.cameraOn).toBe(true)
  })

  test('network quality per tile from netstatus, stored only when it changes', async () => {
    const { fake, store } = setup()
    await joined(store)
    await store.media.publish()
    const { stream } = fake.addRemote('mo')
    const changes: unknown[] = []
    const stop = reaction(
      () => store.tileOf(stream!.id)?.quality,
      (q) => changes.push(q),
    )
    store.media.onPlayerNetStatus(stream!.id, { videoBitrate: 600, videoFPS: 20, netJitter: 10 })
    store.media.onPlayerNetStatus(stream!.id, { videoBitrate: 580, videoFPS: 22, netJitter: 20 })
    store.media.onPlayerNetStatus(stream!.id, { videoBitrate: 100, videoFPS: 6, netJitter: 300 })
    store.media.onPlayerNetStatus(stream!.id, {})
    expect(changes).toEqual([5, 1])
    stop()
    store.media.onPusherNetStatus({ audioBitrate: 32, netJitter: 120 })
    expect(store.tileOf('MS_self')?.quality).toBe(4)
  })

  test('netQuality: 1 (nothing flows) to 5, a point off for low frame rate and for jitter', () => {
    expect(netQuality(undefined)).toBe(1)
    expect(netQuality({ videoBitrate: 0, audioBitrate: 0 })).toBe(1)
    expect(netQuality({ audioBitrate: 32 })).toBe(5)
    expect(netQuality({ videoBitrate: 500, videoFPS: 24, netJitter: 20 })).toBe(5)
    expect(netQuality({ videoBitrate: 500, videoFPS: 12 })).toBe(4)
    expect(netQuality({ videoBitrate: 500, videoFPS: 12, netJitter: 100 })).toBe(3)
    expect(netQuality({ videoBitrate: 500, videoFPS: 5, netJitter: 250 })).toBe(1)
  })
})
