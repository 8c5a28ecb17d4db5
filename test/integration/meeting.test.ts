// Running a meeting (protocol revision 6) end to end: Node SDK clients against the real server over
// real sockets — for each method who may, what the others see and what a refused caller gets:
// the host's mutes (with real media, so the others' mediaChanged is the server's word), mute-all,
// the lock, hands and invitations to speak, chat with its limits and history, invitation
// credentials, and the roles a join or grantRole could not give.
import { ConfrType, ErrorCode, Role } from 'miniprogram-conference-protocol'
import type { ConferenceServer } from 'miniprogram-conference-server'
import { pushTestPattern, stopAllMedia } from '../../testkit/ffmpeg'
import { clientPool, errorOf, type NodeClient } from '../../testkit/sdk-client'
import { until } from '../../testkit/wait'
import { RawClient } from '../../testkit/raw-client'
import { startServer, tokenFor } from '../../testkit/server'
import { type MeetingClient, meetingClient } from './meeting-client'

let server: ConferenceServer
const pool = clientPool(() => server)
const join = (userId: string, opts?: { maxRole?: 1 | 3 | 7 | 9 }) =>
  pool.client(userId, opts).then(meetingClient)

beforeAll(async () => (server = await startServer({ graceMs: 4000, maxConferencesPerUser: 0 })))
afterEach(async () => {
  await pool.closeAll()
  await stopAllMedia()
})
afterAll(() => server.stop())

/** A room of `names`, the first its creator (ADMIN), the rest TALKERs (or as `role`). */
async function room(roomName: string, names: string[], type: number = ConfrType.COMMUNICATION) {
  const out: MeetingClient[] = []
  for (const name of names) {
    const c = await join(name)
    await c.mgr.joinRoom({ roomName, type: type as 10 })
    out.push(c)
  }
  return out
}

const selfId = (c: NodeClient) => c.emedia.mgr.getSelf()!.id

