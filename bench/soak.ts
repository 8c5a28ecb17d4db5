// Churn soak: hundreds of SDK clients join, publish, pause, unpublish, leave and lose their network
// at random for a set time; then everyone goes (some cleanly, some by vanishing) and the server
// must come back to nothing: 0 conferences, members, streams, sockets and ffmpeg processes once the
// grace windows have passed, its state consistent throughout, its memory near where it started.
// `npm run soak -- --members 500 --conferences 50 --seconds 60` runs one server in this process;
// `--nodes 3` runs a cluster instead (a redis-server and 3 server processes, members spread over
// them, one node drained and restarted a third of the way in, one killed -9 and restarted at two
// thirds), which must also leave 0 conference keys in Redis, and 0 keys at all once stopped.
// A seed replays the run's choices: each member draws from its own generator (seeded from the
// run's), so what one member does never depends on how the others' calls interleaved; the
// restarts are at fixed points of the run whatever the seed.
// test/hardening/soak.test.ts runs short versions of the same code.
import { readFileSync } from 'fs'
import { parseArgs } from 'util'
import { createEmedia, createNodeAdapter, type NodeAdapter } from '../sdk/node'
import { checkInvariants } from '../testkit/invariants'
import { socketsOf } from '../server/security/sockets'
import { prng, type Rand } from '../testkit/prng'
import { TestCluster } from '../testkit/cluster'
import { mediaChildren, pushTestPattern, type Pusher } from '../testkit/ffmpeg'
import { RedisServer } from '../testkit/redis'
import type { ClientTarget } from '../testkit/sdk-client'
import { startServer } from '../testkit/server'
import { rssMB } from '../testkit/procs'
import { sleep } from '../testkit/wait'

export interface SoakOptions {
  members: number
  conferences: number
  durationMs: number
  /** Server grace window: how long vanished members (and empty conferences) are kept. */
  graceMs: number
  /** How many members push real media (ffmpeg) when they publish; the rest signal only. */
  mediaSample: number
  seed: number
  /** 1 (or unset): one server in this process; more: a cluster of that many server processes. */
  nodes?: number
  /** Cluster: how long a node told to stop waits for its clients to move (--drain-ms). */
  drainMs?: number
  /** Progress lines (the CLI prints them; the test keeps quiet). */
  log?: (line: string) => void
}

export interface Memory {
  rssMB: number
  heapMB: number
}

/** What the server(s) hold at one moment (a cluster: summed over its nodes). */
interface Held {
  conferences: number
  members: number
  streams: number
  /** Announced by signalling, media or not (one process only: null in a cluster). */
  published: number | null
  sockets: number
}

export interface SoakResult {
  options: Omit<SoakOptions, 'log'>
  ops: Record<string, number>
  /** SDK call failures by code: limits and races are expected; -1 never is. */
  errors: Record<string, number>
  /** streams: carrying media; published: announced by signalling (media or not). */
  peak: Held
  /**
   * Once everyone left and the grace windows passed: what the server(s) hold, ESTABLISHED TCP
   * connections to them, ffmpeg processes of this one; a cluster adds its conference keys in
   * Redis (ck:* but the nodes' own registry) and, once every node was stopped, every ck:* key.
   */
  end: {
    conferences: number
    members: number
    streams: number
    sockets: number
    tcp: number
    ffmpeg: number
    redisKeys?: number
    redisKeysAfterStop?: number
  }
  /** Distinct invariant violations seen during and after the run (must be empty; checked in
   * one process only). */
  violations: string[]
  /** One process: this one's; a cluster: each node's RSS (heapMB 0: not measurable from here). */
  memory: { before: Record<string, Memory>; after: Record<string, Memory> }
  drainMs: number
  /** Cluster: the node restarts, with how long each step took. */
  restarts?: string[]
}

function memory(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc) for (let i = 0; i < 3; i++) gc()
  const m = process.memoryUsage()
  return { rssMB: Math.round(m.rss / 1048576), heapMB: Math.round(m.heapUsed / 1048576) }
}

/** Another process's memory, from /proc (its heap is not visible from here). */
const memoryOf = (pid: number): Memory => ({ rssMB: Math.round(rssMB(pid)), heapMB: 0 })

