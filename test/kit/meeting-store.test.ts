// Unit tests of the meeting store (store/meeting.ts) against a fake emedia: one layer — what the
// UI binds (roster, hand queue, chat with unread, the prompts) and what each action asks the SDK.
import { ConfrType, ErrorCode, Role } from 'miniprogram-conference-protocol'
import { type ChatMessage } from 'miniprogram-conference-protocol'
import {
  MAX_STORED_MESSAGES,
  SHARE_INVITATION_MIN_LIFE,
  SHARE_INVITATION_TTL,
} from '../../store/meeting'
import { createConferenceStore } from '../../store/root'
import type { StoreEvents } from '../../store/types'
import { FakeEmedia, makeMember, makeStream } from '../../testkit/fake-emedia'

function setup() {
  const fake = new FakeEmedia()
  const store = createConferenceStore(fake)
  const events: Array<{ name: keyof StoreEvents; data: unknown }> = []
  for (const name of [
    'mutedbyhost',
    'speakinvitation',
    'invitationanswer',
    'message',
    'roledenied',
    'error',
  ] as const)
    store.on(name, (data) => events.push({ name, data }))
  return { fake, store, events, meeting: store.meeting }
}

const flush = () => new Promise((r) => setImmediate(r))

const message = (id: number, text: string, from = 'alice'): ChatMessage => ({
  id,
  from: { id: `MS_${from}`, name: from, nickName: from },
  text,
  at: id,
})

test('the join brings the meeting as the SDK holds it: lock, mute-all, hands, our hold, the chat', async () => {
  const { fake, store, meeting } = setup()
  fake.controls = { locked: true, muteAll: { audio: true, video: false, allowSelfUnmute: false } }
  fake.hands = [{ memberId: 'MS_alice', name: 'alice', nickName: 'Alice', at: 1 }]
  fake.muted = { audio: true, video: false, allowSelfUnmute: false }
  fake.history = Array.from({ length: 25 }, (_, i) => message(i + 1, `m${i + 1}`))
  fake.members = [makeMember('MS_alice', 'alice')]
  await store.media.setAutoPublish(true)
  expect(await store.session.joinRoom({ roomName: 'held' })).toBe(true)
  await flush()
  expect([meeting.locked, meeting.muteAll.audio, meeting.micLocked]).toEqual([true, true, true])
  expect(meeting.handQueue).toEqual([
    {
      memberId: 'MS_alice',
      name: 'alice',
      nickName: 'Alice',
      at: 1,
      displayName: 'alice',
      isSelf: false,
    },
  ])
  // Held before it published: the pusher starts muted and the stream is published muted.
  expect(store.media.local.micOn).toBe(false)
  expect(fake.called('pubStream')[0][1]).toEqual({ voff: 0, aoff: 1 })
  // The latest page of the kept chat, and that there is more.
  expect(meeting.messages.map((m) => m.text)).toEqual(fake.history.slice(5).map((m) => m.text))
  expect(meeting.hasEarlierMessages).toBe(true)
  expect(meeting.unread).toBe(0)
  expect(await meeting.loadEarlierMessages()).toBe(true)
  expect(meeting.messages).toHaveLength(25)
  expect(meeting.hasEarlierMessages).toBe(false)
})

test('the host mutes us: the pusher follows, the prompt shows, our own unmute is refused until lifted', async () => {
  const { fake, store, meeting, events } = setup()
  await store.session.joinRoom({ roomName: 'r' })
  await store.media.publish()
  fake.emit('mutedByHost', {
    audio: true,
    video: true,
    allowSelfUnmute: false,
    by: makeMember('MS_h', 'host', Role.ADMIN),
  })
  expect([store.media.local.micOn, store.media.local.cameraOn]).toEqual([false, false])
  expect(meeting.mutedNotice).toMatchObject({ audio: true, by: { name: 'host' } })
  expect(events.filter((e) => e.name === 'mutedbyhost')).toHaveLength(1)
  // Refused here, without asking the SDK.
  expect(await store.media.toggleMic(true)).toBe(false)
  expect(store.lastError).toMatchObject({ code: ErrorCode.MUTED_BY_HOST, action: 'toggleMic' })
  expect(fake.called('resumeAudio')).toEqual([])
  expect(store.media.local.micOn).toBe(false)
  meeting.dismissMutedNotice()
  expect(meeting.mutedNotice).toBeNull()
  // Lifted: we may turn it on ourselves (nothing turns it on for us).
  fake.emit('mutedByHost', { audio: false, video: false, allowSelfUnmute: true })
  expect(store.media.local.micOn).toBe(false)
  expect(await store.media.toggleMic(true)).toBe(true)
  expect(fake.called('resumeAudio')).toHaveLength(1)
})

