// The nginx-rtmp media engine: Debian's nginx with libnginx-mod-rtmp, run as a child process
// with a config of our own in a private temp prefix (never the system's /etc/nginx or port 80).
// nginx decides nothing itself: its on_publish / on_play callbacks come to a small HTTP
// listener of ours on loopback, which asks the same synchronous hooks as the embedded engine.
// Sessions are kicked through nginx-rtmp's control module on a unix socket.
// This file wires the parts of this folder: process.ts (running nginx), callbacks.ts (its
// callbacks), control.ts (drop and stat), idle-publishers.ts, options.ts, config.ts, log.ts.
import fs from 'fs'
import { type MediaHooks, type MediaKind, type MediaSession } from '../engine'
import { EngineBase, type EngineLog, until } from '../engine-base'
import { type CallbackAnswer, CallbackListener, type CallName } from './callbacks'
import { dropAllClients, dropSession } from './control'
import { RELAY_QUERY } from './config'
import { IdlePublisherChecks } from './idle-publishers'
import { type NginxEngineOptions, nginxPaths, nginxSettings } from './options'
import {
  forgetPidFile,
  killNginx,
  nginxAvailable,
  type RunningNginx,
  startNginx,
  stopNginx,
} from './process'

export { parseCallback } from './callbacks'
export { DEFAULT_MODULE_PATH } from './options'
export type { NginxEngineOptions, NginxLog, NginxLogLevel } from './options'

/** nginx-rtmp reads "name?query" of publish/play into 256 bytes (NGX_RTMP_MAX_NAME) and cuts. */
export const NGINX_MAX_NAME_AND_QUERY = 255

export class NginxEngine extends EngineBase {
  readonly name = 'nginx'
  private readonly nginxPath: string | null
  private readonly modulePath: string
  private readonly idlePublisherMs: number
  private readonly startTimeoutMs: number

  private callbacks: CallbackListener | null = null
  private running: RunningNginx | null = null
  private starting = false
  // `live` is keyed by kind and clientid ("publish 42"): nginx numbers its connections.

  /** Our filtered log, for the parts in other files. */
  private readonly logTo: EngineLog = (level, message) => this.log(level, message)
  private readonly idleChecks: IdlePublisherChecks
  /** Our process exiting without stop(): take nginx along rather than leave it on the port. */
  private readonly onProcessExit = () => {
    if (!this.running) return
    killNginx(this.running.proc)
    fs.rmSync(this.running.prefix, { recursive: true, force: true })
    forgetPidFile(this.running)
  }

  /** Whether nginx and the rtmp module are installed here; the reason when not. */
  static available(opts: Pick<NginxEngineOptions, 'nginxPath' | 'modulePath'> = {}): {
    ok: boolean
    reason?: string
  } {
    const { nginxPath, modulePath } = nginxPaths(opts)
    return nginxAvailable(nginxPath, modulePath)
  }

  constructor(opts: NginxEngineOptions = {}) {
    super('NginxEngine', opts)
    const settings = nginxSettings(opts, (message) => this.error(message))
    this.nginxPath = settings.nginxPath
    this.modulePath = settings.modulePath
    this.idlePublisherMs = settings.idlePublisherMs
    this.startTimeoutMs = settings.startTimeoutMs
    this.idleChecks = new IdlePublisherChecks(this.idlePublisherMs, this.logTo)
  }

  async start(hooks: MediaHooks): Promise<void> {
    if (this.stopping) await this.stopping
    if (this.running || this.starting) throw this.error('already started')
    const avail = nginxAvailable(this.nginxPath, this.modulePath)
    if (!avail.ok) throw this.error(`cannot start: ${avail.reason}`)
    this.starting = true
    this.hooks = hooks
    try {
      this.callbacks = await CallbackListener.open(
        (call, session, length, answer) => this.onCallback(call, session, length, answer),
        {
          error: (f, message) => this.log('error', `${message}: ${String(f.err)} (${f.requestId})`),
        },
      )
      const running = await startNginx({
        nginxPath: this.nginxPath!,
        rtmpPort: this.rtmpPortWanted,
        logLevel: this.level,
        startTimeoutMs: this.startTimeoutMs,
        config: {
          modulePath: this.modulePath,
          bind: this.bind,
          app: this.app,
          callbackBase: this.callbacks.base,
          idlePublisherMs: this.idlePublisherMs,
        },
        log: this.logTo,
        error: (message) => this.error(message),
      })
      this.running = running
      void running.exited.then((code) => this.onExit(running, code))
      process.on('exit', this.onProcessExit)
      this.log('info', `nginx-rtmp engine at ${this.rtmpBase()} (prefix ${running.prefix})`)
    } catch (err) {
      await this.callbacks?.close()
      this.callbacks = null
      this.hooks = null
      throw err
    } finally {
      this.starting = false
    }
  }

  rtmpBase(): string {
    return this.urlBase('rtmp', this.running?.rtmpPort ?? 0) // throws when not running
  }

  /** nginx-rtmp serves RTMP only (HTTP-FLV would need nginx-http-flv-module). */
  flvBase(): string | null {
    if (!this.isStarted()) throw this.error('not started')
    return null
  }

  /**
   * Kick a publisher or player through the control module. nginx then sends publish_done /
   * play_done, which report stopped as for any other end.
   */
  closeSession(sessionId: string): void {
    const running = this.running
    if (!running || !/^\d+$/.test(sessionId)) return
    const ours = () =>
      this.running === running &&
      (this.live.has(`publish ${sessionId}`) || this.live.has(`play ${sessionId}`))
    void dropSession(running.controlSocket, this.app, sessionId, this.logTo, ours)
  }

