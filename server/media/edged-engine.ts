// The nginx engine as production runs it: nginx-rtmp takes the publishers (and the server's own
// jobs, and remote edges' relays), a play edge in this process (play-edge.ts) takes the players,
// over RTMP and HTTP-FLV, from a GOP cache. Both ask the same hooks (the media gate); a session is
// closed on whichever holds it. While a stream is live the edge pulls it from nginx, once.
import { type ConferenceState, type StreamState } from '../conference/state'
import { type ConferenceService } from '../conference/service'
import { type MediaEngine, type MediaHooks } from './engine'
import { SYSTEM_MEMBER } from './gate'
import { RELAY_QUERY } from './nginx/config'
import { type PlayEdge } from './play-edge'

/** What the play edge's pulls carry as their relay mark (`edge=`) at the origin. */
export const PLAY_EDGE_NAME = 'play-edge'

export class EdgedEngine implements MediaEngine {
  readonly name: string

  constructor(
    readonly origin: MediaEngine,
    readonly edge: PlayEdge,
    /** The origin's listen address: the edge pulls over it, not over the public host. */
    private readonly originBind: string,
  ) {
    this.name = origin.name
  }

  async start(hooks: MediaHooks): Promise<void> {
    await this.origin.start(hooks)
    try {
      await this.edge.start(hooks)
    } catch (err) {
      await this.origin.stop()
      throw err
    }
  }

  /** Players first: their pulls end before the origin does. */
  async stop(): Promise<void> {
    await this.edge.stop()
    await this.origin.stop()
  }

  rtmpBase(): string {
    return this.origin.rtmpBase()
  }

  playBase(): string {
    return this.edge.rtmpBase()
  }

  flvBase(): string | null {
    return this.edge.flvBase()
  }

  closeSession(sessionId: string): void {
    if (this.edge.holds(sessionId)) this.edge.closeSession(sessionId)
    else this.origin.closeSession(sessionId)
  }

  /** The edge pulls each of the service's streams while it is live (one pull per stream). */
  follow(service: ConferenceService): void {
    const source = (conf: ConferenceState, s: StreamState) => () =>
      this.local(service.signedUrls('play', conf, SYSTEM_MEMBER, s.id).rtmp)
    service.on('stream-live', (conf: ConferenceState, s: StreamState) =>
      this.edge.pull(s.id, source(conf, s)),
    )
    service.on('stream-idle', (_conf: ConferenceState, s: StreamState) => this.edge.drop(s.id))
    // Cluster: another node hosts the conference now (its streams go idle here unannounced).
    const dropAll = (conf: ConferenceState) => {
      for (const s of conf.streams.values()) this.edge.drop(s.id)
    }
    service.on('conference-end', dropAll)
    service.on('conference-released', dropAll)
  }

  /**
   * A signed origin URL with the origin's own address as host (0.0.0.0 / :: → loopback), marked
   * as a relay as edges' pulls are (operators and tests tell it from players by that).
   */
  private local(signed: string): string {
    const url = new URL(signed)
    url.searchParams.set(RELAY_QUERY, PLAY_EDGE_NAME)
    const host = this.originBind
    const any = host === '0.0.0.0' || host === '::'
    const ip = any ? (host === '::' ? '::1' : '127.0.0.1') : host
    url.hostname = ip.includes(':') ? `[${ip}]` : ip
    return url.toString()
  }
}
