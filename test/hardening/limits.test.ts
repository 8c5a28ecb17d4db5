// Caps that keep one address or one account from taking the server: open sockets and requests per
// address, live conferences per user, the size of conference attributes. (Message rate per socket and frame size: test/server/signalling.)
import { socketsOf } from '../../server/security/sockets'
import { tokenFor } from '../../testkit/server'
import { useServer } from '../../testkit/server-suite'
import { sleep } from '../../testkit/wait'

const suite = useServer({
  maxSocketsPerAddress: 3,
  maxConferencesPerUser: 2,
  msgRatePerAddress: 20,
  msgBurstPerAddress: 20,
})
const raw = (address: string) => suite.raw({ address })

test('sockets per address: the one over the cap gets -429 and close 4029; others and other addresses are fine', async () => {
  const held = [await raw('127.0.0.5'), await raw('127.0.0.5'), await raw('127.0.0.5')]
  const extra = await raw('127.0.0.5')
  expect((await extra.waitFor((f) => f.id === null)).error).toEqual({
    code: -429,
    message: 'too many connections from your address (limit 3)',
  })
  expect(await extra.waitClose()).toEqual({
    code: 4029,
    reason: 'too many connections from your address (limit 3)',
  })
  // The three admitted sockets still work; another address is counted apart.
  for (const c of held) expect((await c.call('ping')).result.t).toEqual(expect.any(Number))
  const other = await raw('127.0.0.6')
  expect((await other.call('ping')).result).toBeDefined()
  const sockets = socketsOf(suite.server.service)!
  expect(sockets.from('127.0.0.5')).toBe(3)
  // A closed socket frees its place.
  held[0].close()
  await sleep(100)
  expect(sockets.from('127.0.0.5')).toBe(2)
  expect((await (await raw('127.0.0.5')).call('ping')).result).toBeDefined()
})

test('the SDK hitting the socket cap fails its join with the reason', async () => {
  for (let i = 0; i < 3; i++) await raw('127.0.0.1')
  const c = await suite.client('late', { config: { logLevel: 'silent' } })
  await expect(c.emedia.mgr.joinRoom({ roomName: 'cap' })).rejects.toMatchObject({
    code: -429,
    message: expect.stringContaining('too many connections from your address (limit 3)'),
  })
})

test('live conferences per user: the third gets -510 by either door, and ending one frees a place', async () => {
  const ann = await raw('127.0.0.7')
  const token = tokenFor(suite.server, 'ann')
  const a = await ann.call('join', { roomName: 'q-a' }, token)
  await ann.call('createConference', { type: 10 })
  const third = await ann.call('createConference', { type: 10 })
  expect(third.error).toEqual({
    code: -510,
    message: "you already have 2 live conferences, this server's limit: end one first",
  })
  expect((await ann.call('join', { roomName: 'q-c' })).error?.code).toBe(-510)
  // Joining someone else's conference is not creating one.
  const bob = await raw('127.0.0.7')
  await bob.call('join', { roomName: 'bobs' }, tokenFor(suite.server, 'bob'))
  expect((await ann.call('join', { roomName: 'bobs' })).result.self.name).toBe('ann')
  await ann.call('destroy', { confrId: a.result.conference.confrId })
  expect((await ann.call('join', { roomName: 'q-c' })).result.self.role).toBe(7)
})

test('requests per address: sockets of one address share one budget', async () => {
  const socks = [await raw('127.0.0.9'), await raw('127.0.0.9'), await raw('127.0.0.9')]
  // 30 requests at once: each socket is within its own limit, the address (burst 20) is not.
  // Refusals carry id null: the server does not read a frame it will not serve.
  for (const c of socks)
    for (let i = 1; i <= 10; i++) c.sendRaw(JSON.stringify({ id: i, method: 'ping' }))
  await sleep(200)
  const frames = socks.flatMap((c) => c.frames)
  const refused = frames.filter((f) => f.error)
  expect(frames).toHaveLength(30)
  expect(frames.filter((f) => f.result).length).toBeLessThanOrEqual(21)
  expect(refused.length).toBeGreaterThanOrEqual(9)
  expect(refused[0]).toEqual({
    id: null,
    error: { code: -429, message: 'too many requests from your address; slow down' },
  })
  expect((await (await raw('127.0.0.10')).call('ping')).result).toBeDefined()
  // The budget refills at the rate (20/s).
  await sleep(100)
  expect((await socks[0].call('ping')).result).toBeDefined()
})

test('conference attributes: at most 16 KiB in all, since every change goes to every member', async () => {
  const c = await raw('127.0.0.11')
  const r = await c.call('join', { roomName: 'attrs' }, tokenFor(suite.server, 'cyd'))
  const confrId = r.result.conference.confrId
  const val = 'v'.repeat(4000)
  for (const key of ['a', 'b', 'c', 'd'])
    expect((await c.call('setAttrs', { confrId, key, val })).result).toBeDefined()
  const over = await c.call('setAttrs', { confrId, key: 'e', val })
  expect(over.error).toEqual({
    code: -510,
    message: 'attributes would total 20005 characters, over the limit 16384',
  })
  // Replacing a value counts the new one only.
  expect((await c.call('setAttrs', { confrId, key: 'a', val: 'short' })).result.attrs.a).toBe(
    'short',
  )
  expect((await c.call('setAttrs', { confrId, key: 'e', val })).result.attrs.e).toBe(val)
})
