// The cluster's stored form of a conference (server/cluster/codec.ts): what a node that takes a
// conference over reads back is what the old host had, and a write re-serialises only members
// whose stored fields changed.
import { ConfrType, Role } from 'miniprogram-conference-protocol'
import { decode, encode, META } from '../../server/cluster/codec'
import { ConferenceState, type MemberState } from '../../server/conference/state'

function conference(): ConferenceState {
  const conf = new ConferenceState({
    id: 'CF_1',
    type: ConfrType.LIVE,
    password: 'pw',
    ownerUserId: 'alice',
    config: { maxTalkerCount: 4, maxVideoCount: 4, maxAudienceCount: 100, maxPubDesktopCount: 1 },
    rec: true,
    recMerge: false,
    name: 'room',
    createdAt: 1234,
  })
  conf.attrs.set('topic', 'scale')
  conf.kickedAt.set('mallory', 99)
  for (const [id, userId, role] of [
    ['MS_a', 'alice', Role.ADMIN],
    ['MS_b', 'bob', Role.AUDIENCE],
  ] as const) {
    const m: MemberState = {
      id,
      userId,
      globalName: `app_${userId}`,
      nickName: userId.toUpperCase(),
      role,
      maxRole: undefined,
      ext: { seat: id },
      joinedAt: 5,
      resumeToken: `rt-${id}`,
      peer: { send() {}, sendFrame() {}, sendArrivals() {}, left() {} },
      graceTimer: null,
      playSessions: new Map([['sess', 'ST_x']]),
      seq: 0,
    }
    conf.addMember(m)
  }
  conf.streams.set('ST_x', {
    id: 'ST_x',
    memberId: 'MS_a',
    rtcId: 'cam',
    voff: 1,
    aoff: 0,
    type: 'normal',
    publishSession: 'live-session',
    reserved: false,
  })
  return conf
}

const asHash = (fields: ReturnType<typeof encode>) =>
  Object.fromEntries([...fields].map(([k, f]) => [k, f.json]))

test('a decoded conference is the stored one, without sockets, timers or media sessions', () => {
  const conf = conference()
  const back = decode(asHash(encode(conf)))!
  expect(back).not.toBeNull()
  expect([back.id, back.type, back.password, back.ownerUserId, back.name, back.createdAt]).toEqual([
    'CF_1',
    ConfrType.LIVE,
    'pw',
    'alice',
    'room',
    1234,
  ])
  expect(back.config).toEqual(conf.config)
  expect([back.rec, back.recMerge]).toEqual([true, false])
  expect(back.attrsObject()).toEqual({ topic: 'scale' })
  expect([...back.kickedAt]).toEqual([['mallory', 99]])
  expect([...back.members.values()].map((m) => conf.memberView(m))).toEqual(
    [...conf.members.values()].map((m) => conf.memberView(m)),
  )
  expect([...back.members.keys()]).toEqual(['MS_a', 'MS_b']) // join order kept
  const bob = back.members.get('MS_b')!
  expect([bob.resumeToken, bob.peer, bob.graceTimer, bob.playSessions.size]).toEqual([
    'rt-MS_b',
    null,
    null,
    0,
  ])
  const s = back.streams.get('ST_x')!
  expect([s.rtcId, s.voff, s.aoff, s.type, s.reserved, s.publishSession]).toEqual([
    'cam',
    1,
    0,
    'normal',
    false,
    null,
  ])
})

test('a hash without its settings field is no conference', () => {
  const fields = asHash(encode(conference()))
  delete fields[META]
  expect(decode(fields)).toBeNull()
})

test('only a member whose stored fields changed is serialised again', () => {
  const conf = conference()
  const first = encode(conf)
  conf.setRole(conf.members.get('MS_b')!, Role.TALKER)
  const second = encode(conf, first)
  expect(second.get('m:MS_a')).toBe(first.get('m:MS_a'))
  expect(second.get('m:MS_b')).not.toBe(first.get('m:MS_b'))
  expect(JSON.parse(second.get('m:MS_b')!.json).role).toBe(Role.TALKER)
  conf.members.get('MS_a')!.ext = { seat: 'front' }
  const third = encode(conf, second)
  expect(JSON.parse(third.get('m:MS_a')!.json).ext).toEqual({ seat: 'front' })
})

test('the meeting is stored with the conference: lock, mute-all, holds, hands in order, invitations, chat', () => {
  const conf = conference()
  const m = conf.meeting
  m.locked = true
  m.muteAll = { audio: true, video: false, allowSelfUnmute: false }
  m.setHold('MS_b', { video: true, allowSelfUnmute: true })
  m.hands.set('MS_b', { memberId: 'MS_b', name: 'bob', nickName: 'BOB', at: 10 })
  m.hands.set('MS_a', { memberId: 'MS_a', name: 'alice', nickName: 'ALICE', at: 20 })
  m.invitations.set('MS_b', 'MS_a')
  const from = { id: 'MS_a', name: 'alice', nickName: 'ALICE' }
  m.keep({ id: m.nextMessageId(), from, text: 'hello', at: 1 })
  m.nextMessageId() // a private one: counted, not kept
  const first = encode(conf)
  const back = decode(asHash(first))!.meeting
  expect([back.locked, back.muteAll]).toEqual([true, m.muteAll])
  expect(back.holdOf('MS_b', false)).toEqual({ audio: true, video: true, allowSelfUnmute: true })
  expect(back.holdOf('MS_a', true)).toEqual({ audio: false, video: false, allowSelfUnmute: true })
  expect(back.handList().map((h) => h.name)).toEqual(['bob', 'alice'])
  expect([...back.invitations]).toEqual([['MS_b', 'MS_a']])
  expect([back.history, back.lastMessageId]).toEqual([m.history, 2])
  // A hand going down rewrites that member's field only; the chat field is kept until a message.
  m.hands.delete('MS_a')
  const second = encode(conf, first)
  expect(second.get('m:MS_a')).not.toBe(first.get('m:MS_a'))
  expect(second.get('m:MS_b')).toBe(first.get('m:MS_b'))
  expect(second.get('chat')).toBe(first.get('chat'))
})

test('a conference an older release stored decodes unlocked, nobody held', () => {
  const fields = asHash(encode(conference()))
  const meta = JSON.parse(fields[META])
  delete meta.locked
  delete meta.muteAll
  fields[META] = JSON.stringify(meta)
  delete fields.chat
  const back = decode(fields)!.meeting
  expect([back.locked, back.muteAll.audio, back.history, back.lastMessageId]).toEqual([
    false,
    false,
    [],
    0,
  ])
})
