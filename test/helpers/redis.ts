// A real redis-server (Debian's) for cluster tests and the cluster soak/bench: on a free loopback
// port, no persistence, its own process that close() always kills. stop() + start() brings it
// back on the same port (the Redis-down case).
import { type ChildProcess, spawn, spawnSync } from 'child_process'
import Redis from 'ioredis'
import { freePort } from './ports'

export const REDIS_SERVER = process.env.CK_REDIS_SERVER || '/usr/bin/redis-server'

export const redisAvailability: { ok: boolean; reason?: string } = (() => {
  const r = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' })
  if (r.error) return { ok: false, reason: `${REDIS_SERVER}: ${r.error.message}` }
  if (r.status !== 0) return { ok: false, reason: `${REDIS_SERVER} --version exited ${r.status}` }
  return { ok: true }
})()

export class RedisServer {
  private proc: ChildProcess | null = null
  private client: Redis | null = null
  private readonly log: string[] = []

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  /** A fresh redis-server on a free port, answering PING. */
  static async start(): Promise<RedisServer> {
    const r = new RedisServer(await freePort())
    await r.start()
    return r
  }

  /** (Re)start on this server's port; resolves once it answers PING. */
  async start(): Promise<void> {
    if (this.proc) return
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly']
    args.push('no', '--protected-mode', 'no', '--loglevel', 'warning')
    const proc = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    this.proc = proc
    const keep = (d: Buffer) => {
      this.log.push(d.toString())
      if (this.log.length > 100) this.log.splice(0, this.log.length - 100)
    }
    proc.stdout?.on('data', keep)
    proc.stderr?.on('data', keep)
    proc.once('exit', () => {
      if (this.proc === proc) this.proc = null
    })
    const deadline = Date.now() + 10000
    for (;;) {
      if (!this.proc) throw new Error(`redis-server exited at start:\n${this.output()}`)
      if (await this.pings()) return
      if (Date.now() > deadline) throw new Error(`redis-server did not answer:\n${this.output()}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  private async pings(): Promise<boolean> {
    const probe = new Redis(this.port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    })
    probe.on('error', () => undefined)
    try {
      await probe.connect()
      return (await probe.ping()) === 'PONG'
    } catch {
      return false
    } finally {
      probe.disconnect()
    }
  }

  /** What redis-server printed (for a failing test's report). */
  output(): string {
    return this.log.join('')
  }

  /** Kill it (SIGKILL: an outage, not a clean shutdown); the port stays ours to start() again. */
  async stop(): Promise<void> {
    this.client?.disconnect()
    this.client = null
    const proc = this.proc
    if (!proc) return
    const exited = new Promise<void>((r) => proc.once('exit', () => r()))
    proc.kill('SIGKILL')
    await exited
  }

  /** How many keys match `pattern` (SCAN, so it does not block the server). */
  async keys(pattern = 'ck:*'): Promise<string[]> {
    if (!this.client) {
      this.client = new Redis(this.port, '127.0.0.1', { maxRetriesPerRequest: 1 })
      this.client.on('error', () => undefined)
    }
    const found: string[] = []
    let cursor = '0'
    do {
      const [next, batch] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
      found.push(...batch)
      cursor = next
    } while (cursor !== '0')
    return found
  }

  /** Always safe to call (afterAll), whatever state it is in. */
  close(): Promise<void> {
    return this.stop()
  }
}
