// Joining and living in a conference against a scripted server: the order of callbacks after a
// join, publishing from inside onMemberJoined(self), play URLs without a round trip, events
// turned into emedia callbacks, exits.
import { ErrorCode, type Member, type Stream } from 'miniprogram-conference-server/client'
import { CONFR, FakeServer, joinResult, member, publishResult, SILENT, stream } from './fake-server'
import { testClient } from './test-client'
import { sleep, until } from '../../testkit/wait'

let fake: FakeServer
let c: ReturnType<typeof testClient>

beforeEach(async () => {
  fake = await FakeServer.start()
  c = testClient(fake)
})
afterEach(async () => {
  await c.mgr.disconnect()
  await fake.stop()
})

test('join: you first (isSelf), then the members, then their streams — before the promise resolves; pubStream works inside onMemberJoined(self)', async () => {
  const order: string[] = []
  let pushUrl: Promise<string> | null = null
  let stateInCallback = ''
  c.mgr.onMemberJoined = (m: Member) => {
    order.push(`joined:${m.id}:${m.isSelf ? 'self' : 'other'}`)
    if (m.isSelf) {
      stateInCallback = c.mgr.getConnectionState()
      pushUrl = c.mgr.pubStream(c.emedia.util.getRtcId()).then((res) => res.data.rtmp)
    }
  }
  c.mgr.onStreamAdded = (s: Stream) => order.push(`stream:${s.id}`)
  const confr = await c.mgr.joinRoom({
    roomName: 'weekly',
    password: 'pw',
    role: 3,
    config: { nickName: 'Me', maxTalkerCount: 4, ext: { a: 1 } },
  })
  order.push('resolved')
  expect(order).toEqual(['joined:ME:self', 'joined:BOB:other', 'stream:S-BOB', 'resolved'])
  expect(stateInCallback).toBe('joined')
  expect(confr).toMatchObject({ confrId: CONFR, id: CONFR, ticket: 'ticket-1', type: 10 })
  expect(await pushUrl).toBe('rtmp://media/live/S-ME-1?token=push1')
  expect(fake.requests('join')[0].params).toEqual({
    roomName: 'weekly',
    password: 'pw',
    role: 3,
    nickName: 'Me',
    ext: { a: 1 },
    config: { maxTalkerCount: 4 },
  })
  expect(fake.requests('publish')[0].params).toEqual({
    confrId: CONFR,
    rtcId: expect.stringMatching(/^wx-/),
  })
  expect(c.mgr.getSelf()).toMatchObject({ id: 'ME', isSelf: true })
  expect(c.mgr.getMembers().map((m) => [m.id, !!m.isSelf])).toEqual([['BOB', false]])
  expect(c.mgr.getPublished()).toEqual([
    {
      stream: expect.objectContaining({ id: 'S-ME-1' }),
      rtmp: 'rtmp://media/live/S-ME-1?token=push1',
    },
  ])
})

test('subStream is answered from the URL the server sent (no round trip); subscribe only when missing', async () => {
  fake.handle('join', () => ({
    ...joinResult(),
    streams: [
      stream('S-BOB', member('BOB')),
      stream('S-NOURL', member('BOB'), { rtmp: undefined }),
    ],
  }))
  await c.mgr.joinConference(CONFR, 'pw')
  const before = fake.received.length
  await expect(c.mgr.subStream('S-BOB')).resolves.toEqual({
    data: { rtmp: 'rtmp://media/live/S-BOB?token=play', flv: undefined },
  })
  expect(fake.received.length).toBe(before)
  const res = await c.mgr.subStream(c.mgr.getStreams()[1])
  expect(res.data.rtmp).toBe('rtmp://media/live/S-NOURL?token=sub')
  expect(fake.requests('subscribe').map((r) => r.params)).toEqual([{ streamId: 'S-NOURL' }])
  // refresh: a URL the engine refused or that expired is asked for again.
  const fresh = await c.mgr.subStream('S-BOB', { refresh: true })
  expect(fresh.data.rtmp).toBe('rtmp://media/live/S-BOB?token=sub')
  expect(fake.requests('subscribe')).toHaveLength(2)
})

