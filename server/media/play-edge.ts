// The players' side of the nginx engine: node-media-server in this process (the embedded engine,
// taking players only), where mini programs (RTMP) and browsers and the console (HTTP-FLV) play.
// nginx-rtmp keeps no GOP, so a new player there waits for the next key frame (half a GOP on
// average); node-media-server keeps the last one and hands it over at once. Each live stream is
// pulled from nginx once, however many watch, by node-media-server's own relay session
// (RtmpClientSession, what its relay API runs); publishers go to nginx, never here.
import RtmpClientSession, {
  type PullPacket,
} from 'node-media-server/src/session/rtmp_client_session.js'
import { type MediaHooks, type MediaKind, type MediaSession } from './engine'
import { EmbeddedEngine, type EmbeddedEngineOptions } from './embedded'

/** A pull that fails or ends while its stream is live is tried again, backing off to this. */
const RETRY_MAX_MS = 30000
const RETRY_FIRST_MS = 500

export type PlayEdgeOptions = Omit<EmbeddedEngineOptions, 'publisherIdleMs'>

interface Pull {
  /** The origin's play URL of the stream, signed afresh for every attempt. */
  source: () => string
  session: RtmpClientSession | null
  retry: ReturnType<typeof setTimeout> | null
  failures: number
  /** What the current session received before it registered (keepEarlyPackets). */
  early: PullPacket[]
  /** Hands `early` to node-media-server. */
  flush: () => void
}

/**
 * node-media-server's RTMP client sends the play name without the URL's query. The query (the
 * origin's play token) rides in the name instead, encoded into the path: nginx-rtmp splits
 * "name?query" itself, exactly as for any player.
 */
export function nameWithQuery(url: string): string {
  const u = new URL(url)
  const slash = u.pathname.lastIndexOf('/')
  const name = decodeURIComponent(u.pathname.slice(slash + 1)) + u.search
  return `${u.protocol}//${u.host}${u.pathname.slice(0, slash + 1)}${encodeURIComponent(name)}`
}

export class PlayEdge {
  private readonly nms: EmbeddedEngine
  private readonly app: string
  private readonly pulls = new Map<string, Pull>()
  /** Session ids of the pulls: the only publishers allowed here. */
  private readonly pullIds = new Set<string>()
  /** Players reported started, so that closeSession finds the engine that holds an id. */
  private readonly players = new Set<string>()
  private readonly log: NonNullable<EmbeddedEngineOptions['log']>

  constructor(opts: PlayEdgeOptions) {
    // Pulls have no socket of their own to watch; node-media-server times a silent one out.
    this.nms = new EmbeddedEngine({ ...opts, publisherIdleMs: 0 })
    this.app = opts.app ?? 'live'
    const sink = opts.log
    this.log = (level, message) => sink?.(level, `play edge: ${message}`)
  }

  /** Players are asked about through `hooks`, as on any engine; publishers are refused. */
  start(hooks: MediaHooks): Promise<void> {
    return this.nms.start({
      authorize: (kind, s) => {
        if (kind === 'play') return hooks.authorize(kind, s)
        return this.pullIds.has(s.sessionId) ? null : 'publish to the origin, not the play edge'
      },
      started: (kind, s) => {
        if (kind === 'publish') return this.pullStarted(s)
        this.players.add(s.sessionId)
        hooks.started(kind, s)
      },
      stopped: (kind: MediaKind, s: MediaSession) => {
        if (kind === 'publish') return
        this.players.delete(s.sessionId)
        hooks.stopped(kind, s)
      },
    })
  }

  async stop(): Promise<void> {
    for (const stream of [...this.pulls.keys()]) this.drop(stream)
    await this.nms.stop()
    this.players.clear()
  }

  rtmpBase(): string {
    return this.nms.rtmpBase()
  }

  flvBase(): string | null {
    return this.nms.flvBase()
  }

