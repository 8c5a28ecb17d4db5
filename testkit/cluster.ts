// A cluster for tests and benchmarks: N real server processes (`conference-server
// --redis ...`) on loopback sharing one Redis and one secret, each with free HTTP, RTMP and
// HTTP-FLV ports (bound as port 0 by each node, learnt from its --ready-file). Per node: kill -9,
// SIGTERM (drain), restart on the same ports with the same id, freeze (SIGSTOP) and thaw,
// /healthz. What each process prints is kept and shown when a test fails (withLogs).
import { type ChildProcess } from 'child_process'
import { randomBytes } from 'crypto'
import { Tokens } from '../server/auth/tokens'
import { httpCall } from './http'
import { descendants, reap } from './procs'
import { ensureBuilt, healthy, type ServerPorts, spawnServer } from './server-process'
import { until } from './wait'

export interface NodeOptions {
  graceMs?: number
  drainMs?: number
  heartbeatMs?: number
  logLevel?: 'silent' | 'error' | 'warn' | 'info' | 'debug'
  /** Lift the per-address limits: every client of a test comes from 127.0.0.1. */
  load?: boolean
  /** More `--flag value` pairs. */
  flags?: string[]
  /** More flags for one node: `perNode[i]` for node n(i+1). */
  perNode?: string[][]
}

export interface Health {
  status: number
  body: {
    ok: boolean
    node?: string
    redis?: 'up' | 'down'
    draining?: boolean
    /** Alive nodes this one knows of, itself included. */
    nodes?: number
    conferences: number
    members: number
    streams: number
    [k: string]: unknown
  }
}

const MAX_LOG = 64 * 1024

export class ClusterNode {
  private proc: ChildProcess | null = null
  private log = ''
  /** Its ports: 0 until the first start, the same on every restart. */
  readonly ports: ServerPorts = { port: 0, rtmpPort: 0, flvPort: 0 }

  constructor(
    readonly id: string,
    private readonly args: string[],
    readonly tokens: Tokens,
  ) {}

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.ports.port}/ws`
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.ports.port}`
  }

  get rtmpBase(): string {
    return `rtmp://127.0.0.1:${this.ports.rtmpPort}`
  }

  get pid(): number {
    return this.proc?.pid ?? 0
  }

  get running(): boolean {
    return this.proc !== null
  }

  /** Start (or start again, same ports and id); resolves once /healthz answers 200. */
  async start(timeoutMs = 15000): Promise<void> {
    if (this.proc) throw new Error(`${this.id} is already running`)
    const { proc, ready } = await spawnServer({
      args: this.args,
      ports: this.ports.port ? this.ports : null,
      onOutput: (text) => {
        this.log += text
        if (this.log.length > MAX_LOG) this.log = this.log.slice(-MAX_LOG)
      },
      timeoutMs,
    })
    const { port, rtmpPort, flvPort, playRtmpPort } = ready
    Object.assign(this.ports, { port, rtmpPort, flvPort: flvPort ?? 0, playRtmpPort })
    this.proc = proc
    if (proc.exitCode !== null || proc.signalCode !== null) this.proc = null
    proc.once('exit', (code, signal) => {
      this.log += `\n[${this.id} exited: ${signal ?? code}]\n`
      if (this.proc === proc) this.proc = null
    })
    await healthy(proc, this.httpUrl, timeoutMs).catch((e: Error) => {
      throw new Error(`${this.id}: ${e.message}:\n${this.output()}`)
    })
  }

  restart(): Promise<void> {
    return this.start()
  }

  async health(): Promise<Health> {
    const res = await httpCall(`${this.httpUrl}/healthz`)
    return { status: res.status, body: JSON.parse(res.text) as Health['body'] }
  }

  /** One gauge of its Prometheus /metrics (e.g. ck_sockets). */
  async metric(name: string): Promise<number> {
    const res = await httpCall(`${this.httpUrl}/metrics`)
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(res.text)
    if (!m) throw new Error(`${this.id}: no ${name} in /metrics`)
    return Number(m[1])
  }

  /**
   * The process and what it started (--engine nginx: its nginx) are gone: resolves with its exit
   * code (null when a signal ended it).
   */
  private async exit(signal: NodeJS.Signals): Promise<number | null> {
    const proc = this.proc
    if (!proc) return null
    const started = descendants(proc.pid!)
    const done = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
    proc.kill(signal)
    const code = await done
    await reap(started)
    return code
  }

  /** kill -9: no drain, no goodbye; the others find out from Redis. */
  async kill9(): Promise<void> {
    await this.exit('SIGKILL')
  }

  /** SIGSTOP / SIGCONT: the node hears nothing and answers nothing until thawed (a stall). */
  freeze(): void {
    this.proc?.kill('SIGSTOP')
  }

  thaw(): void {
    this.proc?.kill('SIGCONT')
  }

  /** SIGTERM: the node drains; resolves with its exit code. */
  sigterm(): Promise<number | null> {
    return this.exit('SIGTERM')
  }

  /** Everything the process printed (the last 64 KiB). */
  output(): string {
    return this.log
  }
}

