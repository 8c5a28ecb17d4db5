// The SDK's request layer against a scripted server: replies matched by id, timeouts, the token
// on the first request of a socket, error shapes, the development token over HTTP, config.
import { createEmedia, createNodeAdapter, ErrorCode } from 'miniprogram-conference-server/client'
import { withVersion } from '../../sdk/rpc'
import { FakeServer, SILENT } from './fake-server'
import { testClient } from './test-client'
import { sleep } from '../../testkit/wait'

let fake: FakeServer
const clients: Array<ReturnType<typeof testClient>> = []
const client = (...args: Parameters<typeof testClient> extends [any, ...infer R] ? R : never) => {
  const c = testClient(fake, ...args)
  clients.push(c)
  return c
}

beforeEach(async () => {
  fake = await FakeServer.start()
})
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.mgr.disconnect()))
  await fake.stop()
})

test('replies are matched by id even when they arrive out of order', async () => {
  const held: Array<() => void> = []
  fake.handle('getConferenceTkt', (req) => {
    // Answer the first request only after the second one.
    const send = () =>
      req.socket.send(JSON.stringify({ id: req.id, result: { ticket: `t-${req.params.confrId}` } }))
    held.push(send)
    if (held.length === 2) held.reverse().forEach((f) => f())
    return SILENT
  })
  const { mgr } = client()
  const [a, b] = await Promise.all([mgr.getConferenceTkt('A', 'pw'), mgr.getConferenceTkt('B')])
  expect([a, b]).toEqual(['t-A', 't-B'])
  expect(fake.requests('getConferenceTkt').map((r) => r.params)).toEqual([
    { confrId: 'A', password: 'pw' },
    { confrId: 'B', password: '' },
  ])
})

test('a request with no reply rejects with -408 after requestTimeout', async () => {
  fake.handle('getConferenceInfo', () => SILENT)
  const { mgr } = client({ requestTimeout: 200 })
  const started = Date.now()
  await expect(mgr.getConferenceInfo('C1')).rejects.toEqual({
    code: ErrorCode.TIMEOUT,
    message: expect.stringContaining('getConferenceInfo'),
  })
  expect(Date.now() - started).toBeGreaterThanOrEqual(190)
  // Generous: a timer on a busy shared machine fires late, never early.
  expect(Date.now() - started).toBeLessThan(3000)
})

test('the first request on a socket carries the token, later ones do not; URL has v=1 and rev=6', async () => {
  fake.handle('getConferenceTkt', () => ({ ticket: 't' }))
  const { mgr } = client({ token: 'USER-TOKEN' })
  await mgr.getConferenceTkt('C1')
  await mgr.getConferenceTkt('C1')
  const [first, second] = fake.requests('getConferenceTkt')
  expect(first).toMatchObject({ nth: 0, token: 'USER-TOKEN' })
  expect(second.nth).toBe(1)
  expect(second.token).toBeUndefined()
  expect(fake.urls).toEqual(['/ws?v=1&rev=6'])
  expect(withVersion('ws://h/ws?v=2')).toBe('ws://h/ws?v=2&rev=6')
  expect(withVersion('ws://h/ws?rev=2&v=1')).toBe('ws://h/ws?rev=2&v=1')
})

test('server errors reject with {code, message}; bad input is refused before sending', async () => {
  fake.handle('getConferenceTkt', () => {
    throw { code: -508, message: 'wrong password' }
  })
  const { mgr } = client()
  await expect(mgr.getConferenceTkt('C1', 'nope')).rejects.toEqual({
    code: -508,
    message: 'wrong password',
  })
  await expect(mgr.kickMembersById('C1', 'bob' as any)).rejects.toMatchObject({ code: -400 })
  await expect(mgr.grantRole('C1', ['bob'], 5 as any)).rejects.toMatchObject({
    code: -400,
    message: expect.stringContaining('role'),
  })
  await expect(mgr.pubStream('r1')).rejects.toMatchObject({ code: -400 })
  expect(fake.requests('kick')).toHaveLength(0)
})

test('getToken is called on each connect and wins over token', async () => {
  let calls = 0
  fake.handle('getConferenceTkt', () => ({ ticket: 't' }))
  const { mgr } = client({ token: 'STATIC', getToken: async () => `FRESH-${++calls}` })
  await mgr.getConferenceTkt('C1')
  fake.dropAll()
  await sleep(50)
  await mgr.getConferenceTkt('C1')
  expect(fake.requests('getConferenceTkt').map((r) => r.token)).toEqual(['FRESH-1', 'FRESH-2'])
})

test('with only userId, a development token is fetched over HTTP once and used', async () => {
  fake.handle('getConferenceTkt', () => ({ ticket: 't' }))
  const { mgr } = client({ token: '', userId: 'alice' })
  await mgr.getConferenceTkt('C1')
  fake.dropAll()
  await sleep(50)
  await mgr.getConferenceTkt('C1')
  expect(fake.devTokenRequests).toEqual(['alice'])
  expect(fake.requests('getConferenceTkt').map((r) => r.token)).toEqual(['dev-alice', 'dev-alice'])
})

test('no server reachable: -9527 at once; no token at all: -100', async () => {
  const { mgr } = client({ host: 'ws://127.0.0.1:1/ws' })
  await expect(mgr.getConferenceTkt('C1')).rejects.toMatchObject({ code: ErrorCode.NETWORK })
  const { mgr: noToken } = client({ token: '' })
  await expect(noToken.getConferenceTkt('C1')).rejects.toMatchObject({ code: ErrorCode.TOKEN })
  expect(fake.received).toHaveLength(0)
})

test('config merges and validates; util.getRtcId gives fresh ids; constants are on emedia and mgr', () => {
  const emedia = createEmedia({ adapter: createNodeAdapter() })
  const cfg = emedia.config({ host: 'ws://a:1/ws', reconnect: { retries: 3 } })
  expect(cfg).toMatchObject({
    host: 'ws://a:1/ws',
    requestTimeout: 20000,
    reconnect: { retries: 3, delayMs: 1500, firstDelayMs: 250 },
    logLevel: 'warn',
  })
  expect(emedia.config({ requestTimeout: 500 })).toMatchObject({
    host: 'ws://a:1/ws',
    requestTimeout: 500,
  })
  expect(() => emedia.config({ host: 'http://a' })).toThrow(expect.objectContaining({ code: -400 }))
  expect(() => emedia.config({ requestTimeout: -1 })).toThrow(
    expect.objectContaining({ code: -400 }),
  )
  const ids = [emedia.util.getRtcId(), emedia.util.getRtcId()]
  expect(ids[0]).toMatch(/^wx-\d+-[a-z0-9]+$/)
  expect(ids[0]).not.toBe(ids[1])
  expect(emedia.mgr.Role).toEqual({ ADMIN: 7, TALKER: 3, AUDIENCE: 1, HIDING: 9 })
  expect(emedia.Role).toBe(emedia.mgr.Role)
  expect(emedia.mgr.ConfrType).toMatchObject({ COMMUNICATION: 10, COMMUNICATION_MIX: 11, LIVE: 12 })
  expect(emedia.mgr.getConnectionState()).toBe('idle')
})
