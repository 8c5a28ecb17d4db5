// Losing the socket while in a conference: resume on a new socket with the same membership, the
// callbacks for what changed meanwhile, onReconnected with fresh push URLs; refusals and
// exhausted retries end in onConferenceExit(4, -9527); half-open sockets are caught by the
// heartbeat; the Node adapter's setNetwork plays a phone losing its network.
import type { ResumeResult } from 'miniprogram-conference-protocol'
import { CONFR, FakeServer, joinResult, member, SILENT, stream } from './fake-server'
import { testClient } from './test-client'
import { sleep, until } from '../../testkit/wait'

let fake: FakeServer
let c: ReturnType<typeof testClient>
const exits: unknown[][] = []

async function joined(config: Parameters<typeof testClient>[1] = {}) {
  c = testClient(fake, config)
  c.mgr.onConferenceExit = (reason, failed) => exits.push([reason, failed])
  await c.mgr.joinConference(CONFR, '')
}

const state = () => c.mgr.getConnectionState()

beforeEach(async () => {
  exits.length = 0
  fake = await FakeServer.start()
})
afterEach(async () => {
  await c?.mgr.disconnect()
  await fake.stop()
})

test('socket dropped → resume with the same ids and the token → callbacks for what changed → onReconnected', async () => {
  const bob = member('BOB')
  const eve = member('EVE')
  const carol = member('CAROL')
  fake.handle('join', () => ({
    ...joinResult(),
    members: [member('ME'), bob, eve],
    streams: [stream('S-BOB', bob), stream('S-EVE', eve)],
  }))
  await joined()
  await c.mgr.pubStream('rtc-1')
  const resume: ResumeResult = {
    ...joinResult(),
    self: member('ME', 7),
    conference: { ...joinResult().conference, roleToken: 'role-token-7' },
    members: [member('ME', 7), bob, carol],
    streams: [stream('S-BOB', bob, { voff: 1 }), stream('S-CAROL', carol)],
    attrs: { topic: 'changed' },
    published: [
      { stream: stream('S-ME-1', member('ME')), rtmp: 'rtmp://media/live/S-ME-1?token=fresh' },
    ],
  }
  fake.handle('resume', (req) => {
    // Answer late, so a request made meanwhile has to wait for the resume.
    setTimeout(() => req.socket.send(JSON.stringify({ id: req.id, result: resume })), 150)
    return SILENT
  })
  const reconnected: unknown[] = []
  c.mgr.onReconnecting = () => reconnected.push('reconnecting')
  c.mgr.onReconnected = (info) => reconnected.push(info)
  fake.handle('getConferenceTkt', () => ({ ticket: 'after' }))
  c.log.length = 0

  fake.dropAll()
  await until(() => state() === 'reconnecting', 3000, 'reconnecting')
  const during = c.mgr.getConferenceTkt(CONFR) // waits for the resumed socket
  await until(() => state() === 'joined', 3000, 'resumed')

  const req = fake.requests('resume')[0]
  expect(req).toMatchObject({
    nth: 0,
    token: 'T1',
    params: { confrId: CONFR, memberId: 'ME', resumeToken: 'resume-1' },
  })
  expect(c.trail()).toEqual([
    'reconnecting',
    'streamRemoved:S-EVE',
    'memberExited:EVE',
    'roleChanged',
    'memberJoined:CAROL',
    'mediaChanged:S-BOB',
    'streamAdded:S-CAROL',
    'confrAttrsUpdated',
    'reconnected',
  ])
  expect(reconnected).toEqual([
    'reconnecting',
    {
      published: [
        {
          stream: expect.objectContaining({ id: 'S-ME-1' }),
          rtmp: expect.stringContaining('fresh'),
        },
      ],
    },
  ])
  expect(c.mgr.getPublished()[0].rtmp).toContain('fresh')
  await expect(during).resolves.toBe('after')
  expect(fake.requests('getConferenceTkt')[0].nth).toBe(1)
  expect(fake.requests('join')).toHaveLength(1)
  expect(fake.requests('exit')).toHaveLength(0)
  expect(exits).toEqual([])
})