test('a server refusal of our unmute (-527, its news still on the way) keeps the pusher off', async () => {
  const { fake, store } = setup()
  await store.session.joinRoom({ roomName: 'r' })
  await store.media.publish()
  await store.media.toggleMic(false)
  fake.failNext.set('resumeAudio', { code: ErrorCode.MUTED_BY_HOST, message: 'held' })
  expect(await store.media.toggleMic(true)).toBe(false)
  expect(store.media.local.micOn).toBe(false)
})

test('hands: the queue, our own hand, and an admin lowering another', async () => {
  const { fake, store, meeting } = setup()
  fake.members = [makeMember('MS_alice', 'alice')]
  await store.session.joinRoom({ roomName: 'r' })
  expect(meeting.handRaised).toBe(false)
  expect(await meeting.toggleHand()).toBe(true)
  expect(fake.called('raiseHand')).toHaveLength(1)
  expect(meeting.handRaised).toBe(true)
  fake.emit('handsChanged', [
    ...fake.hands,
    { memberId: 'MS_alice', name: 'alice', nickName: 'alice', at: 99 },
  ])
  expect(meeting.handQueue.map((h) => [h.displayName, h.isSelf])).toEqual([
    ['me', true],
    ['alice', false],
  ])
  expect(await meeting.lowerHand('MS_alice')).toBe(true)
  expect(fake.called('lowerHand')).toEqual([['MS_alice']])
  expect(await meeting.toggleHand()).toBe(true)
  expect(meeting.hands).toEqual([])
})

test('invited to speak in LIVE: the prompt, then accepting makes us a talker who publishes with the mic on', async () => {
  const { fake, store, meeting, events } = setup()
  await store.session.joinRoom({ roomName: 'live', type: ConfrType.LIVE, role: Role.AUDIENCE })
  expect(store.session.canPublish).toBe(false)
  const host = makeMember('MS_host', 'host', Role.ADMIN)
  fake.emit('speakInvitation', host)
  expect(meeting.invitation).toBe(host)
  expect(events.find((e) => e.name === 'speakinvitation')?.data).toEqual({ from: host })
  expect(await meeting.answerInvitation(true)).toBe(true)
  expect(meeting.invitation).toBeNull()
  expect(store.session.self?.role).toBe(Role.TALKER)
  expect(fake.called('pubStream')).toHaveLength(1)
  expect(fake.called('pubStream')[0][1]).toEqual({ voff: 0, aoff: 0 })
  // Admins hear the answers.
  fake.emit('speakInvitationAnswered', makeMember('MS_x', 'x', Role.AUDIENCE), false)
  expect(meeting.lastAnswer).toMatchObject({ member: { name: 'x' }, accept: false })
})

test('chat: unread while closed, our own not counted, custom messages are events only, the store keeps a bounded list', async () => {
  const { fake, store, meeting, events } = setup()
  await store.session.joinRoom({ roomName: 'r' })
  await flush()
  fake.emit('message', message(1, 'hello'))
  fake.emit('message', message(2, 'again'))
  expect(meeting.unread).toBe(2)
  meeting.setChatOpen(true)
  expect(meeting.unread).toBe(0)
  fake.emit('message', message(3, 'seen'))
  expect(meeting.unread).toBe(0)
  meeting.setChatOpen(false)
  expect(await meeting.sendText('mine', 'alice')).toBe(true)
  expect(fake.called('sendMessage')).toEqual([[{ text: 'mine' }, { to: 'alice' }]])
  expect(meeting.unread).toBe(0)
  expect(meeting.messages.map((m) => m.text)).toEqual(['hello', 'again', 'seen', 'mine'])
  fake.emit('message', { ...message(4, ''), text: undefined, custom: { poll: 1 } })
  expect(meeting.messages).toHaveLength(4)
  expect(events.filter((e) => e.name === 'message').map((e) => (e.data as ChatMessage).id)).toEqual(
    [1, 2, 3, 4],
  )
  for (let i = 10; i < 10 + MAX_STORED_MESSAGES; i++) fake.emit('message', message(i, `n${i}`))
  expect(meeting.messages).toHaveLength(MAX_STORED_MESSAGES)
  expect(meeting.messages[0].text).toBe('n10')
})

