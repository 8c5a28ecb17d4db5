// Signalling benchmarks, each against a fresh server child: frames on the wire from joinRoom() to
// a push URL, join latency under concurrency, streamAdded fan-out to a 2,000-member room, and how
// many heartbeating members one server process holds (with its CPU and RSS per 1,000).
import { createEmedia } from '../sdk/node'
import { eventFrame } from 'miniprogram-conference-protocol'
import { countingAdapter } from '../testkit/counting-adapter'
import { fanOutFloor, type FanOutFloor } from './fan-out-floor'
import { readFlvTags, startPublisher, testPatternFile } from './flv'
import { cpuPlan, LoadGen, pin } from './load-gen'
import { machineLoad, type MachineLoad } from './machine-load'
import { CpuWindow, rssOf } from './proc'
import { LOAD_OVERRIDES, ServerProc } from './server-proc'
import { nowMs, percentile, pool, round, summarize, type Summary } from './stats'
import { WireClient } from './wire'
import { sleep } from '../testkit/wait'

export type Log = (line: string) => void

// ---- frames from joinRoom() to a push URL ----

export interface WireCount {
  requests: string[]
  framesSent: number
  framesReceived: number
  /** Client→server→client exchanges the SDK waited on (replies in before the push URL). */
  roundTrips: number
  ms: number
}

/** The real SDK on a Node adapter whose socket counts frames both ways. */
export async function wireCount(srv: ServerProc): Promise<WireCount> {
  const { adapter, wire } = countingAdapter()
  const emedia = createEmedia({ adapter })
  emedia.config({ host: srv.wsUrl, token: srv.mint('wire-count'), logLevel: 'silent' as never })
  const t0 = nowMs()
  await emedia.mgr.joinRoom({ roomName: 'wire-count', password: '', role: 3 })
  const res = await emedia.mgr.pubStream(emedia.util.getRtcId())
  const ms = nowMs() - t0
  const waitedOn = wire.replies
  if (!res.data.rtmp.startsWith('rtmp://')) throw new Error('pubStream gave no push URL')
  const out = {
    requests: [...wire.sent],
    framesSent: wire.sent.length,
    framesReceived: wire.received,
    roundTrips: waitedOn,
    ms: round(ms),
  }
  await emedia.mgr.disconnect()
  return out
}

// ---- join latency ----

export interface JoinLatency {
  concurrent: number
  layout: string
  connect: Summary
  join: Summary
  /** From the first join sent to the last reply. */
  wallMs: number
  /** Where the load came from (load-gen.ts: its processes, pinned or not). */
  loadGen?: string
}

/** Where load connects: one server, or each of several (a cluster's nodes) in turn. */
export interface JoinTarget {
  wsUrl: string
  mint(userId: string): string
}

/**
 * `n` clients connected first (in the load generator's processes, spread round-robin over several
 * servers when given), then `n` joins sent at once. `roomSize` members per room (rooms of 10: a
 * typical meeting), or all in one room as audience when roomSize >= n. `close` ends the clients.
 */
export async function joinLatency(
  srv: JoinTarget | JoinTarget[],
  tag: string,
  n: number,
  roomSize: number,
  /** Conference type of the rooms (server default: COMMUNICATION); `refused`, when given: a
   * refused join is counted there (by its message) instead of failing the run. */
  opts: { type?: number; refused?: Map<string, number> } = {},
): Promise<{ result: JoinLatency; close: () => Promise<void> }> {
  const targets = Array.isArray(srv) ? srv : [srv]
  const tokens = Array.from({ length: n }, (_, i) => targets[0].mint(`${tag}-${i}`))
  const gen = await LoadGen.start()
  try {
    const { group, connectMs } = await gen.connect(
      targets.map((t) => t.wsUrl),
      n,
    )
    const oneRoom = roomSize >= n
    const t0 = nowMs()
    const { joinMs, refused } = await gen.join(group, (i) => ({
      params: oneRoom
        ? { roomName: `${tag}-all`, role: 1, type: opts.type, config: { maxAudienceCount: n } }
        : { roomName: `${tag}-${Math.floor(i / roomSize)}`, type: opts.type },
      token: tokens[i],
    }))
    const wallMs = round(nowMs() - t0)
    for (const [why, count] of Object.entries(refused)) {
      if (!opts.refused) throw new Error(`${count} join(s) refused: ${why}`)
      opts.refused.set(why, (opts.refused.get(why) ?? 0) + count)
    }
    return {
      result: {
        concurrent: n,
        layout: oneRoom ? `1 room of ${n}` : `${Math.ceil(n / roomSize)} rooms of ${roomSize}`,
        connect: summarize(connectMs),
        join: summarize(joinMs),
        wallMs,
        loadGen: gen.plan.note,
      },
      close: () => gen.close(),
    }
  } catch (e) {
    await gen.close()
    throw e
  }
}

