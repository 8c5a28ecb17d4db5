// The parent's handle on a server child (server-child.ts): start it with a configuration, mint
// user tokens with the secret it was given, read its CPU/RSS (and its media engine's) from /proc,
// hear when streams go live, stop it.
import { type ChildProcess, fork } from 'child_process'
import { randomBytes } from 'crypto'
import { join } from 'path'
import { createEmedia, createNodeAdapter } from '../sdk/node'
import { Tokens } from '../server/auth/tokens'
import type { ServerConfig } from '../server/config'
import { commOf, processTree } from '../testkit/procs'

export interface LiveMark {
  streamId: string
  /** Child's monotonic ms when the engine reported the publish (before the broadcast). */
  at: number
  /** Child's monotonic ms once every streamAdded frame was queued on its socket. */
  queuedAt: number
  /** Child's monotonic ms once every streamAdded frame was handed to the kernel. */
  sentAt: number
}

/** Limits meant for the internet, lifted: all load here comes from one address, 127.0.0.1, and
 * opens its sockets before it joins (on a busy box that can take longer than the auth timeout). */
export const LOAD_OVERRIDES: Partial<ServerConfig> = {
  maxSocketsPerAddress: 0,
  msgRatePerAddress: 0,
  maxConferencesPerUser: 0,
  authTimeoutMs: 0,
}

export class ServerProc {
  readonly tokens: Tokens
  wsUrl = ''
  rtmpBase = ''
  private readonly lives = new Map<string, LiveMark>()
  private readonly liveWaiters = new Map<string, (m: LiveMark) => void>()

  private constructor(
    private readonly child: ChildProcess,
    secret: string,
  ) {
    this.tokens = new Tokens(secret, 'default')
    child.on('message', (m: { type?: string } & LiveMark) => {
      if (m?.type !== 'live') return
      this.lives.set(m.streamId, m)
      this.liveWaiters.get(m.streamId)?.(m)
    })
  }

  get pid(): number {
    return this.child.pid!
  }

  static async start(config: Partial<ServerConfig> = {}): Promise<ServerProc> {
    const secret = randomBytes(32).toString('base64url')
    const child = fork(
      join(__dirname, 'server-child.js'),
      [JSON.stringify({ ...config, secret })],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    )
    const proc = new ServerProc(child, secret)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('bench server did not start in 20 s')), 20000)
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)))
      child.on('message', (m: { type?: string; wsUrl: string; rtmpBase: string }) => {
        if (m?.type !== 'ready') return
        clearTimeout(timer)
        proc.wsUrl = m.wsUrl
        proc.rtmpBase = m.rtmpBase
        resolve()
      })
    })
    return proc
  }

  mint(userId: string): string {
    return this.tokens.mintUser(userId, 3600)
  }

  /** A silent SDK member for `userId` on this server (not joined yet). */
  member(userId: string) {
    const emedia = createEmedia({ adapter: createNodeAdapter() })
    emedia.config({ host: this.wsUrl, token: this.mint(userId), logLevel: 'silent' as never })
    return emedia
  }

  /** The engine reported media for `streamId` (resolves at once if it already has). */
  live(streamId: string, timeoutMs = 10000): Promise<LiveMark> {
    const seen = this.lives.get(streamId)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${streamId} not live`)), timeoutMs)
      this.liveWaiters.set(streamId, (m) => {
        clearTimeout(timer)
        this.liveWaiters.delete(streamId)
        resolve(m)
      })
    })
  }

  /** The server process itself. */
  serverPids(): number[] {
    return [this.pid]
  }

  /** nginx master + worker when the engine is nginx (they are the server's descendants). */
  nginxPids(): number[] {
    return processTree(this.pid).filter((p) => commOf(p) === 'nginx')
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()))
    this.child.send({ type: 'stop' })
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10000)
    await exited
    clearTimeout(timer)
  }
}
