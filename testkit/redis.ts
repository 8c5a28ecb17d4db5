// A real redis-server (Debian's) for cluster tests and the cluster soak/bench: on a loopback port
// picked for it (another one when that is taken: server/ports.ts), no persistence, its own
// process that close() always kills. stop() + start() brings it back on the same port (the
// Redis-down case).
import { type ChildProcess, spawn, spawnSync } from 'child_process'
import Redis from 'ioredis'
import { onFreePort } from '../server/ports'
import { addressInUse, whileInUse } from './ports'
import { sleep } from './wait'

export const REDIS_SERVER = process.env.CK_REDIS_SERVER || '/usr/bin/redis-server'

export const redisAvailability: { ok: boolean; reason?: string } = (() => {
  const r = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' })
  if (r.error) return { ok: false, reason: `${REDIS_SERVER}: ${r.error.message}` }
  if (r.status !== 0) return { ok: false, reason: `${REDIS_SERVER} --version exited ${r.status}` }
  return { ok: true }
})()

export class RedisServer {
  private proc: ChildProcess | null = null
  /** Resolves once the current process has exited and its output closed. */
  private closed: Promise<void> = Promise.resolve()
  private client: Redis | null = null
  private readonly log: string[] = []

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  /** A fresh redis-server on a port of its own, answering PING. */
  static start(): Promise<RedisServer> {
    return onFreePort(async (port) => {
      const r = new RedisServer(port)
      await r.launch()
      return r
    })
  }

  /** (Re)start on this server's port (again while it is still in use); resolves on PING. */
  async start(): Promise<void> {
    await whileInUse(() => this.launch())
  }

  private async launch(): Promise<void> {
    if (this.proc) return
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly']
    args.push('no', '--protected-mode', 'no', '--loglevel', 'warning')
    // Its title would overwrite its environ, and with it the mark of the test run that started it.
    args.push('--set-proc-title', 'no')
    const proc = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    this.proc = proc
    let mine = ''
    const keep = (d: Buffer) => {
      mine += d.toString()
      this.log.push(d.toString())
      if (this.log.length > 100) this.log.splice(0, this.log.length - 100)
    }
    proc.stdout?.on('data', keep)
    proc.stderr?.on('data', keep)
    // 'close': its output has all arrived, the reason it exited included.
    let closed = false
    this.closed = new Promise((resolve) =>
      proc.once('close', () => {
        closed = true
        if (this.proc === proc) this.proc = null
        resolve()
      }),
    )
    const deadline = Date.now() + 10000
    for (;;) {
      if (closed) {
        const why = `redis-server exited at start:\n${mine}`
        throw /Address already in use/.test(mine) ? addressInUse(why) : new Error(why)
      }
      if (await this.answers(proc.pid!)) return
      if (Date.now() > deadline) {
        await this.stop()
        throw new Error(`redis-server did not answer:\n${mine}`)
      }
      await sleep(50)
    }
  }

  /** Whether the redis-server on our port is `pid` (not another one holding the port). */
  private async answers(pid: number): Promise<boolean> {
    const probe = new Redis(this.port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
      // Whatever holds the port may not be a redis-server, and never answer.
      connectTimeout: 1000,
      commandTimeout: 1000,
    })
    probe.on('error', () => undefined)
    try {
      await probe.connect()
      return (await probe.info('server')).includes(`\r\nprocess_id:${pid}\r\n`)
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
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
    await this.closed
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