test('events become callbacks: members, streams, media (both spellings), attrs, role', async () => {
  const media: unknown[] = []
  c.mgr.onMediaChanaged = (s, u) => media.push(['typo', s.id, u])
  c.mgr.onMediaChanged = (s, u) => media.push(['fixed', s.id, u])
  const roles: unknown[] = []
  c.mgr.onRoleChanged = (role, token) => roles.push([role, token])
  await c.mgr.joinConferenceWithTicket(CONFR, 'ticket-1', { x: 1 })
  const carol = member('CAROL')
  const push = (event: string, data: object) => fake.push(event, { confrId: CONFR, ...data })
  push('memberJoined', { member: carol })
  push('streamAdded', { stream: stream('S-CAROL', carol) })
  push('mediaChanged', { stream: stream('S-CAROL', carol, { voff: 1, rtmp: undefined }) })
  push('streamAdded', { stream: stream('S-OTHER', carol, { memId: 'ME' }) }) // own: ignored
  push('attrsUpdated', { attrs: { topic: 'new' } })
  push('memberUpdated', { member: member('ME', 7), roleToken: 'role-token-7' })
  push('memberExited', { member: carol, cause: 'exit' }) // takes her stream with it
  push('streamRemoved', { stream: stream('S-CAROL', carol) }) // already gone: no second call
  fake.push('memberJoined', { confrId: 'OTHER', member: member('X') }) // another conference
  await until(() => c.log.some((e) => e[0] === 'memberExited'), 3000, 'memberExited')
  await sleep(50)
  expect(c.trail()).toEqual([
    'memberJoined:ME',
    'memberJoined:BOB',
    'streamAdded:S-BOB',
    'confrAttrsUpdated', // the snapshot's attributes, for a late joiner
    'memberJoined:CAROL',
    'streamAdded:S-CAROL',
    'mediaChanged:S-CAROL',
    'confrAttrsUpdated',
    'memberUpdated:ME',
    'roleChanged',
    'streamRemoved:S-CAROL',
    'memberExited:CAROL',
  ])
  expect(media).toEqual([
    ['typo', 'S-CAROL', { voff: 1 }],
    ['fixed', 'S-CAROL', { voff: 1 }],
  ])
  expect(roles).toEqual([[7, 'role-token-7']])
  expect(c.mgr.getConference()?.roleToken).toBe('role-token-7')
  expect(c.mgr.getStreams().map((s) => s.id)).toEqual(['S-BOB'])
  // The viewer's play URL survives a mediaChanged that carries none.
  expect(c.log.find((e) => e[0] === 'mediaChanged')?.[1]).toMatchObject({
    voff: 1,
    rtmp: 'rtmp://media/live/S-CAROL?token=play',
  })
})

test('a throwing callback or listener is logged and does not stop the others', async () => {
  const seen: string[] = []
  c.emedia.config({ logLevel: 'silent' })
  c.mgr.onMemberJoined = () => {
    throw new Error('app bug')
  }
  c.mgr.on('memberJoined', () => {
    throw new Error('listener bug')
  })
  const off = c.mgr.on('memberJoined', (m) => seen.push(m.id))
  c.mgr.onStreamAdded = (s) => seen.push(s.id)
  await c.mgr.joinConference(CONFR, '')
  expect(seen).toEqual(['ME', 'BOB', 'S-BOB'])
  off()
  fake.push('memberJoined', { confrId: CONFR, member: member('DAN') })
  await until(() => c.trail().includes('memberJoined:DAN'), 3000, 'DAN')
  expect(seen).toEqual(['ME', 'BOB', 'S-BOB'])
})