test('the roster: ourselves first, then everyone with role, microphone, camera and hand as the server says', async () => {
  const { fake, store, meeting } = setup()
  const alice = makeMember('MS_alice', 'alice')
  const bob = makeMember('MS_bob', 'bob', Role.AUDIENCE)
  fake.members = [alice, bob]
  fake.streams = [
    makeStream(alice, { aoff: 1 }),
    makeStream(alice, { id: 'ST_screen', type: 'desktop' }),
  ]
  fake.hands = [{ memberId: 'MS_bob', name: 'bob', nickName: 'bob', at: 1 }]
  await store.session.joinRoom({ roomName: 'r', config: { nickName: 'Ann' } })
  expect(meeting.roster).toEqual([
    {
      id: 'MS_self',
      userId: 'me',
      name: 'Ann',
      role: Role.TALKER,
      isSelf: true,
      publishing: false,
      micOn: false,
      cameraOn: false,
      handRaised: false,
    },
    {
      id: 'MS_alice',
      userId: 'alice',
      name: 'alice',
      role: Role.TALKER,
      isSelf: false,
      publishing: true,
      micOn: false,
      cameraOn: true,
      handRaised: false,
    },
    {
      id: 'MS_bob',
      userId: 'bob',
      name: 'bob',
      role: Role.AUDIENCE,
      isSelf: false,
      publishing: false,
      micOn: false,
      cameraOn: false,
      handRaised: true,
    },
  ])
  fake.emit('mediaChanged', { ...fake.streams[0], aoff: 0 }, { aoff: 0 })
  expect(meeting.roster[1].micOn).toBe(true)
})

test('admin actions name the conference; a refusal is the action false with lastError; out of a conference nothing is asked', async () => {
  const { fake, store, meeting } = setup()
  expect(await meeting.lock(true)).toBe(false)
  expect(fake.calls).toEqual([])
  await store.session.joinRoom({ roomName: 'r' })
  expect(await meeting.muteMembers(['bob'], { audio: true })).toBe(true)
  expect(await meeting.unmuteMember('bob')).toBe(true)
  expect(fake.called('muteMembers')).toEqual([
    ['C_r', ['bob'], { audio: true }],
    ['C_r', ['bob'], { audio: false, video: false }],
  ])
  expect(await meeting.muteEveryone()).toBe(true)
  expect(meeting.muteAll).toMatchObject({ audio: true, allowSelfUnmute: false })
  expect(await meeting.lock()).toBe(true)
  expect(meeting.locked).toBe(true)
  expect(await meeting.createInvitation(600)).toBe(true)
  expect(meeting.invitationLink?.invitation).toMatch(/^C_r\.[0-9a-z]+\.fake-signature-0+$/)
  fake.failNext.set('inviteToSpeak', {
    code: ErrorCode.NO_RIGHTS,
    message: 'only an admin may do this',
  })
  expect(await meeting.inviteToSpeak('bob')).toBe(false)
  expect(store.lastError).toEqual({
    code: ErrorCode.NO_RIGHTS,
    message: 'only an admin may do this',
    action: 'inviteToSpeak',
  })
  fake.emit('controlsChanged', {
    locked: false,
    muteAll: { audio: false, video: false, allowSelfUnmute: true },
  })
  expect(meeting.locked).toBe(false)
})

test('a denied role is kept for the UI; leaving clears the meeting', async () => {
  const { fake, store, meeting, events } = setup()
  fake.mgr.joinRoom = async (options) => {
    fake.emit('roleDenied', {
      asked: Role.ADMIN,
      given: Role.TALKER,
      reason: "the user's token allows at most TALKER, not ADMIN",
    })
    return fake.mgr.joinConference(`C_${options.roomName}`)
  }
  await store.session.joinRoom({ roomName: 'r', role: Role.ADMIN })
  expect(meeting.roleDenied).toMatchObject({ asked: Role.ADMIN, given: Role.TALKER })
  expect(events.some((e) => e.name === 'roledenied')).toBe(true)
  fake.emit('message', message(1, 'hi'))
  fake.emit('handsChanged', [{ memberId: 'MS_self', name: 'me', nickName: 'me', at: 1 }])
  await store.session.leave()
  expect([
    meeting.messages.length,
    meeting.hands.length,
    meeting.unread,
    meeting.roleDenied,
  ]).toEqual([0, 0, 0, null])
})

