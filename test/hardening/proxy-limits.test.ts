// Per-address limits that mean what they say behind the documented proxy (--trust-proxy) and a
// carrier NAT: a client is its forwarded address, sockets that never authenticate do not hold a
// place, the server has a ceiling of its own, one user's wrong passwords do not lock out the
// others, and an admin cannot demote the conference's creator.
import { ErrorCode } from 'miniprogram-conference-protocol'
import type { ConferenceServer } from 'miniprogram-conference-server'
import { socketsOf } from '../../server/security/sockets'
import { RawClient } from '../../testkit/raw-client'
import { startServer, tokenFor } from '../../testkit/server'
import { sleep, until } from '../../testkit/wait'

let server: ConferenceServer
const raws: RawClient[] = []

beforeAll(async () => {
  server = await startServer({
    trustProxy: '127.0.0.1,127.0.1.0/24',
    maxSocketsPerAddress: 2,
    authTimeoutMs: 400,
    passwordFailures: 3,
    passwordFailuresPerAddress: 6,
    passwordLockoutSec: 60,
  })
})
afterEach(() => raws.splice(0).forEach((c) => c.close()))
afterAll(() => server.stop())

async function raw(address: string, headers?: Record<string, string>) {
  const c = await RawClient.connect(server.wsUrl, { localAddress: address, headers })
  raws.push(c)
  return c
}
const viaProxy = (client: string) => raw('127.0.0.1', { 'X-Forwarded-For': client })
const refused = (c: RawClient) => c.waitClose(2000).then((x) => x.code)

describe('behind a trusted proxy', () => {
  test('each forwarded client has its own socket budget; the proxy itself has none', async () => {
    // Six sockets through the proxy, three clients: each client at its limit (2), none over.
    for (const client of ['203.0.113.1', '203.0.113.2', '203.0.113.3'])
      for (let i = 0; i < 2; i++)
        expect((await (await viaProxy(client)).call('ping')).result).toBeDefined()
    const third = await viaProxy('203.0.113.1')
    expect(await refused(third)).toBe(4029)
    // The rightmost untrusted hop is the client: what it wrote to the left of it is not believed.
    const forged = await raw('127.0.0.1', { 'X-Forwarded-For': '198.51.100.9, 203.0.113.2' })
    expect(await refused(forged)).toBe(4029)
    // A chain of our own proxies (127.0.1.0/24) is skipped.
    const chained = await raw('127.0.0.1', { 'X-Forwarded-For': '203.0.113.4, 127.0.1.7' })
    expect((await chained.call('ping')).result).toBeDefined()
    // X-Real-IP when there is no X-Forwarded-For.
    await raw('127.0.0.1', { 'X-Real-IP': '203.0.113.5' })
    await raw('127.0.0.1', { 'X-Real-IP': '203.0.113.5' })
    expect(await refused(await raw('127.0.0.1', { 'X-Real-IP': '203.0.113.5' }))).toBe(4029)
  })

  test('an untrusted peer cannot pick its address with a header', async () => {
    await raw('127.0.0.22', { 'X-Forwarded-For': '203.0.113.10' })
    await raw('127.0.0.22', { 'X-Forwarded-For': '203.0.113.11' })
    const third = await raw('127.0.0.22', { 'X-Real-IP': '203.0.113.12' })
    expect(await refused(third)).toBe(4029)
  })
})

test('a socket that never authenticates is closed at the deadline; one that did stays', async () => {
  const idle = await raw('127.0.0.23')
  const authed = await raw('127.0.0.23')
  expect((await authed.call('auth', { token: tokenFor(server, 'ada') })).result.userId).toBe('ada')
  // Pings keep the heartbeat happy but are no identity.
  const pinging = setInterval(() => idle.sendRaw(JSON.stringify({ id: 1, method: 'ping' })), 100)
  try {
    expect(await idle.waitClose(2000)).toEqual({
      code: 4001,
      reason: 'authenticate first: no valid token in time',
    })
  } finally {
    clearInterval(pinging)
  }
  expect((await authed.call('ping')).result).toBeDefined()
  // A bad token is no authentication either.
  const liar = await raw('127.0.0.23')
  expect((await liar.call('auth', { token: 'x.y.z' })).error?.code).toBe(-100)
  expect((await liar.waitClose(2000)).code).toBe(4001)
})

test('a wrong password to a room without one is no failure, and passes', async () => {
  const mal = await viaProxy('203.0.113.20')
  const token = tokenFor(server, 'mal')
  const open = (await mal.call('join', { roomName: 'open-1' }, token)).result.conference.confrId
  const guesser = await viaProxy('203.0.113.20')
  const gtoken = tokenFor(server, 'gus')
  for (let i = 0; i < 10; i++) {
    const r = await guesser.call('getConferenceTkt', { confrId: open, password: `x${i}` }, gtoken)
    expect(r.result?.ticket).toEqual(expect.any(String))
  }
})

