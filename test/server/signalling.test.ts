// The signalling protocol over real sockets, frame by frame: validation, authentication and the
// conference rules, as any client (not only our SDK) meets them.
import jwt from 'jsonwebtoken'
import { tokenFor } from '../../testkit/server'
import { useServer } from '../../testkit/server-suite'

const suite = useServer({ graceMs: 600, heartbeatMs: 1000, maxFrameBytes: 8192 })
const client = () => suite.raw()
let room = 0
const nextRoom = () => `room-${++room}`

async function joined(user: string, params: object, maxRole?: 1 | 3 | 7 | 9) {
  const c = await client()
  const r = await c.call('join', params, tokenFor(suite.server, user, maxRole))
  if (r.error) throw new Error(`${user} could not join: ${r.error.message}`)
  return { c, r: r.result }
}

describe('frames', () => {
  test('malformed JSON, bad envelopes, unknown methods and wrong types get clear errors', async () => {
    const c = await client()
    c.sendRaw('{not json')
    expect((await c.waitFor((f) => f.id === null)).error).toEqual({
      code: -400,
      message: 'frame is not JSON',
    })
    const noMethod = await c.call('', {})
    expect(noMethod.error?.code).toBe(-400)
    const unknown = await c.call('launchRockets', {}, tokenFor(suite.server, 'u1'))
    expect(unknown.error).toEqual({ code: -404, message: 'unknown method "launchRockets"' })
    const wrongType = await c.call('join', { roomName: 42 }, tokenFor(suite.server, 'u1'))
    expect(wrongType.error?.code).toBe(-400)
    expect(wrongType.error?.message).toContain('params.roomName')
    const badRole = await c.call('join', { roomName: 'x', role: 5 }, tokenFor(suite.server, 'u1'))
    expect(badRole.error?.message).toContain('params.role')
    // Nothing was created by any of that.
    expect(suite.server.service.stats().conferences).toBe(0)
  })

  test('binary frames are refused, oversize frames close the socket with 1009', async () => {
    const c = await client()
    c.sendRaw(Buffer.from([1, 2, 3]))
    expect((await c.waitFor((f) => f.id === null)).error?.code).toBe(-400)
    c.sendRaw(JSON.stringify({ id: 1, method: 'ping', params: { pad: 'x'.repeat(9000) } }))
    expect((await c.waitClose()).code).toBe(1009)
  })

  test('an unsupported protocol version is closed with 4000 and a reason', async () => {
    const c = await suite.raw({ query: 'v=99' })
    const closed = await c.waitClose()
    expect(closed).toEqual({ code: 4000, reason: 'protocol version 1 only' })
  })

  test('a flood gets -429 replies', async () => {
    const c = await client()
    for (let i = 0; i < 130; i++) c.sendRaw(JSON.stringify({ id: i + 1, method: 'ping' }))
    const limited = await c.waitFor((f) => f.error?.code === -429)
    expect(limited.error?.message).toMatch(/slow down/)
  })
})

describe('authentication', () => {
  test('requests need a token; forged, expired and other-app tokens get -100', async () => {
    const c = await client()
    expect((await c.call('join', { roomName: 'a' })).error?.code).toBe(-100)
    const forged = jwt.sign({ typ: 'user', app: 'default' }, 'not-the-secret', { subject: 'eve' })
    expect((await c.call('join', { roomName: 'a' }, forged)).error?.code).toBe(-100)
    const expired = jwt.sign({ typ: 'user', app: 'default' }, suite.server.config.secret, {
      subject: 'eve',
      expiresIn: -10,
    })
    const e = await c.call('join', { roomName: 'a' }, expired)
    expect(e.error).toMatchObject({ code: -100, message: expect.stringContaining('expired') })
    const otherApp = jwt.sign({ typ: 'user', app: 'other' }, suite.server.config.secret, {
      subject: 'eve',
    })
    expect((await c.call('join', { roomName: 'a' }, otherApp)).error?.message).toContain(
      'another app',
    )
    // A ticket is not a user token, even though both are signed by the server.
    const ticket = suite.server.tokens.mintTicket('CF_x', 'eve', 60)
    expect((await c.call('join', { roomName: 'a' }, ticket)).error?.code).toBe(-100)
  })

  test('a socket cannot change user', async () => {
    const c = await client()
    expect((await c.call('auth', { token: tokenFor(suite.server, 'ann') })).result.userId).toBe(
      'ann',
    )
    const r = await c.call('join', { roomName: 'b' }, tokenFor(suite.server, 'bob'))
    expect(r.error).toEqual({ code: -100, message: 'this socket belongs to another user' })
  })
})

