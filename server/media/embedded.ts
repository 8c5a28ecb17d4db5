// The embedded media engine: node-media-server 4.4.3 running inside the server process, so that
// `npm start` needs nothing else. We use its RTMP/FLV sessions and its events, but own the
// listeners (no nms.run(): that opens a store under ./data and starts record/relay/history
// servers, and calls process.exit when a port is taken).
import { createServer, type Server as NetServer } from 'net'
import { type Server as HttpServer, ServerResponse } from 'http'
import NodeMediaServer from 'node-media-server'
import Context from 'node-media-server/src/core/context.js'
import nmsLogger from 'node-media-server/src/core/logger.js'
import { type MediaHooks, type MediaKind, type MediaSession } from './engine'
import { EngineBase, type EngineOptions, LOG_LEVELS, type LogLevel, until } from './engine-base'
import { guardFlvPort } from './flv-guard'
import { guardRtmpSession } from './rtmp-guard'

type Session = NodeMediaServer.Session

/** `bind` is the address of both listeners; node-media-server's log goes through `logLevel`. */
export interface EmbeddedEngineOptions extends EngineOptions {
  /** HTTP-FLV (and WS-FLV) port; 0 picks a free one; null turns HTTP-FLV off. Default 8000. */
  httpPort?: number | null
  /**
   * A publisher that sends nothing for this long (a phone that lost coverage without closing
   * TCP) is disconnected, so that its stream is withdrawn. 0 = never. Default 10 s.
   */
  publisherIdleMs?: number
}

// node-media-server keeps its sessions, broadcasts and config in one module-level Context: two
// engines in a process would share (and corrupt) it. The mark sits on Context itself so that it
// holds even if this file is loaded twice (e.g. from dist/ and from source).
const OWNER = Symbol.for('miniprogram-conference-kit.embedded-engine')
type OwnedContext = typeof Context & { [OWNER]?: EmbeddedEngine }

/** Query values as strings: the first of a repeated key, nothing that is not a string. */
function flatQuery(query: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(query ?? {})) {
    const first = Array.isArray(value) ? value[0] : value
    if (typeof first === 'string') out[key] = first
  }
  return out
}

function toMediaSession(s: Session): MediaSession {
  return {
    sessionId: String(s.id),
    app: s.streamApp,
    stream: s.streamName,
    query: flatQuery(s.streamQuery),
    ip: s.ip,
  }
}

/** The TCP socket under a session: RTMP's own, or the (upgrade) request's for HTTP/WS-FLV. */
function socketOf(s: Session) {
  return s.socket ?? s.req?.socket
}

/**
 * Drop a connection now. session.close() only half-closes (socket.end()): node-media-server
 * keeps reading and broadcasting what the peer sends until the peer notices, so a refused or
 * kicked publisher could still feed players for a while. Destroying stops reading at once.
 */
function disconnect(s: Session): void {
  const socket = socketOf(s)
  if (socket) socket.destroy()
  else s.close()
}

function listen(server: NetServer, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening)
      reject(
        new Error(`EmbeddedEngine: cannot listen for ${what} on ${host}:${port}: ${err.message}`),
      )
    }
    const onListening = () => {
      server.off('error', onError)
      const addr = server.address()
      resolve(typeof addr === 'object' && addr ? addr.port : port)
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
}

export class EmbeddedEngine extends EngineBase {
  readonly name = 'embedded'
  private readonly httpPortWanted: number | null
  private readonly publisherIdleMs: number

  private nms: NodeMediaServer | null = null
  private rtmpServer: NetServer | null = null
  private httpServer: HttpServer | null = null
  private rtmpPort = 0
  private httpPort = 0
  /** Sessions refused in a pre-event: node-media-server still emits post/done events for them. */
  private refused = new WeakSet<Session>()
  private listeners: Array<[NodeMediaServer.EventName, (s: Session) => void]> = []
  private nmsLog: typeof nmsLogger.log | null = null

