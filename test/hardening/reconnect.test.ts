// Network faults between a phone (Node SDK client) and the server, through a fault proxy on the
// signalling path. Media goes straight to the engine (ffmpeg plays live-pusher): when the phone
// loses its network the pusher dies with it and is restarted with the URL from onReconnected.
// Production timings (heartbeat 10 s, grace 30 s) unless a test says otherwise.
import type { ConferenceServer } from 'miniprogram-conference-server'
import { type Pusher, pushTestPattern, stopAllMedia } from '../../testkit/ffmpeg'
import { FaultProxy } from './fault-proxy'
import { nodeClient, type NodeClient } from '../../testkit/sdk-client'
import { startServer } from '../../testkit/server'
import { sleep, until } from '../../testkit/wait'

const servers: ConferenceServer[] = []
const proxies: FaultProxy[] = []
const clients: NodeClient[] = []

async function client(server: ConferenceServer, user: string, proxy?: FaultProxy) {
  const host = proxy ? proxy.via(server.wsUrl) : server.wsUrl
  const c = await nodeClient(server, user, { config: { host, logLevel: 'silent' } })
  clients.push(c)
  return c
}

/** Everything started so far; one embedded media engine may run per process at a time. */
async function stopAll() {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)))
  await stopAllMedia()
  await Promise.all(proxies.splice(0).map((p) => p.stop()))
  await Promise.all(servers.splice(0).map((s) => s.stop()))
}
afterAll(stopAll)

interface Loss {
  name: string
  /** drop: connections reset, new ones refused; stall: a blackholed, half-open path. */
  mode: 'drop' | 'stall'
  ms: number
  /** The phone is told (wx.onNetworkStatusChange): down at the loss, up when it ends. */
  networkEvents: boolean
}

interface LossFigures {
  name: string
  /** Network back → the others' onStreamAdded for the re-pushed stream; null: never withdrawn. */
  republishMs: number | null
  /** Network back → the SDK resumed (onReconnected); null: the socket survived. */
  resumeMs: number | null
}

/** ann (through the proxy) publishes real media; bob (direct) watches; the path fails. */
async function lossScenario(server: ConferenceServer, loss: Loss): Promise<LossFigures> {
  const proxy = await FaultProxy.forUrl(server.wsUrl)
  proxies.push(proxy)
  const ann = await client(server, `ann-${loss.name}`, proxy)
  const bob = await client(server, `bob-${loss.name}`)
  const roomName = `loss-${loss.name}`
  await ann.emedia.mgr.joinRoom({ roomName })
  await bob.emedia.mgr.joinRoom({ roomName })
  const selfId = ann.emedia.mgr.getSelf()!.id
  const pub = await ann.emedia.mgr.pubStream('cam')
  const streamId = pub.data.streamId
  let pusher: Pusher = pushTestPattern(pub.data.rtmp)
  await until(() => bob.events('streamAdded').length === 1, 15000, `${loss.name}: first stream`)

  let restoredAt = 0
  let resumedAt = 0
  let readdedAt = 0
  ann.emedia.mgr.on('reconnected', (info) => {
    resumedAt = Date.now()
    // What the pusher component does: a dead pusher starts again on the fresh URL.
    const mine = info.published.find((p) => p.stream.id === streamId)
    const dead = pusher.proc.exitCode !== null || pusher.proc.signalCode !== null
    if (mine && dead) pusher = pushTestPattern(mine.rtmp)
  })
  bob.emedia.mgr.on('streamAdded', (s) => {
    if (s.id === streamId && restoredAt) readdedAt = Date.now()
  })

  if (loss.mode === 'drop') {
    proxy.drop()
    await pusher.stop() // live-pusher loses the network too
  } else proxy.stall()
  if (loss.networkEvents) ann.adapter.setNetwork(false)
  await sleep(loss.ms)
  restoredAt = Date.now()
  proxy.restore()
  if (loss.networkEvents) ann.adapter.setNetwork(true)

  if (loss.mode === 'drop') {
    await until(() => readdedAt > 0, 10000, `${loss.name}: stream re-added`)
  } else {
    // The socket may have survived (TCP waits out a short blackhole) or been replaced.
    await until(() => ann.emedia.mgr.getConnectionState() === 'joined', 20000, 'joined again')
  }
  // The same membership, nobody told it left, and signalling works end to end.
  expect(ann.emedia.mgr.getSelf()?.id).toBe(selfId)
  expect(ann.exits).toEqual([])
  expect(bob.events('memberExited')).toEqual([])
  await ann.emedia.mgr.pauseVideo(streamId)
  await until(() => bob.events('mediaChanged').length === 1, 5000, `${loss.name}: mediaChanged`)
  if (loss.mode === 'stall') expect(bob.events('streamRemoved')).toEqual([])
  expect(bob.emedia.mgr.getStreams().map((s) => s.id)).toEqual([streamId])
  await pusher.stop()
  return {
    name: loss.name,
    republishMs: readdedAt ? readdedAt - restoredAt : null,
    resumeMs: resumedAt ? resumedAt - restoredAt : null,
  }
}