export class TestCluster {
  readonly tokens: Tokens

  private constructor(
    readonly nodes: ClusterNode[],
    readonly secret: string,
    readonly adminSecret: string,
  ) {
    this.tokens = nodes[0]?.tokens ?? new Tokens(secret, 'default')
  }

  /** `n` nodes n1..nN on `redisUrl`, started in parallel. */
  static async start(redisUrl: string, n: number, opts: NodeOptions = {}): Promise<TestCluster> {
    ensureBuilt()
    const secret = randomBytes(24).toString('base64url')
    const adminSecret = randomBytes(24).toString('base64url')
    const tokens = new Tokens(secret, 'default')
    const nodes: ClusterNode[] = []
    for (let i = 1; i <= n; i++) {
      const id = `n${i}`
      // `--x=value`: a random secret may start with "-".
      const args = ['--host', '127.0.0.1', `--secret=${secret}`, `--admin-secret=${adminSecret}`]
      args.push('--redis', redisUrl, '--node-id', id)
      args.push('--log-level', opts.logLevel ?? 'warn', '--grace-ms', String(opts.graceMs ?? 20000))
      args.push('--drain-ms', String(opts.drainMs ?? 10000))
      if (opts.heartbeatMs) args.push('--heartbeat-ms', String(opts.heartbeatMs))
      if (opts.load) {
        args.push('--max-sockets-per-address', '0', '--msg-rate-per-address', '0')
        args.push('--max-conferences-per-user', '0')
      }
      args.push(...(opts.flags ?? []), ...(opts.perNode?.[i - 1] ?? []))
      nodes.push(new ClusterNode(id, args, tokens))
    }
    const cluster = new TestCluster(nodes, secret, adminSecret)
    try {
      // Settled, not all: close() below must not miss a node that was still starting.
      const started = await Promise.allSettled(nodes.map((node) => node.start()))
      const failed = started.find((r) => r.status === 'rejected')
      if (failed) throw failed.reason
      await cluster.formed()
    } catch (e) {
      await cluster.close()
      throw e
    }
    return cluster
  }

  /**
   * Every running node sees every other (its /healthz counts them): a client joining before that
   * would be given an incomplete list of the nodes it may fail over to.
   */
  async formed(timeoutMs = 10000): Promise<void> {
    const running = this.nodes.filter((n) => n.running)
    let seen: Array<number | undefined> = []
    await until(
      async () => {
        seen = await Promise.all(
          running.map((n) =>
            n.health().then(
              (h) => h.body.nodes,
              () => 0,
            ),
          ),
        )
        return seen.every((k) => k === running.length)
      },
      timeoutMs,
      () => `the cluster to form: nodes seen ${seen.join(', ')}`,
      100,
    )
  }

  /** A user token signed with the cluster's secret (valid on every node). */
  mint(userId: string, maxRole?: 1 | 3 | 7 | 9): string {
    return this.tokens.mintUser(userId, 3600, maxRole)
  }

  /** An operator API call on one node (GET unless `method`; `body` is sent as JSON). */
  async admin<T>(node: ClusterNode, path: string, method = 'GET', body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.adminSecret}` }
    if (body !== undefined) headers['content-type'] = 'application/json'
    const json = body === undefined ? undefined : JSON.stringify(body)
    const res = await httpCall(`${node.httpUrl}${path}`, { method, headers, body: json })
    if (res.status !== 200)
      throw new Error(`${node.id} ${method} ${path}: HTTP ${res.status} ${res.text}`)
    return JSON.parse(res.text) as T
  }

  /** The node hosting conference `confrId`, as the operator API of `via` reports it. */
  async hostOf(confrId: string, via = this.nodes.find((n) => n.running)!): Promise<ClusterNode> {
    const { conferences } = await this.admin<{
      conferences: Array<{ confrId: string; host?: string | null }>
    }>(via, '/api/conferences')
    const id = conferences.find((c) => c.confrId === confrId)?.host
    const node = this.nodes.find((n) => n.id === id)
    if (!node) throw new Error(`${confrId}: host ${id} is not a node of this cluster`)
    return node
  }

  /** Every node's output, labelled. */
  output(): string {
    return this.nodes.map((n) => `----- ${n.id} -----\n${n.output() || '(nothing)'}`).join('\n')
  }

  /** Kill every node still running (afterAll; safe to call twice). */
  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill9()))
  }
}

/** A test body that prints the cluster's (and Redis's) output when it fails. */
export function withLogs(
  sources: () => Array<{ output(): string } | undefined>,
  body: () => Promise<void>,
): () => Promise<void> {
  return async () => {
    try {
      await body()
    } catch (e) {
      const logs = sources()
        .map((s) => s?.output())
        .filter(Boolean)
        .join('\n')
      process.stderr.write(`\n===== process output of the failed test =====\n${logs}\n`)
      throw e
    }
  }
}