describe('the host mutes', () => {
  test('muteMembers: the member is held, the others hear it from the server, self-unmute is refused', async () => {
    const [host, bob, cy] = await room('mute-one', ['host', 'bob', 'cy'])
    const pub = await bob.mgr.pubStream('cam')
    const pusher = pushTestPattern(pub.data.rtmp)
    await until(() => cy.mgr.getStreams().length === 1, 15000, "bob's stream live for cy")

    // A talker may not mute anyone.
    expect(await errorOf(cy.mgr.muteMembers('', ['bob'], { audio: true }))).toMatchObject({
      code: ErrorCode.NO_RIGHTS,
    })
    const res = await host.mgr.muteMembers('', ['bob'], { audio: true })
    expect(res).toEqual({ muted: [selfId(bob)] })
    await until(() => bob.heard.mutedByHost.length === 1, 5000, "bob's onMutedByHost")
    expect(bob.heard.mutedByHost[0][0]).toMatchObject({
      audio: true,
      video: false,
      allowSelfUnmute: false,
      by: { name: 'host' },
    })
    // The SDK applies it to its own stream; the others hear the server's flags.
    expect(bob.mgr.getPublished()[0].stream.aoff).toBe(1)
    await until(() => cy.mgr.getStreams()[0]?.aoff === 1, 5000, 'cy sees bob muted')
    expect(cy.heard.mutedByHost).toEqual([])
    // bob cannot lift it himself; his camera is his own.
    expect(await errorOf(bob.mgr.resumeAudio())).toMatchObject({ code: ErrorCode.MUTED_BY_HOST })
    expect(cy.mgr.getStreams()[0].aoff).toBe(1)
    await bob.mgr.pauseVideo()
    await bob.mgr.resumeVideo()
    // Lifted: bob may turn it on again — the server does not turn it on for him.
    await host.mgr.muteMembers('', [selfId(bob)], { audio: false })
    await until(() => bob.heard.mutedByHost.length === 2, 5000, 'the hold lifted')
    expect(bob.mgr.getMutedByHost()).toMatchObject({ audio: false, video: false })
    expect(cy.mgr.getStreams()[0].aoff).toBe(1)
    await bob.mgr.resumeAudio()
    await until(() => cy.mgr.getStreams()[0]?.aoff === 0, 5000, 'cy hears bob again')
    pusher.proc.kill('SIGKILL')
  }, 60000)

  test('with allowSelfUnmute the member may unmute itself, which ends the hold; the creator is never muted', async () => {
    const [host, bob] = await room('mute-self', ['host', 'bob'])
    const cy = await join('cy', { maxRole: 7 })
    await cy.mgr.joinRoom({ roomName: 'mute-self', role: Role.ADMIN })
    await bob.mgr.pubStream('cam')
    await host.mgr.muteMembers('', ['bob'], { audio: true, video: true, allowSelfUnmute: true })
    await until(() => bob.heard.mutedByHost.length === 1)
    expect(bob.mgr.getPublished()[0].stream).toMatchObject({ aoff: 1, voff: 1 })
    await bob.mgr.resumeAudio()
    expect(bob.mgr.getPublished()[0].stream).toMatchObject({ aoff: 0, voff: 1 })
    // Another admin may mute bob but not the creator, and says so by name.
    const refused = await errorOf(cy.mgr.muteMembers('', ['host'], { audio: true }))
    expect(refused).toEqual({
      code: ErrorCode.NO_RIGHTS,
      message: "host: the conference's creator",
    })
    const some = await cy.mgr.muteMembers('', ['host', 'bob'], { video: false })
    expect(some).toEqual({
      muted: [selfId(bob)],
      refused: [{ name: 'host', reason: "the conference's creator" }],
    })
  })

  test('muteAll: talkers now and joiners later, admins excepted; only admins may', async () => {
    const [host, bob] = await room('mute-all', ['host', 'bob'])
    const pub = await bob.mgr.pubStream('cam')
    expect(pub.data.stream.aoff).toBe(0)
    expect(await errorOf(bob.mgr.muteAll('', { audio: true }))).toMatchObject({
      code: ErrorCode.NO_RIGHTS,
    })
    const state = await host.mgr.muteAll('', { audio: true })
    expect(state).toEqual({ audio: true, video: false, allowSelfUnmute: false })
    await until(() => bob.heard.mutedByHost.length === 1 && bob.heard.controlsChanged.length === 1)
    expect(host.heard.mutedByHost).toEqual([])
    expect(host.mgr.getControls()).toEqual({ locked: false, muteAll: state })
    expect(bob.mgr.getPublished()[0].stream.aoff).toBe(1)
    // A late joiner is held from its join: told in its reply, and its stream comes out muted.
    const cy = await join('cy')
    await cy.mgr.joinRoom({ roomName: 'mute-all' })
    expect(cy.mgr.getMutedByHost()).toMatchObject({ audio: true, allowSelfUnmute: false })
    expect(cy.heard.mutedByHost).toHaveLength(1)
    const cyPub = await cy.mgr.pubStream('cam', { aoff: 0 })
    await until(() => cy.mgr.getPublished()[0]?.stream.aoff === 1, 5000, 'the claim held muted')
    expect(cyPub.data.streamId).toBeTruthy()
    expect(await errorOf(cy.mgr.resumeAudio())).toMatchObject({ code: ErrorCode.MUTED_BY_HOST })
    // Everyone free again.
    await host.mgr.muteAll('', { audio: false })
    await until(() => cy.mgr.getMutedByHost().audio === false)
    await cy.mgr.resumeAudio()
  })
})

