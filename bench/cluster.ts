// Cluster benchmarks (`npm run bench -- --only cluster`), each on a fresh redis-server and fresh
// server processes: 1,000 simultaneous joins into one room with the clients spread round-robin
// over 3 nodes against all on 1 node (the same code path, Redis included), and failover: kill -9
// of the node hosting a room of ~200 members with one ffmpeg publisher → time to the last resume
// and to the last member told of the stream again.
import { createEmedia, createNodeAdapter } from '../sdk/node'
import { type ClusterNode, TestCluster } from '../testkit/cluster'
import { type Pusher, pushTestPattern, stopAllMedia } from '../testkit/ffmpeg'
import { RedisServer, redisAvailability } from '../testkit/redis'
import { cpuPlan, pin } from './load-gen'
import { machineLoad, type MachineLoad } from './machine-load'
import { commOf, cpuMs, processTree } from '../testkit/procs'
import { type JoinLatency, joinLatency, type Log } from './signalling'
import { pool, round } from './stats'
import { table } from './table'
import { sleep } from '../testkit/wait'

export interface ClusterJoins {
  nodes: number
  result: JoinLatency
  /** Joins refused, by error (join latency is of the others). */
  refused: Record<string, number>
  /** CPU of the nodes and Redis for the joins, and how busy the machine was meanwhile. */
  serverCpuMs: number
  /** Each node's CPU for the joins, and Redis's. Here they all share one core, so the p99
   * waits on their sum; on machines of their own it would wait on the busiest. */
  nodeCpuMs: number[]
  redisCpuMs: number
  machine: MachineLoad
}

/** The redis-server processes this bench started. */
const redisPids = () => processTree(process.pid).filter((p) => commOf(p) === 'redis-server')

export interface Failover {
  members: number
  /** kill -9 → the last member's onReconnected (all resumed with their member ids). */
  lastResumeMs: number
  resumed: number
  /** Same member id after the resume, and no onConferenceExit. */
  sameIds: number
  exits: number
  /** kill -9 → the last watcher's streamAdded for the re-pushed stream, and how many got one. */
  lastReannounceMs: number | null
  reannounced: number
  /** kill -9 → every watcher holds the stream with a play URL on the new host (event or not). */
  lastPlayableMs: number | null
  playable: number
}

export interface ClusterResult {
  joins: ClusterJoins[]
  /** 3-node p99 / 1-node p99 (goal ≤ 1.5). */
  p99Ratio: number
  failover: Failover
}

async function withCluster<T>(n: number, body: (c: TestCluster) => Promise<T>): Promise<T> {
  const redis = await RedisServer.start()
  let cluster: TestCluster | undefined
  try {
    // Sockets are opened before they join: no auth timeout (as LOAD_OVERRIDES for one server).
    const flags = ['--auth-timeout-ms', '0']
    cluster = await TestCluster.start(redis.url, n, { load: true, logLevel: 'error', flags })
    return await body(cluster)
  } finally {
    await stopAllMedia()
    await cluster?.close()
    await redis.close()
  }
}

const targetsOf = (c: TestCluster) =>
  c.nodes.map((node) => ({ wsUrl: node.wsUrl, mint: (u: string) => c.mint(u) }))

export interface ClusterSizes {
  /** Joins sent at once into one room, after `warmJoins` in rooms of 10. */
  joins: number
  warmJoins: number
  failoverMembers: number
}

export const CLUSTER_SIZES: ClusterSizes = { joins: 1000, warmJoins: 30, failoverMembers: 200 }