export interface JoinSizes {
  /** Joins one at a time, for the uncontended figure. */
  sequential: number
  /** [tag, joins sent at once, room size] (room size >= joins: one room, as audience). */
  runs: Array<[string, number, number]>
}

export const JOIN_SIZES: JoinSizes = {
  sequential: 30,
  runs: [
    ['c100', 100, 10],
    ['c1000', 1000, 10],
    ['c1000one', 1000, 1000],
  ],
}

export async function joinLatencies(
  log: Log,
  { sequential, runs }: JoinSizes = JOIN_SIZES,
): Promise<{ wire: WireCount; joins: JoinLatency[] }> {
  const srv = await ServerProc.start({ ...LOAD_OVERRIDES, graceMs: 1000 })
  pin(srv.pid, cpuPlan().server)
  try {
    const wire = await wireCount(srv)
    log(
      `  joinRoom → push URL: ${wire.roundTrips} round trip(s); sent ${wire.requests.join(', ')} (${wire.ms} ms)`,
    )
    const joins: JoinLatency[] = []
    // One at a time: sequential joins give the uncontended figure its percentiles.
    const single: number[] = []
    const singleConnect: number[] = []
    for (let i = 0; i < sequential; i++) {
      const token = srv.mint(`single-${i}`)
      const c0 = nowMs()
      const c = await WireClient.connect(srv.wsUrl)
      const t0 = nowMs()
      await c.call('join', { roomName: `single-${i}` }, token)
      single.push(nowMs() - t0)
      singleConnect.push(t0 - c0)
      c.close()
    }
    joins.push({
      concurrent: 1,
      layout: `${sequential} joins one after another`,
      connect: summarize(singleConnect),
      join: summarize(single),
      wallMs: round(single.reduce((a, b) => a + b, 0)),
    })
    for (const [tag, n, roomSize] of runs) {
      const { result, close } = await joinLatency(srv, tag, n, roomSize)
      log(
        `  ${n} concurrent joins, ${result.layout}: p50 ${result.join.p50} ms p99 ${result.join.p99} ms`,
      )
      joins.push(result)
      await close()
      // The grace window passes: the next run starts on an empty server.
      if (tag !== runs[runs.length - 1][0]) await sleep(1500)
    }
    return { wire, joins }
  } finally {
    await srv.stop()
  }
}

// ---- fan-out ----

export interface FanOut {
  members: number
  /** Time to admit everyone, 50 joins at a time (arrivals of one turn go out in one frame). */
  fillMs: number
  /** End to end: engine reports the publish → each member's streamAdded read (in the load
   * generator's processes, which parse the frame as an SDK would). */
  latency: Summary
  /** Server-side: engine report → the last streamAdded frame handed to the kernel. */
  serverSendMs: number
  /** Server-side: engine report → the last frame queued on its socket (written at the turn's end). */
  serverQueuedMs: number
  /** Our publish accepted by the engine (NetStream.Publish.Start) → server hears of it. */
  acceptToLiveMs: number
  received: number
  /** Where the load came from, and how busy the machine was around the broadcast. */
  loadGen: string
  loadGenProcesses: number
  machine: MachineLoad
  /** The same broadcast from a bare ws server on the same machine: its floor. */
  floor: FanOutFloor
}

/**
 * `members` listeners in the load generator's processes (pinned away from the server where the OS
 * lets it), one publisher: the time from the engine's report to each listener's streamAdded.
 */
export async function fanOut(log: Log, members = 2000): Promise<FanOut> {
  const tags = readFlvTags(await testPatternFile())
  // The owner and `members` listeners: one over the server's default cap of 2,000.
  const srv = await ServerProc.start({
    ...LOAD_OVERRIDES,
    graceMs: 2000,
    maxConferenceMembers: members + 1,
  })
  const gen = await LoadGen.start()
  pin(srv.pid, gen.plan.server)
  let owner: WireClient | null = null
  let publisher: Awaited<ReturnType<typeof startPublisher>> | null = null
  let measured: Omit<FanOut, 'floor'> & { frame: string }
  try {
    owner = await WireClient.connect(srv.wsUrl)
    const joined = await owner.call(
      'join',
      { roomName: 'fanout', config: { maxAudienceCount: members } },
      srv.mint('fan-owner'),
    )
    owner.startHeartbeat(joined.heartbeatMs)
    const t0 = nowMs()
    const { refused } = await gen.enter(
      [srv.wsUrl],
      members,
      (i) => ({ params: { roomName: 'fanout', role: 1 }, token: srv.mint(`fan-${i}`) }),
      { concurrency: 50, heartbeat: true },
    )
    if (Object.keys(refused).length)
      throw new Error(`fan-out joins refused: ${JSON.stringify(refused)}`)
    // Everyone has been admitted; the last arrival frames drain.
    await gen.drained()
    const fillMs = round(nowMs() - t0)
    log(`  ${members} members in one room after ${fillMs} ms (${gen.plan.note})`)
    await gen.watch('streamAdded')
    const before = (await gen.counts()).events
    const machine = machineLoad()
    const pub = await owner.call('publish', { confrId: joined.conference.confrId, rtcId: 'fan' })
    publisher = await startPublisher(pub.rtmp, tags)
    const live = await srv.live(pub.stream.id)
    const deadline = nowMs() + 20000
    while ((await gen.counts()).events - before < members && nowMs() < deadline) await sleep(50)
    const arrivals = await gen.take('streamAdded')
    measured = {
      frame: eventFrame('streamAdded', pub.stream),
      members,
      fillMs,
      latency: summarize(arrivals.map((a) => a - live.at)),
      serverSendMs: round(live.sentAt - live.at),
      serverQueuedMs: round(live.queuedAt - live.at),
      acceptToLiveMs: round(live.at - publisher.acceptedAt),
      received: arrivals.length,
      loadGen: gen.plan.note,
      loadGenProcesses: gen.pids().length,
      machine: machine(),
    }
  } finally {
    publisher?.client.close()
    owner?.close()
    await gen.close()
    await srv.stop()
  }
  // With the server gone: the machine as quiet as it was for the real broadcast.
  const { frame, ...fan } = measured
  return { ...fan, floor: await fanOutFloor(members, frame) }
}