test('resume refused with -504 (grace window over) → onConferenceExit(4, -9527); waiting requests fail', async () => {
  fake.handle('resume', () => {
    throw { code: -504, message: 'membership expired' }
  })
  await joined()
  fake.dropAll()
  await until(() => state() === 'reconnecting', 3000, 'reconnecting')
  const waiting = c.mgr.getConferenceTkt(CONFR)
  await until(() => exits.length > 0, 3000, 'exit')
  expect(exits).toEqual([[4, -9527]])
  expect(state()).toBe('exited')
  expect(c.mgr.getConference()).toBeNull()
  await expect(waiting).rejects.toMatchObject({ code: -9527 })
  await sleep(200)
  expect(fake.requests('resume')).toHaveLength(1)
})

test('a server that stops answering (half-open) is noticed by the heartbeat and left for a new socket', async () => {
  await joined({ heartbeatMs: 100 })
  await until(() => fake.requests('ping').length >= 2, 3000, 'pings')
  const mutedAt = Date.now()
  const pingsBefore = fake.requests('ping').length
  fake.mute(true)
  await until(() => state() === 'reconnecting', 5000, 'heartbeat timeout')
  const noticedMs = Date.now() - mutedAt
  // Counted in heartbeats, not in wall-clock time (a busy machine delays every timer alike): the
  // first ping left unanswered for one interval gives the socket up, so at most two went out.
  const unanswered = fake.requests('ping').length - pingsBefore
  process.stdout.write(`[sdk] half-open noticed after ${noticedMs} ms, ${unanswered} pings\n`)
  fake.mute(false)
  await until(() => state() === 'joined', 3000, 'resumed')
  expect(unanswered).toBeGreaterThanOrEqual(1)
  expect(unanswered).toBeLessThanOrEqual(2)
  expect(fake.requests('resume')).toHaveLength(1)
  expect(c.trail().filter((n) => n.startsWith('reconnect'))).toEqual([
    'reconnecting',
    'reconnected',
  ])
})

test('setNetwork(false) drops the socket at once; setNetwork(true) resumes without waiting out the backoff', async () => {
  await joined({ reconnect: { firstDelayMs: 60, delayMs: 5000, retries: 10 } })
  expect(fake.sockets.size).toBe(1)
  c.adapter.setNetwork(false)
  expect(state()).toBe('reconnecting')
  await until(() => fake.sockets.size === 0, 3000, 'server saw the socket go')
  // Attempts at 60, 180, 420, 900 and 1860 ms fail (no network); the next would come at 3780 ms,
  // so "resumed within 1 s of the network's return" can only be the network event's doing, with
  // room for a busy machine.
  await sleep(2000)
  expect(fake.requests('resume')).toHaveLength(0)
  const backAt = Date.now()
  c.adapter.setNetwork(true)
  await until(() => state() === 'joined', 3000, 'resumed')
  process.stdout.write(`[sdk] resumed ${Date.now() - backAt} ms after the network came back\n`)
  expect(Date.now() - backAt).toBeLessThan(1000)
  expect(fake.requests('resume')).toHaveLength(1)
  expect(exits).toEqual([])
})

test('retries exhausted → onConferenceExit(4, -9527)', async () => {
  await joined({ reconnect: { firstDelayMs: 10, delayMs: 20, retries: 3 } })
  c.adapter.setNetwork(false)
  await until(() => exits.length > 0, 3000, 'exit')
  expect(exits).toEqual([[4, -9527]])
  expect(state()).toBe('exited')
  c.adapter.setNetwork(true)
})

test('exitConference while reconnecting ends at once with (0, 0) and sends nothing', async () => {
  await joined({ reconnect: { firstDelayMs: 5000, delayMs: 5000, retries: 3 } })
  c.adapter.setNetwork(false)
  await c.mgr.exitConference()
  expect(exits).toEqual([[0, 0]])
  expect(state()).toBe('exited')
  c.adapter.setNetwork(true)
  await sleep(50)
  expect(fake.requests('resume')).toHaveLength(0)
  expect(fake.requests('exit')).toHaveLength(0)
})