async function joins(n: number, log: Log, sizes: ClusterSizes): Promise<ClusterJoins> {
  return withCluster(n, async (c) => {
    // The servers (nodes and Redis) on the servers' CPU, the load elsewhere, as on one node.
    const servers = [...c.nodes.map((node) => node.pid), ...redisPids()]
    for (const pid of servers) pin(pid, cpuPlan().server)
    // A few joins first: connections to Redis warm, code paths compiled.
    const warm = await joinLatency(targetsOf(c), `warm${n}`, sizes.warmJoins, 10)
    await warm.close()
    const refused = new Map<string, number>()
    const k = sizes.joins
    const machine = machineLoad()
    const cpu0 = servers.map(cpuMs)
    const { result, close } = await joinLatency(targetsOf(c), `one${n}`, k, k, { refused })
    const used = servers.map((pid, i) => round(cpuMs(pid) - cpu0[i]))
    const serverCpuMs = round(used.reduce((a, b) => a + b, 0))
    const nodeCpuMs = used.slice(0, c.nodes.length)
    const redisCpuMs = round(used.slice(c.nodes.length).reduce((a, b) => a + b, 0))
    const load = machine()
    await close()
    const failed = [...refused].map(([e, k]) => `${k} × ${e}`).join('; ')
    log(
      `  ${k} joins into one room over ${n} node(s): p50 ${result.join.p50} ms p99 ${result.join.p99} ms (all done in ${result.wallMs} ms; nodes + Redis CPU ${serverCpuMs} ms; ${result.loadGen}; machine ${load.busyPct} % busy, load ${load.loadAvg.join(' → ')})${failed ? `; REFUSED: ${failed}` : ''}`,
    )
    // Refusals are the cluster's to explain: what the nodes said, and whether they still run.
    if (refused.size > 0)
      for (const node of c.nodes)
        log(`  ${node.id} (${node.running ? 'running' : 'GONE'}): ${node.output().slice(-1500)}`)
    return {
      nodes: n,
      result,
      refused: Object.fromEntries(refused),
      serverCpuMs,
      nodeCpuMs,
      redisCpuMs,
      machine: load,
    }
  })
}

/** An SDK member on one node, what it heard and when. */
function member(c: TestCluster, node: ClusterNode, userId: string) {
  const emedia = createEmedia({ adapter: createNodeAdapter() })
  emedia.config({ host: node.wsUrl, token: c.mint(userId), logLevel: 'silent' as never })
  const m = { emedia, resumedAt: 0, exits: 0, readdedAt: 0, streamId: '', killedAt: 0 }
  emedia.mgr.on('reconnected', () => (m.resumedAt = Date.now()))
  emedia.mgr.on('conferenceExit', () => m.exits++)
  emedia.mgr.on('streamAdded', (s) => {
    if (m.killedAt && s.id === m.streamId) m.readdedAt = Date.now()
  })
  return m
}

export async function failover(size: number, log: Log): Promise<Failover> {
  return withCluster(3, async (c) => {
    const all = Array.from({ length: size }, (_, i) =>
      member(c, c.nodes[i % c.nodes.length], `fo-${i}`),
    )
    const refused = (e: { code: number; message: string }) => {
      throw new Error(`failover: a join was refused: ${e.code} ${e.message}`)
    }
    try {
      // The first join makes the room on n1 (its admin); the publisher (on n2) talks; the others
      // join as audience, 50 at a time.
      await all[0].emedia.mgr.joinRoom({ roomName: 'failover' }).catch(refused)
      await all[1].emedia.mgr.joinRoom({ roomName: 'failover', role: 3 }).catch(refused)
      await pool(all.slice(2), 50, (m) =>
        m.emedia.mgr.joinRoom({ roomName: 'failover', role: 1 }).catch(refused),
      )
      const confrId = all[0].emedia.mgr.getConference()!.confrId
      const host = await c.hostOf(confrId)
      const ids = all.map((m) => m.emedia.mgr.getSelf()!.id)
      // The publisher sits on another node; it pushes to the host's engine.
      const pub = all[1]
      const res = await pub.emedia.mgr.pubStream('cam')
      const streamId = res.data.streamId
      let pusher: Pusher = pushTestPattern(res.data.rtmp, { width: 320, height: 180, fps: 10 })
      pub.emedia.mgr.on('reconnected', (info) => {
        const mine = info.published.find((p) => p.stream.id === streamId)
        const dead = pusher.proc.exitCode !== null || pusher.proc.signalCode !== null
        if (mine && dead) pusher = pushTestPattern(mine.rtmp, { width: 320, height: 180, fps: 10 })
      })
      const watchers = all.filter((m) => m !== pub)
      const live = () => watchers.filter((m) => m.emedia.mgr.getStreams().length > 0).length
      const deadline = Date.now() + 20000
      while (live() < watchers.length && Date.now() < deadline) await sleep(50)

      const killedAt = Date.now()
      for (const m of all) Object.assign(m, { killedAt, streamId })
      await host.kill9()
      const resumed = () => all.filter((m) => m.resumedAt).length
      const until = Date.now() + 30000
      while (resumed() < size && Date.now() < until) await sleep(50)
      const newHost = await c.hostOf(
        confrId,
        c.nodes.find((n) => n.running)!,
      )
      const onNewHost = (m: (typeof all)[0]) =>
        m.emedia.mgr.getStreams().some((s) => s.rtmp?.startsWith(newHost.rtmpBase + '/'))
      const playableAt = new Map<(typeof all)[0], number>()
      while (playableAt.size < watchers.length && Date.now() < until) {
        for (const m of watchers)
          if (!playableAt.has(m) && onNewHost(m)) playableAt.set(m, Date.now())
        await sleep(20)
      }
      const readded = watchers.filter((m) => m.readdedAt)
      const out: Failover = {
        members: size,
        lastResumeMs: Math.max(...all.map((m) => m.resumedAt)) - killedAt,
        resumed: resumed(),
        sameIds: all.filter((m, i) => m.emedia.mgr.getSelf()?.id === ids[i]).length,
        exits: all.reduce((n, m) => n + m.exits, 0),
        lastReannounceMs: readded.length
          ? Math.max(...readded.map((m) => m.readdedAt)) - killedAt
          : null,
        reannounced: readded.length,
        lastPlayableMs: playableAt.size ? Math.max(...playableAt.values()) - killedAt : null,
        playable: playableAt.size,
      }
      log(
        `  failover, ${size} members: ${out.resumed} resumed (last ${out.lastResumeMs} ms), ${out.reannounced}/${watchers.length} told of the stream again (last ${out.lastReannounceMs ?? '—'} ms), ${out.playable} hold a playable URL (last ${out.lastPlayableMs ?? '—'} ms)`,
      )
      return out
    } finally {
      await Promise.all(all.map((m) => m.emedia.mgr.disconnect().catch(() => undefined)))
    }
  })
}