describe('the operator (console, HTTP API)', () => {
  const api = async (path: string, body?: unknown) => {
    const res = await fetch(server.httpUrl + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${server.config.adminSecret}`,
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as any }
  }

  test("mutes anyone, the creator too, and sees each member's hold and hand", async () => {
    const [host, bob] = await room('operated', ['host', 'bob'])
    const confrId = host.mgr.getConference()!.confrId
    await bob.mgr.raiseHand()
    const muted = await api(`/api/conferences/${confrId}/mute`, {
      memberId: selfId(host),
      audio: true,
    })
    expect(muted).toEqual({ status: 200, body: { muted: [selfId(host)] } })
    await until(() => host.heard.mutedByHost.length === 1)
    // Nobody in the room did it: no `by`.
    expect(host.heard.mutedByHost[0][0]).toEqual({
      audio: true,
      video: false,
      allowSelfUnmute: false,
    })
    const detail = await api(`/api/conferences/${confrId}`)
    expect(detail.body).toMatchObject({ locked: false, muteAll: { audio: false } })
    const byName = Object.fromEntries(
      detail.body.memberList.map((m: any) => [m.name, [m.muted.audio, m.handRaised]]),
    )
    expect(byName).toEqual({ host: [true, false], bob: [false, true] })
    expect(
      (await api(`/api/conferences/${confrId}/mute`, { memberId: 'x', audio: 'yes' })).status,
    ).toBe(400)
  })
})

describe('the lock', () => {
  test('locked: new joins are refused with -526 (admins excepted), invitations too; unlocked: open again', async () => {
    const [host, bob] = await room('locked', ['host', 'bob'])
    expect(await errorOf(bob.mgr.lockConference('', true))).toMatchObject({
      code: ErrorCode.NO_RIGHTS,
    })
    expect(await host.mgr.lockConference('', true)).toEqual({ locked: true })
    await until(() => bob.heard.controlsChanged.length === 1)
    expect(bob.mgr.getControls().locked).toBe(true)
    const late = await join('late')
    const refused = await errorOf(late.mgr.joinRoom({ roomName: 'locked' }))
    expect(refused.code).toBe(ErrorCode.CONFERENCE_LOCKED)
    expect(late.exits).toEqual([[2, ErrorCode.CONFERENCE_LOCKED]])
    // An admin (its token allows it, it asks for it) still gets in.
    const cohost = await join('cohost', { maxRole: 7 })
    await cohost.mgr.joinRoom({ roomName: 'locked', role: Role.ADMIN })
    expect(cohost.mgr.getSelf()!.role).toBe(Role.ADMIN)
    expect(await errorOf(host.mgr.createInvitation(''))).toMatchObject({
      code: ErrorCode.CONFERENCE_LOCKED,
    })
    await host.mgr.lockConference('', false)
    await late.mgr.joinRoom({ roomName: 'locked' })
    expect(late.mgr.getControls().locked).toBe(false)
  })
})

describe('hands and invitations to speak', () => {
  test('COMMUNICATION: everyone sees the queue; an admin lowers anyone, a talker only its own', async () => {
    const [host, bob, cy] = await room('hands', ['host', 'bob', 'cy'])
    const mine = await bob.mgr.raiseHand()
    expect(mine.map((h) => h.name)).toEqual(['bob'])
    await cy.mgr.raiseHand()
    await until(() => host.mgr.getHands().length === 2 && bob.mgr.getHands().length === 2)
    expect(host.mgr.getHands().map((h) => h.name)).toEqual(['bob', 'cy'])
    expect(await errorOf(bob.mgr.lowerHand('cy'))).toMatchObject({ code: ErrorCode.NO_RIGHTS })
    await host.mgr.lowerHand('cy')
    await bob.mgr.lowerHand()
    await until(() => cy.mgr.getHands().length === 0 && host.heard.handsChanged.length >= 2)
  })

  test('LIVE: an audience member raises her hand, is invited, accepts and may publish; the audience is not told of each other', async () => {
    const [host] = await room('stage', ['host'], ConfrType.LIVE)
    const [ann, ben] = [await join('ann'), await join('ben')]
    await ann.mgr.joinRoom({ roomName: 'stage' })
    await ben.mgr.joinRoom({ roomName: 'stage' })
    expect(ann.mgr.getSelf()!.role).toBe(Role.AUDIENCE)
    await ann.mgr.raiseHand()
    await until(() => host.mgr.getHands().length === 1, 5000, 'the host sees the hand')
    // ben (audience) hears nothing of ann's hand.
    await new Promise((r) => setTimeout(r, 300))
    expect(ben.heard.handsChanged).toEqual([])
    // Only an admin invites; answering with no invitation is -530.
    expect(await errorOf(ben.mgr.inviteToSpeak('', 'ann'))).toMatchObject({
      code: ErrorCode.NO_RIGHTS,
    })
    expect(await errorOf(ben.mgr.answerSpeakInvitation(true))).toMatchObject({
      code: ErrorCode.NO_INVITATION,
    })
    await host.mgr.inviteToSpeak('', 'ann')
    await until(() => ann.heard.speakInvitation.length === 1)
    expect(ann.mgr.getSpeakInvitation()).toMatchObject({ name: 'host' })
    expect(await ann.mgr.answerSpeakInvitation(true)).toEqual({ role: Role.TALKER })
    await until(() => host.heard.speakInvitationAnswered.length === 1)
    expect(host.heard.speakInvitationAnswered[0][1]).toBe(true)
    expect(ann.mgr.getSelf()!.role).toBe(Role.TALKER)
    await until(() => host.mgr.getHands().length === 0, 5000, 'her hand went down')
    const pub = await ann.mgr.pubStream('cam')
    expect(pub.data.rtmp).toMatch(/^rtmp:/)
    // Declining keeps the role and lowers the hand.
    await ben.mgr.raiseHand()
    await host.mgr.inviteToSpeak('', 'ben')
    await until(() => ben.heard.speakInvitation.length === 1)
    expect(await ben.mgr.answerSpeakInvitation(false)).toEqual({ role: Role.AUDIENCE })
    await until(() => host.heard.speakInvitationAnswered.length === 2)
  })

  test('the stage limit and the token cap refuse an invitation by name', async () => {
    const host = await join('host')
    await host.mgr.joinRoom({ roomName: 'full', type: 12, config: { maxTalkerCount: 1 } })
    const ann = await join('ann')
    await ann.mgr.joinRoom({ roomName: 'full' })
    const capped = await join('capped', { maxRole: 1 })
    await capped.mgr.joinRoom({ roomName: 'full' })
    const cap = await errorOf(host.mgr.inviteToSpeak('', 'capped'))
    expect(cap.code).toBe(ErrorCode.ROLE_NOT_ALLOWED)
    expect(cap.message).toContain('capped')
    expect(await errorOf(host.mgr.inviteToSpeak('', 'ann'))).toMatchObject({
      code: ErrorCode.TOO_MANY_TALKERS,
    })
  })
})

describe('chat', () => {
  test('to everyone or to some; a late joiner pages the kept texts; custom messages are not kept', async () => {
    const [host, bob, cy] = await room('chat', ['host', 'bob', 'cy'])
    const sent = await bob.mgr.sendMessage({ text: '你好 everyone' })
    expect(sent).toMatchObject({ text: '你好 everyone', from: { name: 'bob' } })
    await until(() => host.heard.message.length === 1 && cy.heard.message.length === 1)
    expect(bob.heard.message).toEqual([])
    await host.mgr.sendMessage({ text: 'just you' }, { to: 'cy' })
    await host.mgr.sendMessage({ custom: { kind: 'poll', q: 1 } })
    await until(() => cy.heard.message.length === 3 && bob.heard.message.length === 1)
    expect(cy.heard.message[1][0]).toMatchObject({ text: 'just you', to: [selfId(cy)] })
    expect(bob.heard.message[0][0]).toMatchObject({ custom: { kind: 'poll', q: 1 } })
    for (let i = 0; i < 4; i++) await cy.mgr.sendMessage({ text: `m${i}` })
    const late = await join('late')
    await late.mgr.joinRoom({ roomName: 'chat' })
    const first = await late.mgr.getMessages({ limit: 3 })
    expect(first.messages.map((m) => m.text)).toEqual(['m1', 'm2', 'm3'])
    expect(first.more).toBe(true)
    const rest = await late.mgr.getMessages({ before: first.messages[0].id })
    expect(rest).toMatchObject({ more: false })
    expect(rest.messages.map((m) => m.text)).toEqual(['你好 everyone', 'm0'])
  })

  test('refused: over 1 KB, an unknown recipient, a hidden member; -429 past the rate', async () => {
    const [host, bob] = await room('chat-limits', ['host', 'bob'])
    // The SDK refuses before sending; the server refuses what another client sends.
    expect(await errorOf(bob.mgr.sendMessage({ text: '字'.repeat(342) }))).toMatchObject({
      code: ErrorCode.BAD_REQUEST,
    })
    expect(await errorOf(bob.mgr.sendMessage({ text: 'x' }, { to: 'nobody' }))).toMatchObject({
      code: ErrorCode.MEMBER_INVALID,
    })
    const hidden = await join('hidden', { maxRole: 9 })
    await hidden.mgr.joinRoom({ roomName: 'chat-limits', role: Role.HIDING })
    expect(await errorOf(hidden.mgr.sendMessage({ text: 'boo' }))).toMatchObject({
      code: ErrorCode.NO_RIGHTS,
    })
    expect(await errorOf(hidden.mgr.raiseHand())).toMatchObject({ code: ErrorCode.NO_RIGHTS })
    expect(host.heard.message).toEqual([])
    // The default rate, 2 a second, lets a burst of 10 through (5 × the rate); the rest is -429.
    const results = await Promise.all(
      Array.from({ length: 13 }, (_, i) =>
        host.mgr.sendMessage({ text: `burst ${i}` }).then(
          () => 0,
          (e: { code: number }) => e.code,
        ),
      ),
    )
    expect(results.filter((r) => r === 0).length).toBe(10)
    expect(results.filter((r) => r === ErrorCode.RATE_LIMITED).length).toBe(3)
    await until(() => bob.heard.message.length === 10)
  })
})

describe('invitations', () => {
  test('anyone joins with one, no password; a talker of a password room may not issue; forged or expired refused', async () => {
    const host = await join('host')
    const conf = await host.mgr.createConference(ConfrType.COMMUNICATION, 'secret')
    await host.mgr.joinConferenceWithTicket(conf.confrId, conf.ticket)
    const { invitation, expiresAt } = await host.mgr.createInvitation('', { ttlSec: 600 })
    expect(invitation.startsWith(conf.confrId + '.')).toBe(true)
    expect(invitation).not.toContain('secret')
    expect(invitation.length).toBeLessThan(80)
    expect(expiresAt).toBeGreaterThan(Date.now() + 590_000)
    const guest = await join('guest')
    await guest.mgr.joinConferenceWithInvitation(invitation)
    expect(guest.mgr.getSelf()).toMatchObject({ name: 'guest', role: Role.TALKER })
    expect(await errorOf(guest.mgr.createInvitation(''))).toMatchObject({
      code: ErrorCode.NO_RIGHTS,
    })
    const other = await join('other')
    const forged = invitation.slice(0, -2) + (invitation.endsWith('AA') ? 'BB' : 'AA')
    expect(await errorOf(other.mgr.joinConferenceWithInvitation(forged))).toMatchObject({
      code: ErrorCode.TICKET_INVALID,
    })
    const expired = server.tokens.mintInvitation(conf.confrId, -5).invitation
    expect(await errorOf(other.mgr.joinConferenceWithInvitation(expired))).toMatchObject({
      code: ErrorCode.TICKET_EXPIRED,
    })
  })
})

describe('roles a join or a grant could not give', () => {
  test('joinRoom({role: 7}) by a non-creator joins as TALKER and says so; grantRole names whom it refused', async () => {
    const [host] = await room('roles', ['host'])
    const bob = await join('bob')
    await bob.mgr.joinRoom({ roomName: 'roles', role: Role.ADMIN })
    expect(bob.mgr.getSelf()!.role).toBe(Role.TALKER)
    expect(bob.heard.roleDenied).toHaveLength(1)
    expect(bob.heard.roleDenied[0][0]).toMatchObject({ asked: Role.ADMIN, given: Role.TALKER })
    expect((bob.heard.roleDenied[0][0] as { reason: string }).reason).toMatch(/at most TALKER/)
    const all = await errorOf(host.mgr.grantRole('', ['bob'], Role.ADMIN))
    expect(all.code).toBe(ErrorCode.ROLE_NOT_ALLOWED)
    expect(all.message).toMatch(/^bob: .*at most TALKER/)
    const cy = await join('cy', { maxRole: 7 })
    await cy.mgr.joinRoom({ roomName: 'roles' })
    const some = await host.mgr.grantRole('', ['bob', 'cy', 'ghost'], Role.ADMIN)
    expect(some.granted).toEqual([selfId(cy)])
    expect(some.refused).toEqual([
      { name: 'bob', reason: expect.stringMatching(/at most TALKER/) },
      { name: 'ghost', reason: 'not a member' },
    ])
  })
})

describe('on the wire', () => {
  const raw: RawClient[] = []
  afterEach(() => raw.splice(0).forEach((c) => c.close()))
  const rawClient = async (rev: number) => {
    const c = await RawClient.connect(`${server.wsUrl}?v=1&rev=${rev}`)
    raw.push(c)
    return c
  }

  test('the server refuses what the SDK would not send: 1 KB, both text and custom, neither', async () => {
    const c = await rawClient(6)
    const joined = await c.call('join', { roomName: 'wire-chat' }, tokenFor(server, 'wire'))
    const confrId = joined.result.conference.confrId
    for (const params of [
      { confrId, text: 'é'.repeat(513) },
      { confrId, custom: { big: 'x'.repeat(1024) } },
      { confrId, text: 'a', custom: 1 },
      { confrId },
      { confrId, text: '   ' },
    ]) {
      const res = await c.call('sendMessage', params)
      expect(res.error?.code).toBe(ErrorCode.BAD_REQUEST)
    }
    expect((await c.call('sendMessage', { confrId, text: 'é'.repeat(512) })).result).toBeTruthy()
  })

  test('a client of revision 5 gets none of the new events, and its join reply ignores nothing it needs', async () => {
    const admin = await rawClient(6)
    const joined = await admin.call('join', { roomName: 'wire-old' }, tokenFor(server, 'boss'))
    const confrId = joined.result.conference.confrId
    expect(joined.result.controls).toEqual({
      locked: false,
      muteAll: { audio: false, video: false, allowSelfUnmute: true },
      hands: [],
    })
    const old = await rawClient(5)
    await old.call('join', { roomName: 'wire-old' }, tokenFor(server, 'old'))
    const fresh = await rawClient(6)
    await fresh.call('join', { roomName: 'wire-old' }, tokenFor(server, 'fresh'))
    await admin.call('muteAll', { confrId, audio: true })
    await admin.call('sendMessage', { confrId, text: 'hi' })
    await admin.call('lockConference', { confrId, locked: true })
    await fresh.event('mutedByHost')
    await fresh.event('message')
    await fresh.event('controlsChanged', (d) => d.locked === true)
    const news = ['mutedByHost', 'message', 'controlsChanged', 'handsChanged']
    expect(old.frames.filter((f) => news.includes(f.event ?? ''))).toEqual([])
  })
})