  constructor(opts: EmbeddedEngineOptions = {}) {
    super('EmbeddedEngine', opts)
    this.httpPortWanted =
      opts.httpPort === null ? null : this.checkPort('httpPort', opts.httpPort ?? 8000)
    this.publisherIdleMs = opts.publisherIdleMs ?? 10000
    if (!Number.isInteger(this.publisherIdleMs) || this.publisherIdleMs < 0) {
      throw this.error(`publisherIdleMs must be a whole number of ms`)
    }
  }

  async start(hooks: MediaHooks): Promise<void> {
    const ctx = Context as OwnedContext
    if (this.nms || ctx[OWNER] === this) throw this.error('already started')
    if (ctx[OWNER]) {
      throw this.error(
        'another embedded engine is running in this process; node-media-server ' +
          'keeps process-wide state, so stop that one first',
      )
    }
    ctx[OWNER] = this
    this.hooks = hooks
    try {
      this.nms = this.createNms()
      for (const [event, listener] of this.listeners) this.nms.on(event, listener)
      const nms = this.nms
      // node-media-server leaves Nagle on: its small handshake replies then wait ~40 ms each for
      // delayed ACKs (bench: first frame 57 → 6 ms with it off).
      this.rtmpServer = createServer((socket) => {
        socket.setNoDelay(true)
        nms.rtmpServer.handleRequest(socket)
        const ip = `${socket.remoteAddress}:${socket.remotePort}`
        guardRtmpSession(socket, (why) => this.log('info', `RTMP ${ip} dropped: ${why}`))
      })
      this.rtmpPort = await listen(this.rtmpServer, this.rtmpPortWanted, this.bind, 'RTMP')
      this.rtmpServer.on('error', (err) => this.log('error', `RTMP listener: ${err.message}`))
      if (this.httpPortWanted !== null) {
        const http = nms.httpServer.httpServer
        if (!http) throw this.error('node-media-server built no HTTP server')
        this.httpServer = http
        // Its handler logs and calls process.exit: our listen() rejects start() instead. (This
        // also drops ws's re-emitting of server errors, which nobody listens to.)
        http.removeAllListeners('error')
        // Node's 5-minute requestTimeout would cut an HTTP-FLV publish (a POST that never ends).
        http.requestTimeout = 0
        guardFlvPort(http, this.app, (why) => this.log('debug', `HTTP-FLV refused: ${why}`))
        this.httpPort = await listen(http, this.httpPortWanted, this.bind, 'HTTP-FLV')
        http.on('error', (err) => this.log('error', `HTTP-FLV listener: ${err.message}`))
      }
      this.log(
        'info',
        `embedded engine at ${this.rtmpBase()}${this.httpServer ? ` and ${this.flvBase()}` : ''}`,
      )
    } catch (err) {
      await this.shutdown()
      throw err
    }
  }

  rtmpBase(): string {
    return this.urlBase('rtmp', this.rtmpPort)
  }

  flvBase(): string | null {
    const base = this.urlBase('http', this.httpPort)
    return this.httpServer ? base : null
  }

  closeSession(sessionId: string): void {
    const session = this.nms ? Context.sessions.get(sessionId) : undefined
    if (!session) return
    this.log('info', `closing session ${sessionId} (${session.streamPath})`)
    disconnect(session)
  }

  protected isStarted(): boolean {
    return this.nms !== null
  }

  private createNms(): NodeMediaServer {
    // Its logger is one package-wide object whose constructor-time level is forced to debug and
    // whose output is console.log: route it through our filter and sink while we run.
    this.nmsLog = nmsLogger.log
    nmsLogger.log = (message: string, level = 'info') => {
      if (level === 'trace') level = 'debug'
      if ((LOG_LEVELS as readonly string[]).includes(level)) {
        this.log(level as LogLevel, `nms: ${message}`)
      }
    }
    this.listeners = [
      ['prePublish', (s) => this.onPre('publish', s)],
      ['prePlay', (s) => this.onPre('play', s)],
      ['postPublish', (s) => this.onStarted('publish', s)],
      ['postPlay', (s) => this.onStarted('play', s)],
      ['donePublish', (s) => this.reportStopped(s.id)],
      ['donePlay', (s) => this.reportStopped(s.id)],
    ]
    return new NodeMediaServer({
      bind: this.bind,
      // NodeHttpServer only builds its server when http.port is truthy; we listen on it
      // ourselves (on httpPortWanted, which may be 0), so the value here is never used.
      http: this.httpPortWanted === null ? undefined : { port: this.httpPortWanted || 1 },
      webadmin: { enable: false },
    })
  }