export async function clusterBench(
  log: Log,
  sizes: ClusterSizes = CLUSTER_SIZES,
): Promise<ClusterResult> {
  const one = await joins(1, log, sizes)
  const three = await joins(3, log, sizes)
  return {
    joins: [one, three],
    p99Ratio: round(three.result.join.p99 / one.result.join.p99, 2),
    failover: await failover(sizes.failoverMembers, log),
  }
}

const ms = (x: number | null) => (x === null ? '—' : String(x))

/** The section of `npm run bench`: measured, printed, returned for results.json. */
export async function clusterSection(
  log: Log,
  sizes: ClusterSizes = CLUSTER_SIZES,
): Promise<ClusterResult | { skipped: string }> {
  if (!redisAvailability.ok) {
    log(`  NOT MEASURED: ${redisAvailability.reason}`)
    return { skipped: redisAvailability.reason ?? 'redis-server unavailable' }
  }
  const c = await clusterBench(log, sizes)
  log(
    table(
      [
        'nodes',
        'layout',
        'refused',
        'connect p50',
        'join p50',
        'join p99',
        'join max',
        'all done',
        'nodes + Redis CPU ms',
        'each node CPU ms',
        'Redis CPU ms',
      ],
      c.joins.map(({ nodes, result: j, refused, serverCpuMs, nodeCpuMs, redisCpuMs }) => [
        nodes,
        j.layout,
        Object.values(refused).reduce((a, b) => a + b, 0),
        j.connect.p50,
        j.join.p50,
        j.join.p99,
        j.join.max,
        j.wallMs,
        serverCpuMs,
        nodeCpuMs.join(' / '),
        redisCpuMs,
      ]),
    ),
  )
  log(`3-node join p99 / 1-node join p99: ${c.p99Ratio} (goal ≤ 1.5)`)
  const f = c.failover
  log(
    table(
      ['failover', 'resumed', 'same ids', 'exits', 'last resume ms'],
      [
        [
          `kill -9 of the host, ${f.members} members`,
          f.resumed,
          f.sameIds,
          f.exits,
          f.lastResumeMs,
        ],
      ],
    ),
  )
  log(
    table(
      [
        'stream after failover',
        'told again',
        'last re-announce ms',
        'playable',
        'last playable ms',
      ],
      [
        [
          `${f.members - 1} watchers`,
          f.reannounced,
          ms(f.lastReannounceMs),
          f.playable,
          ms(f.lastPlayableMs),
        ],
      ],
    ),
  )
  return c
}