// ---- capacity ----

export interface CapacityStep {
  members: number
  pingP50: number
  pingP99: number
  cpuPct: number
  rssMB: number
}

export interface Capacity {
  heartbeatMs: number
  roomSize: number
  steps: CapacityStep[]
  stoppedBecause: string
  baselineRssMB: number
  /** Least-squares slopes over the steps. */
  cpuPctPer1000: number
  rssMBPer1000: number
}

function slope(xs: number[], ys: number[]): number {
  const n = xs.length
  const mx = xs.reduce((a, b) => a + b, 0) / n
  const my = ys.reduce((a, b) => a + b, 0) / n
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my)
    den += (xs[i] - mx) ** 2
  }
  return den ? num / den : NaN
}

/**
 * Add members (rooms of 10, pinging every heartbeatMs) in steps; at each step measure ping round
 * trips, the server's CPU and RSS over one heartbeat interval. Stop at the cap, when p99 passes
 * `p99LimitMs`, or when the time budget is spent.
 */
export async function capacity(
  log: Log,
  {
    step = 3000,
    cap = 18000,
    p99LimitMs = 1000,
    budgetMs = 100000,
    roomSize = 10,
    heartbeatMs = 10000,
  } = {},
): Promise<Capacity> {
  const srv = await ServerProc.start({ ...LOAD_OVERRIDES, heartbeatMs })
  const clients: WireClient[] = []
  const started = nowMs()
  const steps: CapacityStep[] = []
  let stoppedBecause = `reached the cap of ${cap}`
  try {
    await sleep(500)
    const baselineRssMB = rssOf(srv.serverPids())
    while (clients.length < cap) {
      const from = clients.length
      const fresh = await pool(Array.from({ length: step }), 100, async (_, k) => {
        const i = from + k
        const c = await WireClient.connect(srv.wsUrl)
        const r = await c.call(
          'join',
          { roomName: `cap-${Math.floor(i / roomSize)}` },
          srv.mint(`cap-${i}`),
        )
        c.startHeartbeat(r.heartbeatMs)
        return c
      })
      clients.push(...fresh)
      await sleep(heartbeatMs / 10) // the join burst settles first (1 s at the default 10 s)
      for (const c of clients) c.pingRtts = []
      const cpu = new CpuWindow(() => srv.serverPids())
      cpu.start()
      await sleep(heartbeatMs)
      const rtts = clients.flatMap((c) => c.pingRtts)
      const s: CapacityStep = {
        members: clients.length,
        pingP50: round(percentile(rtts, 50)),
        pingP99: round(percentile(rtts, 99)),
        cpuPct: round(cpu.stop(), 1),
        rssMB: round(rssOf(srv.serverPids()), 1),
      }
      steps.push(s)
      log(
        `  ${s.members} members: ping p50 ${s.pingP50} ms p99 ${s.pingP99} ms, CPU ${s.cpuPct} %, RSS ${s.rssMB} MB`,
      )
      if (s.pingP99 > p99LimitMs) {
        stoppedBecause = `ping p99 passed ${p99LimitMs} ms`
        break
      }
      if (nowMs() - started > budgetMs) {
        stoppedBecause = 'time budget spent'
        break
      }
    }
    const xs = steps.map((s) => s.members / 1000)
    return {
      heartbeatMs,
      roomSize,
      steps,
      stoppedBecause,
      baselineRssMB: round(baselineRssMB, 1),
      cpuPctPer1000: round(
        slope(
          xs,
          steps.map((s) => s.cpuPct),
        ),
      ),
      rssMBPer1000: round(
        slope(
          xs,
          steps.map((s) => s.rssMB),
        ),
      ),
    }
  } finally {
    for (const c of clients) c.close()
    await srv.stop()
  }
}