  protected isStarted(): boolean {
    return this.running !== null
  }

  /** nginx went away: unexpected unless stopping. Sessions it held are over either way. */
  private onExit(running: RunningNginx, code: number | string | null): void {
    if (this.running !== running) return
    if (!this.stopping) this.log('error', `nginx exited unexpectedly (${code}); media is down`)
    this.endAll()
  }

  private endAll(): void {
    this.idleChecks.cancelAll()
    this.reportAllStopped()
  }

  private onCallback(
    name: CallName,
    session: MediaSession,
    nameAndQueryLength: number,
    answer: CallbackAnswer,
  ): void {
    if (name === 'publish' || name === 'play') {
      const reason = this.judge(name, session, nameAndQueryLength)
      if (reason !== null) {
        this.log(
          'info',
          `refused ${name} ${session.stream} (client ${session.sessionId}, ${session.ip}): ${reason}`,
        )
        return answer(403, reason)
      }
      const key = `${name} ${session.sessionId}`
      if (this.live.has(key)) return answer(200, 'ok')
      answer(200, 'ok')
      // nginx has no "first packet" callback: started means "allowed". A publisher gets
      // NetStream.Publish.Start only after this 200 and nginx's live module ignores media of a
      // stream not yet publishing, so on_publish always precedes media; the announce therefore
      // goes out a round trip plus the encoder's start before the first frame, and a player
      // that joins at once waits up to one GOP for the next key frame (no GOP cache).
      if (name === 'publish' && this.idlePublisherMs > 0) this.checkMediaLater(session.sessionId)
      return this.reportStarted(key, name, session)
    }
    answer(200, 'ok')
    const kind: MediaKind = name === 'publish_done' ? 'publish' : 'play'
    const key = `${kind} ${session.sessionId}`
    if (kind === 'publish') this.idleChecks.cancel(session.sessionId)
    const ended = this.live.get(key)
    // Refused sessions: nginx clears its flag and sends no done; one that hung up while we
    // were answering may still get one, and is ignored here.
    this.reportStopped(key)
    if (ended?.kind === 'publish') this.dropRelaysOf(ended.session.stream)
  }

  /**
   * Edges pull a stream as a play here (edge-hooks.ts). Unlike a player, which stays attached
   * for the publisher's return, a relay pull ends with its publisher: nginx-rtmp then ends the
   * edge's players of the stream, and the next play there makes a fresh pull.
   */
  private dropRelaysOf(stream: string): void {
    for (const { kind, session } of this.live.values()) {
      if (kind === 'play' && session.stream === stream && session.query[RELAY_QUERY]) {
        this.closeSession(session.sessionId)
      }
    }
  }

  /** The sessions nginx holds now, as reported started (for operators and tests). */
  sessions(): Array<{ kind: MediaKind; session: MediaSession }> {
    return [...this.live.values()].map(({ kind, session }) => ({ kind, session: { ...session } }))
  }

  private checkMediaLater(sessionId: string): void {
    const running = this.running!
    const stillLive = () => this.running === running && this.live.has(`publish ${sessionId}`)
    const drop = () => this.closeSession(sessionId)
    this.idleChecks.schedule(running.controlSocket, sessionId, stillLive, drop)
  }

  private judge(kind: MediaKind, s: MediaSession, nameAndQueryLength: number): string | null {
    if (!/^\d+$/.test(s.sessionId) || !s.stream) return 'malformed callback'
    if (s.app !== this.app) return 'unknown app'
    if (nameAndQueryLength >= NGINX_MAX_NAME_AND_QUERY) {
      // nginx-rtmp keeps 255 bytes of "name?query": at that length a token was probably cut
      // (a refusal follows). Say so, or the refusal is a mystery.
      const limit = NGINX_MAX_NAME_AND_QUERY
      this.log(
        'warn',
        `${kind} ${s.stream}: stream name and query reach nginx-rtmp's ${limit}-byte limit; anything longer was cut`,
      )
    }
    // nginx would refuse a second publisher after our 200 ("Already publishing") and still send
    // publish_done.
    return this.authorize(kind, s, () => this.publisherOf(s.stream) !== undefined)
  }

  private publisherOf(stream: string): MediaSession | undefined {
    for (const e of this.live.values()) {
      if (e.kind === 'publish' && e.session.stream === stream) return e.session
    }
    return undefined
  }

  /**
   * Drop every client, QUIT, then TERM (fast shutdown), then KILL; every session reported
   * started gets its stopped before this resolves. Dropping first matters: a graceful nginx
   * waits for its RTMP connections to end (worker_shutdown_timeout does not cut them), and
   * drops send publish_done / play_done, so the hooks hear of each end from nginx itself.
   */
  protected async shutdown(): Promise<void> {
    const running = this.running!
    // A session allowed a moment ago may not have joined its stream yet (drop cannot see it):
    // drop again while sessions remain.
    for (let round = 0; round < 3 && !running.ended && this.live.size > 0; round++) {
      await dropAllClients(running.controlSocket, this.app).catch((err: Error) =>
        this.log('warn', `dropping clients before stop: ${err.message}`),
      )
      await until(() => this.live.size === 0 || running.ended, 100)
    }
    await stopNginx(running, this.logTo)
    // publish_done / play_done sent while nginx shut down may still be in flight.
    await until(() => this.live.size === 0, 50)
    this.endAll()
    await this.callbacks?.close()
    fs.rmSync(running.prefix, { recursive: true, force: true })
    process.off('exit', this.onProcessExit)
    this.callbacks = null
    this.running = null
    this.hooks = null
  }
}