/** ESTABLISHED TCP connections to `port` on this machine (Linux), -1 where /proc is missing. */
export function tcpConnectionsTo(port: number): number {
  try {
    const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`
    const rows = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((f) =>
      readFileSync(f, 'utf8').split('\n').slice(1),
    )
    return rows.filter((row) => {
      const cols = row.trim().split(/\s+/)
      return cols[1]?.endsWith(hex) && cols[3] === '01'
    }).length
  } catch {
    return -1
  }
}

/** One phone: a client on its own adapter, doing one random thing at a time. */
class Member {
  readonly adapter: NodeAdapter = createNodeAdapter()
  readonly emedia
  private down = false
  private pusher: Pusher | null = null

  constructor(
    server: ClientTarget,
    readonly userId: string,
    private readonly media: boolean,
    private readonly ops: Record<string, number>,
    /** This member's own draws: the same seed gives it the same choices, however others run. */
    readonly r: Rand,
  ) {
    const token = server.tokens.mintUser(userId, 3600)
    this.emedia = createEmedia({
      adapter: this.adapter,
      config: { host: server.wsUrl, token, logLevel: 'silent' },
    })
    // What the pusher component does after a resume: push again on the fresh URL.
    this.emedia.mgr.on('reconnected', (info) => {
      this.count('resumed')
      if (this.media && info.published[0] && !this.pusher) this.push(info.published[0].rtmp)
    })
    this.emedia.mgr.on('conferenceExit', () => this.stopMedia())
  }

  private count(op: string) {
    this.ops[op] = (this.ops[op] ?? 0) + 1
  }

  private push(url: string) {
    this.pusher = pushTestPattern(url, { width: 160, height: 90, fps: 5 })
  }

  private stopMedia() {
    void this.pusher?.stop()
    this.pusher = null
  }

  async step(conferences: number): Promise<void> {
    const r = this.r
    const mgr = this.emedia.mgr
    if (this.down) {
      // Back after a short loss (resume), or later than the grace window (exit, then rejoin).
      if (r.chance(0.4)) {
        this.adapter.setNetwork(true)
        this.down = false
        this.count('network-back')
      }
      return
    }
    const state = mgr.getConnectionState()
    if (state === 'reconnecting' || state === 'connecting') return
    if (state !== 'joined') {
      await mgr.joinRoom({ roomName: `soak-${r.int(conferences)}`, role: r.chance(0.15) ? 1 : 3 })
      this.count('join')
      return
    }
    const own = mgr.getPublished()[0]
    const roll = r.next()
    if (roll < 0.25) {
      if (own || (mgr.getSelf()?.role ?? 1) === 1) return
      const pub = await mgr.pubStream('cam')
      this.count('publish')
      if (this.media) this.push(pub.data.rtmp)
    } else if (roll < 0.5) {
      if (!own) return
      const flip = [mgr.pauseVideo, mgr.resumeVideo, mgr.pauseAudio, mgr.resumeAudio][r.int(4)]
      await flip.call(mgr, own.stream)
      this.count('pause/resume')
    } else if (roll < 0.6) {
      if (!own) return
      this.stopMedia()
      await mgr.unpubStream(own.stream)
      this.count('unpublish')
    } else if (roll < 0.72) {
      this.stopMedia()
      await mgr.exitConference()
      this.count('leave')
    } else if (roll < 0.84) {
      this.stopMedia()
      this.adapter.setNetwork(false)
      this.down = true
      this.count('drop')
    }
  }

  /** The end: leave cleanly, or vanish (the server finds out by the socket and the grace). */
  async finish(cleanly: boolean): Promise<void> {
    this.stopMedia()
    if (cleanly && !this.down) await this.emedia.mgr.exitConference().catch(() => undefined)
    else this.adapter.setNetwork(false)
    await this.emedia.mgr.disconnect().catch(() => undefined)
    await this.pusher?.stop()
  }
}

/** What the soak runs against: one server in this process, or a cluster of server processes. */
interface Target {
  /** Where member `i` connects. */
  entry(i: number): ClientTarget
  held(): Promise<Held>
  /** Invariant violations right now (one process only). */
  violations(): string[]
  /** ESTABLISHED TCP connections to the server(s). */
  tcp(): number
  /** Conference keys left in Redis (a cluster only). */
  redisKeys(): Promise<number | undefined>
  memory(): Record<string, Memory>
  /** Things done to the server(s) while the members churn, at fractions of the run. */
  midway: Array<{ at: number; run: () => Promise<string> }>
  /** Stop everything; a cluster then reports the ck:* keys left. */
  stop(): Promise<{ redisKeysAfterStop?: number }>
}

async function inProcess(o: SoakOptions): Promise<Target> {
  // One machine plays every phone: the per-address limits would see one huge NAT.
  const server = await startServer({
    graceMs: o.graceMs,
    maxSocketsPerAddress: 0,
    msgRatePerAddress: 0,
  })
  const port = Number(new URL(server.httpUrl).port)
  const sockets = socketsOf(server.service)!
  return {
    entry: () => server,
    async held() {
      let published = 0
      for (const c of server.service.conferences.values()) published += c.streams.size
      return { ...server.service.stats(), published, sockets: sockets.size }
    },
    violations: () => checkInvariants(server.service),
    tcp: () => tcpConnectionsTo(port),
    redisKeys: async () => undefined,
    memory: () => ({ soak: memory() }),
    midway: [],
    stop: () => server.stop().then(() => ({})),
  }
}

/** The node registry's keys (ck:node:*, ck:nodes) live as long as the nodes: not leftovers. */
const conferenceKeys = (keys: string[]) =>
  keys.filter((k) => !k.startsWith('ck:node:') && k !== 'ck:nodes')

async function inCluster(o: SoakOptions, n: number): Promise<Target> {
  const redis = await RedisServer.start()
  let cluster: TestCluster
  try {
    cluster = await TestCluster.start(redis.url, n, {
      graceMs: o.graceMs,
      drainMs: o.drainMs,
      load: true,
    })
  } catch (e) {
    await redis.close()
    throw e
  }
  const { nodes } = cluster
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
  // A node being restarted answers nothing: it holds nothing.
  const each = <T>(f: (node: (typeof nodes)[0]) => Promise<T>, none: T) =>
    Promise.all(nodes.map((node) => (node.running ? f(node).catch(() => none) : none)))
  const restart = async (node: (typeof nodes)[0], how: 'SIGTERM' | 'kill -9') => {
    const t0 = Date.now()
    const code = how === 'SIGTERM' ? await node.sigterm() : (await node.kill9(), null)
    const gone = Date.now() - t0
    await node.restart()
    await cluster.formed()
    const back = Date.now() - t0
    return `${node.id} ${how}: exited ${code ?? 'killed'} after ${gone} ms, back in the cluster after ${back} ms`
  }
  return {
    entry: (i) => ({ wsUrl: nodes[i % n].wsUrl, tokens: cluster.tokens }),
    async held() {
      const health = await each((node) => node.health().then((h) => h.body), null)
      const sockets = await each((node) => node.metric('ck_sockets'), 0)
      const total = (k: 'conferences' | 'members' | 'streams') =>
        sum(health.map((h) => (h ? h[k] : 0)))
      return {
        conferences: total('conferences'),
        members: total('members'),
        streams: total('streams'),
        published: null,
        sockets: sum(sockets),
      }
    },
    violations: () => [],
    tcp: () => sum(nodes.map((node) => tcpConnectionsTo(node.ports.port))),
    redisKeys: async () => conferenceKeys(await redis.keys('ck:*')).length,
    memory: () => Object.fromEntries(nodes.map((node) => [node.id, memoryOf(node.pid)])),
    midway: [
      { at: 1 / 3, run: () => restart(nodes[1 % n], 'SIGTERM') },
      { at: 2 / 3, run: () => restart(nodes[2 % n], 'kill -9') },
    ],
    async stop() {
      try {
        // Cleanly, so that each node takes its own registry keys with it.
        await Promise.all(nodes.map((node) => node.sigterm()))
        return { redisKeysAfterStop: (await redis.keys('ck:*')).length }
      } finally {
        await cluster.close()
        await redis.close()
      }
    },
  }
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const log = o.log ?? (() => undefined)
  const r = prng(o.seed)
  const nodes = o.nodes ?? 1
  const target = nodes > 1 ? await inCluster(o, nodes) : await inProcess(o)
  const before = target.memory()
  const ops: Record<string, number> = {}
  const errors: Record<string, number> = {}
  const violations = new Set<string>()
  const peak: Held = { conferences: 0, members: 0, streams: 0, published: null, sockets: 0 }
  const restarts: string[] = []
  let members: Member[] = []
  let stopped = false
  try {
    for (let i = 0; i < o.members; i++)
      members.push(
        new Member(target.entry(i), `m${i}`, i < o.mediaSample, ops, prng(r.int(2 ** 32))),
      )

    const started = Date.now()
    const deadline = started + o.durationMs
    let churning = true
    const monitor = (async () => {
      while (churning) {
        const h = await target.held()
        for (const k of ['conferences', 'members', 'streams', 'sockets'] as const)
          peak[k] = Math.max(peak[k], h[k])
        if (h.published !== null) peak.published = Math.max(peak.published ?? 0, h.published)
        for (const v of target.violations()) violations.add(v)
        const total = Object.values(ops).reduce((a, b) => a + b, 0)
        log(`  ${JSON.stringify({ ...h, ops: total })}`)
        await sleep(1000)
      }
    })()
    const midway = (async () => {
      for (const step of target.midway) {
        await sleep(started + step.at * o.durationMs - Date.now())
        if (!churning) return
        const line = await step.run()
        restarts.push(line)
        log(`  ${line}`)
      }
    })()
    await Promise.all(
      members.map(async (m) => {
        await sleep(m.r.int(1000))
        while (Date.now() < deadline) {
          await m.step(o.conferences).catch((e: { code?: number }) => {
            const code = String(e?.code ?? 'throw')
            errors[code] = (errors[code] ?? 0) + 1
          })
          await sleep(200 + m.r.int(1800))
        }
      }),
    )
    churning = false
    await Promise.all([monitor, midway])

    log('  everyone goes: half leave, half vanish')
    const leftAt = Date.now()
    await Promise.all(members.map((m) => m.finish(m.r.chance(0.5))))
    members = []
    // Vanished members wait out one grace window, then their empty conferences another.
    const leftovers = async () => {
      const h = await target.held()
      return {
        conferences: h.conferences,
        members: h.members,
        streams: h.streams,
        sockets: h.sockets,
        tcp: target.tcp(),
        ffmpeg: mediaChildren().length,
        redisKeys: await target.redisKeys(),
      }
    }
    const until = Date.now() + 2 * o.graceMs + 10000
    let end = await leftovers()
    while (Object.values(end).some((x) => (x ?? 0) > 0) && Date.now() < until) {
      await sleep(100)
      end = await leftovers()
    }
    const drainMs = Date.now() - leftAt
    for (const v of target.violations()) violations.add(v)
    const after = target.memory()
    stopped = true
    const { redisKeysAfterStop } = await target.stop()
    const { log: _drop, ...options } = o
    const { redisKeys, ...rest } = end
    return {
      options,
      ops,
      errors,
      peak,
      end: redisKeys === undefined ? rest : { ...rest, redisKeys, redisKeysAfterStop },
      violations: [...violations],
      memory: { before, after },
      drainMs,
      ...(nodes > 1 ? { restarts } : {}),
    }
  } finally {
    await Promise.all(members.map((m) => m.finish(false)))
    if (!stopped) await target.stop().catch(() => undefined)
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      members: { type: 'string', default: '500' },
      conferences: { type: 'string', default: '50' },
      seconds: { type: 'string', default: '60' },
      'grace-ms': { type: 'string', default: '3000' },
      media: { type: 'string', default: '3' },
      seed: { type: 'string', default: String(Date.now() % 1e9) },
      nodes: { type: 'string', default: '1' },
      'drain-ms': { type: 'string', default: '10000' },
    },
  })
  const options: SoakOptions = {
    members: Number(values.members),
    conferences: Number(values.conferences),
    durationMs: Number(values.seconds) * 1000,
    graceMs: Number(values['grace-ms']),
    mediaSample: Number(values.media),
    seed: Number(values.seed),
    nodes: Number(values.nodes),
    drainMs: Number(values['drain-ms']),
    log: (line) => console.log(line),
  }
  if (!(globalThis as { gc?: unknown }).gc)
    console.log('(run node with --expose-gc for exact memory figures)')
  console.log(`soak: ${JSON.stringify({ ...options, log: undefined })}`)
  const result = await runSoak(options)
  console.log(JSON.stringify(result, null, 2))
  const clean =
    result.violations.length === 0 &&
    Object.values(result.end).every((n) => n <= 0) &&
    !result.errors['-1']
  console.log(clean ? 'soak: clean' : 'soak: FAILED')
  process.exit(clean ? 0 : 1)
}

// Run as a program (npm run soak), not when imported by the test.
if (/soak\.js$/.test(process.argv[1] ?? '')) void main()