function report(figures: LossFigures[]) {
  const line = (f: LossFigures) =>
    `${f.name}: republish ${f.republishMs ?? 'never withdrawn'} ms, resume ${f.resumeMs ?? 'not needed'} ms`
  process.stdout.write(`[reliability] ${figures.map(line).join('; ')}\n`)
}

describe('network loss within the grace window', () => {
  let server: ConferenceServer
  beforeAll(async () => {
    server = await startServer()
    servers.push(server)
  })
  afterAll(stopAll)

  test('5 s: drop and stall — same membership, nobody sees an exit, media back within 2 s', async () => {
    const figures = await Promise.all([
      lossScenario(server, { name: 'drop5', mode: 'drop', ms: 5000, networkEvents: true }),
      lossScenario(server, { name: 'stall5', mode: 'stall', ms: 5000, networkEvents: false }),
    ])
    report(figures)
    expect(figures[0].republishMs).toBeLessThanOrEqual(2000)
  })

  test('25 s: drop (told and silent) and stall — same membership, media back within 2 s', async () => {
    const figures = await Promise.all([
      lossScenario(server, { name: 'drop25', mode: 'drop', ms: 25000, networkEvents: true }),
      lossScenario(server, {
        name: 'drop25-silent',
        mode: 'drop',
        ms: 25000,
        networkEvents: false,
      }),
      lossScenario(server, { name: 'stall25', mode: 'stall', ms: 25000, networkEvents: false }),
    ])
    report(figures)
    expect(figures[0].republishMs).toBeLessThanOrEqual(2000)
    // Not told the network is back, the SDK finds out on its next attempt, at most delayMs
    // (1.5 s) later: still within the 2 s target.
    expect(figures[1].republishMs).toBeLessThanOrEqual(2000)
  })
})

test('a loss longer than the grace window: the others see the exit, the client gets (4, -9527) and rejoins', async () => {
  const server = await startServer({ graceMs: 3000 })
  servers.push(server)
  const proxy = await FaultProxy.forUrl(server.wsUrl)
  proxies.push(proxy)
  const ann = await client(server, 'ann-grace', proxy)
  const bob = await client(server, 'bob-grace')
  const roomName = 'grace'
  await ann.emedia.mgr.joinRoom({ roomName })
  await bob.emedia.mgr.joinRoom({ roomName })
  const firstId = ann.emedia.mgr.getSelf()!.id
  const pub = await ann.emedia.mgr.pubStream('cam')
  await ann.emedia.mgr.pauseAudio(pub.data.streamId) // signalling state only; no media needed

  const lostAt = Date.now()
  proxy.drop()
  ann.adapter.setNetwork(false)
  await until(() => bob.events('memberExited').length === 1, 6000, 'the exit after the grace')
  const exitSeenMs = Date.now() - lostAt
  expect(bob.events('memberExited')[0]).toEqual([
    expect.objectContaining({ id: firstId, name: 'ann-grace' }),
    'timeout',
  ])
  await sleep(6000 - exitSeenMs)
  proxy.restore()
  ann.adapter.setNetwork(true)
  await until(() => ann.exits.length === 1, 5000, 'onConferenceExit')
  expect(ann.exits).toEqual([[4, -9527]])
  expect(ann.emedia.mgr.getConference()).toBeNull()
  expect(server.service.stats()).toMatchObject({ conferences: 1, members: 1, streams: 0 })

  // A clean rejoin: a new membership, announced, and publishing works.
  await ann.emedia.mgr.joinRoom({ roomName })
  expect(ann.emedia.mgr.getSelf()!.id).not.toBe(firstId)
  const newId = ann.emedia.mgr.getSelf()!.id
  const announced = () =>
    bob.events('memberJoined').some(([m]) => (m as { id: string }).id === newId)
  await until(announced, 5000, 'the rejoin announced')
  const again = await ann.emedia.mgr.pubStream('cam')
  const pusher = pushTestPattern(again.data.rtmp)
  await until(() => bob.emedia.mgr.getStreams().length === 1, 15000, 'the new stream')
  await pusher.stop()
  process.stdout.write(`[reliability] grace 3000 ms: others saw the exit after ${exitSeenMs} ms\n`)
})
