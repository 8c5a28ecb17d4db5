// What every media engine does the same way, whatever RTMP server is underneath: its options
// (addresses, app, log level), its URLs, its log filter, and the promise to the hooks that a
// session reported started gets exactly one stopped, and that a throwing hook harms nothing.
import { type MediaEngine, type MediaHooks, type MediaKind, type MediaSession } from './engine'

export type EngineLogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug'
export type LogLevel = Exclude<EngineLogLevel, 'silent'>
export type EngineLog = (level: LogLevel, message: string) => void

/** Most verbose first. */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']

/** The options every engine takes (server/app.ts passes the same ones to each). */
export interface EngineOptions {
  /** Listen address. Default 127.0.0.1. */
  bind?: string
  /** RTMP port; 0 picks a free one. Default 1935. */
  rtmpPort?: number
  /** Host put into URLs. Default: the bind address, 127.0.0.1 when bound to all interfaces. */
  publicHost?: string
  /** The one RTMP application accepted. Default 'live'. */
  app?: string
  /** Default 'warn'. The media server's own messages go through the same filter. */
  logLevel?: EngineLogLevel
  /** Where log lines go; default console.log. */
  log?: EngineLog
}

// What node-media-server accepts as app and stream names (and what nginx's config takes as is).
const SAFE_NAME = /^[a-zA-Z0-9_-]+$/

const consoleLog: EngineLog = (level, msg) =>
  console.log(`[${new Date().toISOString()}] [${level.toUpperCase()}] ${msg}`)

export async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 5))
}

export abstract class EngineBase implements MediaEngine {
  abstract readonly name: string
  protected readonly bind: string
  protected readonly rtmpPortWanted: number
  protected readonly publicHost: string
  protected readonly app: string
  protected readonly level: EngineLogLevel
  private readonly sink: EngineLog

  protected hooks: MediaHooks | null = null
  /** The shutdown in progress, if any. */
  protected stopping: Promise<void> | null = null
  /** Sessions reported started, keyed as the engine likes: each gets exactly one stopped. */
  protected readonly live = new Map<string, { kind: MediaKind; session: MediaSession }>()

  /** `label` starts every error message (tests and operators match on it). */
  constructor(
    private readonly label: string,
    opts: EngineOptions,
  ) {
    this.bind = opts.bind ?? '127.0.0.1'
    if (!this.bind) throw this.error('bind must be an address')
    this.rtmpPortWanted = this.checkPort('rtmpPort', opts.rtmpPort ?? 1935)
    const anyAddress = this.bind === '0.0.0.0' || this.bind === '::'
    this.publicHost = opts.publicHost || (anyAddress ? '127.0.0.1' : this.bind)
    this.app = opts.app ?? 'live'
    if (!SAFE_NAME.test(this.app)) {
      throw this.error(`app must match ${SAFE_NAME}, got "${this.app}"`)
    }
    this.level = opts.logLevel ?? 'warn'
    if (this.level !== 'silent' && !(LOG_LEVELS as readonly string[]).includes(this.level)) {
      throw this.error(`unknown logLevel "${this.level}"`)
    }
    this.sink = opts.log ?? consoleLog
  }

  abstract start(hooks: MediaHooks): Promise<void>
  abstract rtmpBase(): string
  abstract flvBase(): string | null
  /** Players use the same engine as publishers. */
  playBase(): string {
    return this.rtmpBase()
  }
  abstract closeSession(sessionId: string): void
  /** Whether there is something for stop() to end. */
  protected abstract isStarted(): boolean
  /** End everything; each session in `live` gets its stopped before this resolves. */
  protected abstract shutdown(): Promise<void>

  /** Concurrent and repeated calls share one shutdown. */
  stop(): Promise<void> {
    if (!this.isStarted()) return this.stopping ?? Promise.resolve()
    if (!this.stopping) this.stopping = this.shutdown().finally(() => (this.stopping = null))
    return this.stopping
  }

  protected error(message: string): Error {
    return new Error(`${this.label}: ${message}`)
  }

  protected checkPort(name: string, port: number): number {
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw this.error(`${name} must be an integer 0-65535, got ${port}`)
    }
    return port
  }

  /** e.g. rtmp://[::1]:1935/live; throws when not started. */
  protected urlBase(scheme: 'rtmp' | 'http', port: number): string {
    if (!this.isStarted()) throw this.error('not started')
    const host = this.publicHost.includes(':') ? `[${this.publicHost}]` : this.publicHost
    return `${scheme}://${host}:${port}/${this.app}`
  }

  protected log(level: LogLevel, message: string): void {
    if (this.level === 'silent' || LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(this.level)) {
      return
    }
    this.sink(level, message)
  }

  /**
   * The hooks' verdict on an allowed-app session, then the one-publisher rule (`published`:
   * whether the stream already has a publisher). A throwing authorize refuses.
   */
  protected authorize(
    kind: MediaKind,
    session: MediaSession,
    published: () => boolean,
  ): string | null {
    let reason: string | null
    try {
      reason = this.hooks!.authorize(kind, session)
    } catch (err) {
      this.log('error', `authorize threw: ${(err as Error).message}`)
      return 'authorization failed'
    }
    if (reason !== null) return reason
    // Both servers would refuse a second publisher only after it was allowed, and then report
    // its end (or report it as a player): a started/stopped pair for a publisher that never was.
    if (kind === 'publish' && published()) return 'stream already published'
    return null
  }

  /** Record a session (not yet in `live`) and tell the hooks it started. */
  protected reportStarted(key: string, kind: MediaKind, session: MediaSession): void {
    this.live.set(key, { kind, session })
    this.callHook('started', kind, session)
  }

  /** The session's one stopped; nothing for a key not (or no longer) in `live`. */
  protected reportStopped(key: string): void {
    const entry = this.live.get(key)
    if (!entry) return
    this.live.delete(key)
    this.callHook('stopped', entry.kind, entry.session)
  }

  /** Stopped for every session still live: the caller's roster is told, whatever happened. */
  protected reportAllStopped(): void {
    for (const key of [...this.live.keys()]) this.reportStopped(key)
  }

  /** A throwing hook must not unwind into the engine's socket or callback handlers. */
  private callHook(hook: 'started' | 'stopped', kind: MediaKind, session: MediaSession): void {
    try {
      this.hooks?.[hook](kind, session)
    } catch (err) {
      this.log('error', `${hook} hook threw: ${(err as Error).message}`)
    }
  }
}