test("one user's wrong passwords lock out that user, not the others of its address", async () => {
  // Mallory, behind the same proxy (or carrier NAT) as Bob, guesses at rooms she made herself
  // until her address is past its limit (6).
  const mal = await viaProxy('203.0.113.30')
  const token = tokenFor(server, 'mallory')
  const rooms: string[] = []
  for (const name of ['m-1', 'm-2']) {
    const r = await mal.call('join', { roomName: name, password: 'pw' }, token)
    rooms.push(r.result.conference.confrId)
  }
  const codes: number[] = []
  for (const confrId of rooms)
    for (let i = 0; i < 3; i++)
      codes.push((await mal.call('getConferenceTkt', { confrId, password: 'no' })).error!.code)
  expect(codes).toEqual([-508, -508, -508, -508, -508, -508])
  expect(
    (await mal.call('getConferenceTkt', { confrId: rooms[0], password: 'pw' })).error?.code,
  ).toBe(-429)

  mal.close()
  await sleep(100)
  // Bob, same address: the right password passes, a room without one is no question.
  const bob = await viaProxy('203.0.113.30')
  const btoken = tokenFor(server, 'bob')
  const ok = await bob.call('join', { confrId: rooms[1], password: 'pw' }, btoken)
  expect(ok.result.self.name).toBe('bob')
  expect((await bob.call('join', { roomName: 'b-open' })).result.self.name).toBe('bob')
  // A fresh account from that address gets one try: a wrong one locks it (-429), not -508.
  const eve = await viaProxy('203.0.113.30')
  const etoken = tokenFor(server, 'eve')
  expect(
    (await eve.call('getConferenceTkt', { confrId: rooms[0], password: 'g' }, etoken)).error?.code,
  ).toBe(-429)
  expect(
    (await eve.call('getConferenceTkt', { confrId: rooms[0], password: 'pw' })).error?.code,
  ).toBe(-429)
  // Another address is another budget.
  const far = await viaProxy('203.0.113.31')
  const t = await far.call(
    'getConferenceTkt',
    { confrId: rooms[0], password: 'pw' },
    tokenFor(server, 'fay'),
  )
  expect(t.result.ticket).toEqual(expect.any(String))
})

test('an admin cannot demote the creator; it can still promote, and step down itself', async () => {
  const ann = await raw('127.0.0.24')
  const bob = await raw('127.0.0.24')
  const a = await ann.call('join', { roomName: 'crown' }, tokenFor(server, 'ann', 7))
  const confrId = a.result.conference.confrId
  const b = await bob.call('join', { roomName: 'crown', role: 3 }, tokenFor(server, 'bob', 7))
  await ann.call('grantRole', { confrId, memberNames: [b.result.self.id], role: 7 })
  const demote = await bob.call('grantRole', { confrId, memberNames: [a.result.self.id], role: 1 })
  expect(demote.error).toEqual({
    code: ErrorCode.ROLE_NOT_ALLOWED,
    message: `${a.result.self.id}: the conference's creator`,
  })
  const hide = await bob.call('grantRole', { confrId, memberNames: ['ann'], role: 9 })
  expect(hide.error?.code).toBe(ErrorCode.ROLE_NOT_ALLOWED)
  const info = server.service.conferences.get(confrId)!
  expect(info.members.get(a.result.self.id)!.role).toBe(7)
  // Kick spares the creator by the same rule.
  expect((await bob.call('kick', { confrId, memberNames: ['ann'] })).result).toEqual({ kicked: [] })
  // Stepping down is one's own choice.
  const down = await bob.call('grantRole', { confrId, memberNames: [b.result.self.id], role: 3 })
  expect(down.result).toEqual({ granted: [b.result.self.id] })
})

test('the whole server holds at most --max-sockets, from any addresses', async () => {
  const sockets = socketsOf(server.service)!
  await until(() => sockets.size === 0, 2000, 'earlier sockets closed')
  // Limits are read live: room for two more sockets than are open now.
  server.config.maxSockets = sockets.size + 2
  try {
    const held = [await raw('127.0.0.40'), await raw('127.0.0.41')]
    for (const c of held) await c.call('auth', { token: tokenFor(server, 'held') })
    const extra = await raw('127.0.0.42')
    expect((await extra.waitFor((f) => f.id === null)).error).toEqual({
      code: -429,
      message: `this server is full (limit ${server.config.maxSockets} connections); try again later`,
    })
    expect((await extra.waitClose()).code).toBe(4029)
    held[0].close()
    await sleep(100)
    expect((await (await raw('127.0.0.43')).call('ping')).result).toBeDefined()
  } finally {
    server.config.maxSockets = 0
  }
})