describe("the share card's invitation credential (keepInvitation)", () => {
  afterEach(() => jest.useRealTimers())

  /** Joins conference C_1 with `password` (the fake's conference takes it) as `role`. */
  async function joined(password = '', role: number = Role.TALKER) {
    const ctx = setup()
    const original = ctx.fake.mgr.joinConference
    ctx.fake.mgr.joinConference = async (...args: Parameters<typeof original>) => {
      const conference = await original(...args)
      conference.password = args[1] ?? ''
      return conference
    }
    await ctx.store.session.joinById('C_1', password, { role: role as 1 | 3 | 7 })
    return ctx
  }

  test('one request for a day, shared by callers at once; held while it has half its life', async () => {
    const { fake, meeting } = await joined()
    expect(meeting.canInvite).toBe(true)
    expect(meeting.cardInvitation()).toBe('')
    const [a, b] = await Promise.all([meeting.keepInvitation(), meeting.keepInvitation()])
    expect(a).toMatch(/^C_1\./)
    expect(b).toBe(a)
    expect(await meeting.keepInvitation()).toBe(a)
    expect(fake.called('createInvitation')).toEqual([['C_1', { ttlSec: SHARE_INVITATION_TTL }]])
    const { expiresAt } = meeting.invitationLink!
    expect(meeting.cardInvitation(expiresAt - SHARE_INVITATION_MIN_LIFE)).toBe(a)
    // Less than half a day to run: no card carries it any more.
    expect(meeting.cardInvitation(expiresAt - SHARE_INVITATION_MIN_LIFE + 1)).toBe('')
  })

  test('renewed by its timer once half its life is gone; leaving drops it and the timer', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] })
    const { fake, store, meeting } = await joined()
    const first = await meeting.keepInvitation()
    // Renewed a minute before the held one has only half a day left.
    jest.advanceTimersByTime(SHARE_INVITATION_MIN_LIFE - 61_000)
    expect(fake.called('createInvitation')).toHaveLength(1)
    expect(meeting.cardInvitation()).toBe(first)
    jest.advanceTimersByTime(1000)
    await flush()
    expect(fake.called('createInvitation')).toHaveLength(2)
    // A day from now (the server counts whole seconds).
    const life = meeting.invitationLink!.expiresAt - Date.now()
    expect(life).toBeGreaterThan(SHARE_INVITATION_TTL * 1000 - 1000)
    expect(life).toBeLessThanOrEqual(SHARE_INVITATION_TTL * 1000)
    expect(meeting.cardInvitation()).not.toBe('')
    expect(meeting.cardInvitation()).not.toBe(first)
    await store.session.leave()
    expect(meeting.invitationLink).toBeNull()
    expect(jest.getTimerCount()).toBe(0)
  })

  test('none asked for where the server would refuse: a password and no admin, or a lock', async () => {
    const withPassword = await joined('pw')
    expect(withPassword.meeting.canInvite).toBe(false)
    expect(await withPassword.meeting.keepInvitation()).toBe('')
    expect(withPassword.fake.called('createInvitation')).toEqual([])

    const admin = await joined('pw', Role.ADMIN)
    expect(admin.meeting.canInvite).toBe(true)
    expect(await admin.meeting.keepInvitation()).toMatch(/^C_1\./)

    const locked = await joined()
    locked.fake.emit('controlsChanged', {
      locked: true,
      muteAll: { audio: false, video: false, allowSelfUnmute: true },
    })
    expect(await locked.meeting.keepInvitation()).toBe('')
    expect(locked.fake.called('createInvitation')).toEqual([])
  })

  test("a refusal is the error event with the server's code, and no timer retries it", async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] })
    const { fake, meeting, events } = await joined()
    fake.failNext.set('createInvitation', { code: ErrorCode.NO_RIGHTS, message: 'admins only' })
    expect(await meeting.keepInvitation()).toBe('')
    expect(events.filter((e) => e.name === 'error').map((e) => e.data)).toEqual([
      { code: ErrorCode.NO_RIGHTS, message: 'admins only', action: 'createInvitation' },
    ])
    expect(jest.getTimerCount()).toBe(0)
    // Asked again (the next share): it comes.
    expect(await meeting.keepInvitation()).toMatch(/^C_1\./)
  })
})

test('joinWithInvitation: the SDK joins the conference the credential names; a refusal is the join error', async () => {
  const { fake, store, events } = setup()
  const expired = `C_9.${(1).toString(36)}.fake-signature-0000000`
  fake.failNext.set('joinConferenceWithInvitation', {
    code: ErrorCode.TICKET_EXPIRED,
    message: 'invitation expired',
  })
  expect(await store.session.joinWithInvitation(expired, { nickName: 'Ben' })).toBe(false)
  expect(events.find((e) => e.name === 'error')?.data).toEqual({
    code: ErrorCode.TICKET_EXPIRED,
    message: 'invitation expired',
    action: 'join',
  })
  expect(store.session.exitCode).toBe(ErrorCode.TICKET_EXPIRED)
  expect(await store.session.joinWithInvitation('')).toBe(false)
  const good = 'C_9.zzzzzz.fake-signature-0000000'
  expect(await store.session.joinWithInvitation(good, { nickName: 'Ben' })).toBe(true)
  expect(store.session.conference?.confrId).toBe('C_9')
  expect(store.session.plan).toEqual({
    kind: 'invitation',
    invitation: good,
    options: { nickName: 'Ben' },
  })
  expect(fake.called('joinConferenceWithInvitation').at(-1)).toEqual([
    good,
    undefined,
    { nickName: 'Ben' },
  ])
})