describe('joining', () => {
  test('joinRoom creates once; the creator is admin; password and limits apply', async () => {
    const name = nextRoom()
    const { r: a } = await joined('ann', {
      roomName: name,
      password: 'pw',
      config: { maxTalkerCount: 2 },
    })
    expect(a.self).toMatchObject({ name: 'ann', role: 7 })
    expect(a.conference).toMatchObject({ name, password: 'pw', type: 10 })
    expect(a.conference.config.maxTalkerCount).toBe(2)
    const c = await client()
    const wrong = await c.call(
      'join',
      { roomName: name, password: 'nope' },
      tokenFor(suite.server, 'bob'),
    )
    expect(wrong.error?.code).toBe(-508)
    const { r: b } = await joined('bob', { roomName: name, password: 'pw', role: 7 })
    expect(b.conference.confrId).toBe(a.conference.confrId)
    expect(b.self.role).toBe(3) // asked for admin, token allows talker
    expect(b.members.map((m: { name: string }) => m.name)).toEqual(['ann'])
    const full = await (
      await client()
    ).call('join', { roomName: name, password: 'pw' }, tokenFor(suite.server, 'cy'))
    expect(full.error?.code).toBe(-523)
    const { r: aud } = await joined('cy', { roomName: name, password: 'pw', role: 1 })
    expect(aud.self.role).toBe(1)
  })

  test('audience limit -522, video limit -524', async () => {
    const name = nextRoom()
    const { c: a, r } = await joined('ann', {
      roomName: name,
      config: { maxAudienceCount: 1, maxVideoCount: 1 },
    })
    await joined('bob', { roomName: name, role: 1 })
    const c = await client()
    expect(
      (await c.call('join', { roomName: name, role: 1 }, tokenFor(suite.server, 'cy'))).error?.code,
    ).toBe(-522)
    const confrId = r.conference.confrId
    expect((await a.call('publish', { confrId, rtcId: 'cam' })).result.rtmp).toMatch(/^rtmp:\/\//)
    expect((await a.call('publish', { confrId, rtcId: 'cam2' })).error?.code).toBe(-524)
  })

  test('tickets: valid, forged -500, expired -502, for another conference -500, void after a kick', async () => {
    const { c: admin, r } = await joined('ann', { roomName: nextRoom(), password: 'pw' })
    const confrId = r.conference.confrId
    const bob = await client()
    const t = await bob.call(
      'getConferenceTkt',
      { confrId, password: 'pw' },
      tokenFor(suite.server, 'bob'),
    )
    const ticket = t.result.ticket
    const forged = ticket.slice(0, -4) + (ticket.endsWith('AAAA') ? 'BBBB' : 'AAAA')
    expect((await bob.call('join', { confrId, ticket: forged })).error?.code).toBe(-500)
    const expired = suite.server.tokens.mintTicket(confrId, 'bob', -5)
    expect((await bob.call('join', { confrId, ticket: expired })).error?.code).toBe(-502)
    const other = suite.server.tokens.mintTicket('CF_other', 'bob', 60)
    expect((await bob.call('join', { confrId, ticket: other })).error?.code).toBe(-500)
    const stolen = await (
      await client()
    ).call('join', { confrId, ticket }, tokenFor(suite.server, 'eve'))
    expect(stolen.error?.message).toContain('another user')
    expect((await bob.call('join', { confrId, ticket })).result.self.name).toBe('bob')
    await admin.call('kick', { confrId, memberNames: ['bob'] })
    await bob.event('conferenceExit')
    const replay = await (
      await client()
    ).call('join', { confrId, ticket }, tokenFor(suite.server, 'bob'))
    // Kicked: out until the conference ends (kickBanSec 0), whatever the way in.
    expect(replay.error).toEqual({
      code: -101,
      message: 'you were removed from this conference: until the conference ends',
    })
  })
})

describe('admin rights', () => {
  test('kick, grantRole and destroy are admin-only; destroy ends it for everyone with 11', async () => {
    const { c: ann, r } = await joined('ann', { roomName: nextRoom() })
    const confrId = r.conference.confrId
    const { c: bob } = await joined('bob', { roomName: r.conference.name })
    const { c: cy } = await joined('cy', { roomName: r.conference.name })
    expect((await bob.call('kick', { confrId, memberNames: ['cy'] })).error?.code).toBe(-101)
    expect(
      (await bob.call('grantRole', { confrId, memberNames: ['bob'], role: 7 })).error?.code,
    ).toBe(-101)
    expect((await bob.call('destroy', { confrId })).error?.code).toBe(-101)
    const g = await ann.call('grantRole', { confrId, memberNames: ['cy'], role: 1 })
    expect(g.result.granted).toHaveLength(1)
    expect((await cy.event('memberUpdated')).data).toMatchObject({
      member: { name: 'cy', role: 1 },
    })
    expect((await cy.call('publish', { confrId, rtcId: 'cam' })).error?.code).toBe(-101)
    await ann.call('destroy', { confrId })
    for (const c of [bob, cy]) {
      expect((await c.event('conferenceExit')).data).toMatchObject({ confrId, reason: 11 })
    }
    expect(suite.server.service.conferences.has(confrId)).toBe(false)
  })
})

describe('presence', () => {
  test('a dropped socket keeps its place for the grace window and can resume', async () => {
    const { c: ann, r } = await joined('ann', { roomName: nextRoom() })
    const { c: bob, r: b } = await joined('bob', { roomName: r.conference.name })
    const confrId = r.conference.confrId
    bob.close()
    const again = await client()
    const resumed = await again.call(
      'resume',
      { confrId, memberId: b.self.id, resumeToken: b.resumeToken },
      tokenFor(suite.server, 'bob'),
    )
    expect(resumed.result.self.id).toBe(b.self.id)
    await new Promise((res) => setTimeout(res, 900))
    expect(ann.frames.some((f) => f.event === 'memberExited')).toBe(false)
    // Past the grace window the member is removed and the others are told.
    again.close()
    const exited = await ann.event('memberExited', () => true, 3000)
    expect(exited.data).toMatchObject({ cause: 'timeout', member: { name: 'bob' } })
    const late = await (
      await client()
    ).call(
      'resume',
      { confrId, memberId: b.self.id, resumeToken: b.resumeToken },
      tokenFor(suite.server, 'bob'),
    )
    expect(late.error?.code).toBe(-504)
  })

  test('a wrong resume token or another user cannot take a membership', async () => {
    const { r } = await joined('ann', { roomName: nextRoom() })
    const c = await client()
    const p = { confrId: r.conference.confrId, memberId: r.self.id }
    expect(
      (await c.call('resume', { ...p, resumeToken: 'x' }, tokenFor(suite.server, 'ann'))).error
        ?.code,
    ).toBe(-504)
    const eve = await client()
    expect(
      (
        await eve.call(
          'resume',
          { ...p, resumeToken: r.resumeToken },
          tokenFor(suite.server, 'eve'),
        )
      ).error?.code,
    ).toBe(-504)
  })

  test('a silent socket is closed after three heartbeats', async () => {
    const c = await client()
    await c.call('auth', { token: tokenFor(suite.server, 'quiet') })
    expect((await c.waitClose(5000)).code).toBe(4001)
  })

  test('joining again from another socket replaces the old membership (reason 10)', async () => {
    const name = nextRoom()
    const { c: ann } = await joined('ann', { roomName: name })
    const { c: first } = await joined('bob', { roomName: name })
    await joined('bob', { roomName: name })
    expect((await first.event('conferenceExit')).data).toMatchObject({ reason: 10 })
    expect((await ann.event('memberExited')).data.cause).toBe('replaced')
  })
})

describe('attributes', () => {
  test('set and delete reach everyone; late joiners get them in the snapshot', async () => {
    const name = nextRoom()
    const { c: ann, r } = await joined('ann', { roomName: name })
    const { c: bob } = await joined('bob', { roomName: name })
    const confrId = r.conference.confrId
    await ann.call('setAttrs', { confrId, key: 'topic', val: 'budget' })
    expect((await bob.event('attrsUpdated')).data.attrs).toEqual({ topic: 'budget' })
    const { r: late } = await joined('cy', { roomName: name })
    expect(late.attrs).toEqual({ topic: 'budget' })
    await bob.call('deleteAttrs', { confrId, key: 'topic' })
    expect((await ann.event('attrsUpdated', (d) => !d.attrs.topic)).data.attrs).toEqual({})
  })
})