  /** Whether `sessionId` is one of this edge's players. */
  holds(sessionId: string): boolean {
    return this.players.has(sessionId)
  }

  closeSession(sessionId: string): void {
    this.nms.closeSession(sessionId)
  }

  /** Streams pulled (or being pulled) now. */
  pulling(): string[] {
    return [...this.pulls.keys()]
  }

  /** Pull `stream` from the origin until drop(): `source` gives its signed play URL. */
  pull(stream: string, source: () => string): void {
    if (this.pulls.has(stream)) return
    const pull: Pull = { source, session: null, retry: null, failures: 0, early: [], flush() {} }
    this.pulls.set(stream, pull)
    this.connect(stream, pull)
  }

  /** Stop pulling `stream`; its players stay attached, waiting for the next pull. */
  drop(stream: string): void {
    const pull = this.pulls.get(stream)
    if (!pull) return
    this.pulls.delete(stream)
    if (pull.retry) clearTimeout(pull.retry)
    const session = pull.session
    if (!session) return
    // Its socket's close comes later and would only log, maybe after the engine stopped.
    session.rtmpClient.onCloseCallback = () => {}
    session.close()
  }

  private connect(stream: string, pull: Pull): void {
    pull.retry = null
    let url: string
    try {
      url = nameWithQuery(pull.source())
    } catch (err) {
      this.log('error', `no origin URL for ${stream}: ${(err as Error).message}`)
      return this.retryLater(stream, pull)
    }
    const session = new RtmpClientSession({
      url,
      mode: 'pull',
      streamPath: `/${this.app}/${stream}`,
      // Its reconnects would present the same token, which expires: ours sign a new one.
      reconnect: false,
    })
    pull.session = session
    pull.early = []
    this.keepEarlyPackets(session, pull)
    this.pullIds.add(session.id)
    const cleanup = session.cleanup.bind(session)
    session.cleanup = () => {
      cleanup()
      this.pullIds.delete(session.id)
      if (this.pulls.get(stream) !== pull || pull.session !== session) return
      pull.session = null
      this.retryLater(stream, pull)
    }
    void session.run()
  }

  /**
   * node-media-server's pull drops what arrives before it has registered as the stream's
   * publisher, a microtask after NetStream.Play.Start: nginx sends the metadata, the codec
   * headers and the key frame right behind that status, often in the same read, so they were
   * lost and players here got P-frames they could never decode. They are kept (copied: the
   * parser reuses its buffer) and handed over when it registers (pullStarted). nginx-rtmp also
   * starts a pull that waited for its publisher with an empty audio message (1.2.2), which kept
   * ffmpeg from finishing its probe: dropped.
   */
  private keepEarlyPackets(session: RtmpClientSession, pull: Pull): void {
    const client = session.rtmpClient
    const forward = client.onPacketCallback
    pull.flush = () => {
      for (const kept of pull.early.splice(0)) forward(kept)
    }
    client.onPacketCallback = (packet) => {
      if (packet.size === 0) return
      if (session.broadcast) return forward(packet)
      const data = Buffer.from(packet.data.subarray(0, packet.size))
      pull.early.push(Object.assign(packet, { data }))
    }
  }

  /** A pull became its stream's publisher here (inside node-media-server's postPublish). */
  private pullStarted(s: MediaSession): void {
    for (const [stream, pull] of this.pulls) {
      if (pull.session?.id !== s.sessionId) continue
      pull.flush()
      pull.failures = 0
      this.log('debug', `pulling ${stream} from the origin`)
    }
  }

  /** The pull ended while its stream is still live (the origin restarted, a refusal). */
  private retryLater(stream: string, pull: Pull): void {
    const ms = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** pull.failures++)
    this.log('warn', `pull of ${stream} ended; again in ${ms} ms`)
    pull.retry = setTimeout(() => this.connect(stream, pull), ms)
    pull.retry.unref()
  }
}