test("exitConference resolves after the ack and fires onConferenceExit(0, 0); then the state is exited; another conference's id leaves nothing", async () => {
  const exits: unknown[] = []
  c.mgr.onConferenceExit = (reason, failed) => exits.push([reason, failed])
  await c.mgr.joinConference(CONFR, '')
  let acked = false
  fake.handle('exit', (req) => {
    setTimeout(() => {
      acked = true
      req.socket.send(JSON.stringify({ id: req.id, result: {} }))
    }, 100)
    return SILENT
  })
  // Another conference's id leaves nothing: you are not in it.
  await c.mgr.exitConference('CF_another')
  expect(fake.requests('exit')).toHaveLength(0)
  expect(c.mgr.getConnectionState()).toBe('joined')
  await c.mgr.exitConference(CONFR)
  expect(acked).toBe(true)
  expect(exits).toEqual([[0, 0]])
  expect(c.mgr.getConnectionState()).toBe('exited')
  expect(c.mgr.getConference()).toBeNull()
  expect(c.mgr.getMembers()).toEqual([])
  await expect(c.mgr.pubStream('r')).rejects.toMatchObject({ code: -400 })
})

test('a refused join rejects and calls onConferenceExit(2, code); a second join leaves the first; kicked → onConferenceExit(2, -504)', async () => {
  const exits: unknown[] = []
  c.mgr.onConferenceExit = (reason, failed) => exits.push([reason, failed])
  fake.handle('join', () => {
    throw { code: -523, message: 'too many talkers' }
  })
  await expect(c.mgr.joinConference(CONFR, '')).rejects.toEqual({
    code: -523,
    message: 'too many talkers',
  })
  expect(c.mgr.getConnectionState()).toBe('idle')
  expect(exits).toEqual([[2, -523]])
  exits.length = 0
  fake.handle('join', () => joinResult())
  await c.mgr.joinConference(CONFR, '')
  // Joining while in a conference leaves it first (emedia: one at a time).
  await c.mgr.joinConference(CONFR, '')
  expect(exits).toEqual([[0, 0]])
  expect(fake.requests('exit')).toHaveLength(1)
  exits.length = 0
  fake.push('conferenceExit', { confrId: CONFR, reason: 2, failed: -504, message: 'kicked' })
  await until(() => exits.length === 1, 3000, 'exit')
  expect(exits).toEqual([[2, -504]])
  expect(c.mgr.getConnectionState()).toBe('exited')
  expect(fake.requests('exit')).toHaveLength(1)
})

test('pause/resume video and audio default to your own stream and go out as setMedia', async () => {
  fake.handle('setMedia', (req) => ({
    stream: { ...publishResult('r', 1).stream, ...req.params, id: req.params.streamId },
  }))
  await c.mgr.joinConference(CONFR, '')
  const { data } = await c.mgr.pubStream('r')
  await c.mgr.pauseVideo()
  const s = await c.mgr.pauseAudio(data.streamId)
  await c.mgr.resumeVideo(data.stream)
  expect(fake.requests('setMedia').map((r) => r.params)).toEqual([
    { streamId: data.streamId, voff: 1 },
    { streamId: data.streamId, aoff: 1 },
    { streamId: data.streamId, voff: 0 },
  ])
  expect(s.aoff).toBe(1)
  expect(c.mgr.getPublished()[0].stream).toMatchObject({ voff: 0 })
  await c.mgr.unpubStream()
  expect(c.mgr.getPublished()).toEqual([])
  await expect(c.mgr.pauseVideo()).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST })
})

test('the server tells you first (conferenceExit), then answers: exit and destroy still resolve, one callback each', async () => {
  const exits: unknown[] = []
  c.mgr.onConferenceExit = (reason, failed) => exits.push([reason, failed])
  // As the real server does: the notice goes out before the reply to the request that caused it.
  fake.handle('exit', (req) => {
    fake.push(
      'conferenceExit',
      { confrId: CONFR, reason: 0, failed: 0, message: 'you left' },
      req.socket,
    )
    return {}
  })
  fake.handle('destroy', (req) => {
    fake.push(
      'conferenceExit',
      { confrId: CONFR, reason: 11, failed: -302, message: 'destroyed' },
      req.socket,
    )
    return {}
  })
  await c.mgr.joinConference(CONFR, '')
  await expect(c.mgr.exitConference()).resolves.toBeUndefined()
  await c.mgr.joinConference(CONFR, '')
  await expect(c.mgr.destroyConference(CONFR)).resolves.toBeUndefined()
  expect(exits).toEqual([
    [0, 0],
    [11, -302],
  ])
  await until(() => fake.sockets.size === 0, 3000, 'socket closed after the exit')
})