  /** Runs synchronously inside node-media-server's pre-event: refusing here stops all media. */
  private onPre(kind: MediaKind, s: Session): void {
    if (kind === 'publish') this.settlePublisher(s)
    const reason = this.refusal(kind, s)
    if (reason === null) return
    this.refused.add(s)
    this.log('info', `refused ${kind} ${s.streamPath} (session ${s.id}, ${s.ip}): ${reason}`)
    const res = s.res
    if (kind === 'play' && res instanceof ServerResponse && !res.headersSent) {
      // An HTTP-FLV player gets a 403 rather than an empty 200.
      res.statusCode = 403
      res.setHeader('Connection', 'close')
      s.close()
    } else {
      disconnect(s)
    }
  }

  /**
   * Make the stream's publisher slot reflect reality before a new publish is judged:
   * - no 30 s "reconnecting" grace: donePublish (hence stopped) follows the publisher's TCP
   *   close by one timer tick. Setting it per broadcast keeps node-media-server's own path for
   *   ending a publish (caches dropped, broadcast removed) instead of a parallel one of ours.
   * - a grace still pending, or a refused session (which node-media-server made the publisher
   *   anyway), is ended now; otherwise the newcomer would either be rejected as a second
   *   publisher or silently "resume" the old session, which never emits donePublish.
   */
  private settlePublisher(s: Session): void {
    const b = s.broadcast
    b.publishGraceMs = 0
    const stale = b.publisher !== null && this.refused.has(b.publisher)
    if (stale || b.getPublishStatus() === 'reconnecting') b._finishPublish()
  }

  private refusal(kind: MediaKind, s: Session): string | null {
    if (s.streamApp !== this.app) return 'unknown app'
    // node-media-server would refuse a second publisher after postPublish, then report it as a
    // player.
    return this.authorize(kind, toMediaSession(s), () => s.broadcast.publisher !== null)
  }

  private onStarted(kind: MediaKind, s: Session): void {
    if (this.refused.has(s) || this.live.has(s.id)) return
    const socket = socketOf(s)
    if (kind === 'publish' && socket && this.publisherIdleMs > 0) {
      socket.setTimeout(this.publisherIdleMs, () => {
        this.log(
          'warn',
          `publisher ${s.id} (${s.streamPath}) sent nothing for ${this.publisherIdleMs} ms`,
        )
        socket.destroy()
      })
    }
    this.reportStarted(s.id, kind, toMediaSession(s))
  }

  /** Close everything; every session reported started gets its stopped before this resolves. */
  protected async shutdown(): Promise<void> {
    const nms = this.nms
    const rtmpClosed = new Promise<void>((r) =>
      this.rtmpServer ? this.rtmpServer.close(() => r()) : r(),
    )
    const http = this.httpServer
    const httpClosed = new Promise<void>((r) => (http ? http.once('close', () => r()) : r()))
    for (const session of Context.sessions.values()) disconnect(session)
    await until(() => Context.sessions.size === 0, 2000)
    for (const b of Context.broadcasts.values()) {
      if (b.getPublishStatus() === 'reconnecting') b._finishPublish()
    }
    // Rate sampler interval, WebSocket server, HTTP server close.
    await nms?.stop()
    http?.closeAllConnections()
    await Promise.all([rtmpClosed, httpClosed])

    // A session that did not close in time still gets its stopped.
    this.reportAllStopped()
    for (const [event, listener] of this.listeners) Context.eventEmitter.off(event, listener)
    this.listeners = []
    Context.sessions.clear()
    Context.broadcasts.clear()
    if (this.nmsLog) nmsLogger.log = this.nmsLog
    this.nmsLog = null
    this.refused = new WeakSet()
    this.nms = null
    this.hooks = null
    this.rtmpServer = null
    this.httpServer = null
    const ctx = Context as OwnedContext
    if (ctx[OWNER] === this) delete ctx[OWNER]
  }
}
