// Unit tests of store.screen, what this phone's screen chooses for itself, against a fake emedia:
// the audio route, mutes on this phone, the mirror, the call's clock and head count.
import { ErrorCode, ExitReason } from 'miniprogram-conference-protocol'
import { createConferenceStore } from '../../store/root'
import { FakeEmedia, makeMember } from '../../testkit/fake-emedia'

function setup() {
  const fake = new FakeEmedia()
  return { fake, store: createConferenceStore(fake) }
}

describe('store.screen', () => {
  test('the audio route: the loudspeaker first, then as toggled or set', () => {
    const { store } = setup()
    expect(store.screen.soundMode).toBe('speaker')
    expect(store.screen.toggleSoundMode()).toBe('ear')
    expect(store.screen.soundMode).toBe('ear')
    store.screen.setSoundMode('speaker')
    expect(store.screen.soundMode).toBe('speaker')
  })

  test('a mute on this phone only: toggled per tile, nothing sent, cleared by the next call', async () => {
    const { fake, store } = setup()
    await store.session.joinRoom({ roomName: 'weekly' })
    // What the join asked (the room, the meeting's kept chat): the mutes add nothing to it.
    const joinCalls = fake.calls.map((c) => c.method)
    expect(joinCalls).toContain('joinRoom')
    store.screen.setLocalMute('ST_bob')
    store.screen.setLocalMute('ST_carol', true)
    expect([...store.screen.localMutes]).toEqual(['ST_bob', 'ST_carol'])
    store.screen.setLocalMute('ST_bob')
    expect([...store.screen.localMutes]).toEqual(['ST_carol'])
    expect(fake.calls.map((c) => c.method)).toEqual(joinCalls)

    await store.session.leave()
    await store.session.joinRoom({ roomName: 'other' })
    expect([...store.screen.localMutes]).toEqual([])
  })

  test('the clock: from the join; kept by a rejoin of the same call; reset after leaving', async () => {
    const { fake, store } = setup()
    expect(store.screen.since).toBe(0)
    const before = Date.now()
    await store.session.joinRoom({ roomName: 'weekly' })
    const since = store.screen.since
    expect(since).toBeGreaterThanOrEqual(before)
    expect(since).toBeLessThanOrEqual(Date.now())

    // The membership is lost (network) and joined again: the same call, the same clock.
    fake.emit('conferenceExit', ExitReason.FAILED, ErrorCode.NETWORK)
    expect(store.session.needsRejoin).toBe(true)
    expect(store.screen.since).toBe(since)
    await store.session.rejoin()
    expect(store.screen.since).toBe(since)

    await store.session.leave()
    expect(store.screen.since).toBe(0)
  })

  test('the head count: me and those listed; the server count in a LIVE conference', async () => {
    const { fake, store } = setup()
    expect(store.screen.headCount).toBe(0)
    fake.members = [makeMember('MS_a', 'a'), makeMember('MS_b', 'b')]
    await store.session.joinRoom({ roomName: 'weekly' })
    expect(store.screen.headCount).toBe(3)
    fake.addRemote('c')
    expect(store.screen.headCount).toBe(4)

    // LIVE: the audience is counted by the server, not listed.
    const live = setup()
    const joinRoom = live.fake.mgr.joinRoom
    // The SDK's own conference, as a LIVE room's join brings it.
    live.fake.mgr.joinRoom = async (options) => Object.assign(await joinRoom(options), { type: 12 })
    await live.store.session.joinRoom({ roomName: 'show' })
    expect(live.store.session.conference?.type).toBe(12)
    live.fake.emit('memberCount', { members: 250, audience: 240 })
    expect(live.store.screen.headCount).toBe(250)
  })

  test('the mirror: my screen (auto, disable) and what the others see', () => {
    const { store } = setup()
    expect([store.screen.localMirror, store.screen.remoteMirror]).toEqual(['auto', false])
    store.screen.setLocalMirror('disable')
    store.screen.setRemoteMirror(true)
    expect([store.screen.localMirror, store.screen.remoteMirror]).toEqual(['disable', true])
  })
})
