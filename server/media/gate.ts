// The server's answer to the media engine: who may publish or play what. Synchronous, in
// process: a token is verified and the live conference state consulted before any media flows.
import { type Tokens } from '../auth/tokens'
import { canPublish, SYSTEM_MEMBER } from '../conference/state'
import { type ConferenceService } from '../conference/service'
import { type Logger } from '../log'
import { type MediaHooks, type MediaKind, type MediaSession } from './engine'

export { SYSTEM_MEMBER }

export interface Admitted {
  kind: MediaKind
  confrId: string
  memberId: string
  streamId: string
}

export class MediaGate implements MediaHooks {
  /** Sessions we allowed, so that start/stop events are matched to what was authorised. */
  private readonly admitted = new Map<string, Admitted>()

  constructor(
    private readonly service: ConferenceService,
    private readonly tokens: Tokens,
    private readonly log: Logger,
  ) {}

  authorize(kind: MediaKind, session: MediaSession): string | null {
    const verdict = this.check(kind, session.query.token, session.stream)
    if (typeof verdict === 'string') {
      const reason = verdict
      this.log.warn({ kind, stream: session.stream, ip: session.ip, reason }, 'media refused')
      return reason
    }
    this.admitted.set(session.sessionId, verdict)
    return null
  }

  /**
   * The one decision on a publish or play, whatever engine asks (embedded, nginx origin or
   * edge): who the token says is asking, or why not. A play may present the stream's own token
   * (subscribe) or the member's credential (JoinResult.media): either way the member must still
   * be in the conference and the stream must be one of that conference's, announced (not a
   * reserved slot).
   */
  check(kind: MediaKind, token: string | undefined, streamId: string): Admitted | string {
    if (!token) return 'no token'
    let claims
    try {
      claims = this.tokens.verifyMedia(token, kind === 'publish' ? 'pub' : 'play', streamId)
    } catch (e) {
      return `bad token: ${(e as Error).message}`
    }
    const conf = this.service.conferences.get(claims.confrId)
    if (!conf) return 'conference is gone'
    const stream = conf.streams.get(streamId)
    if (!stream) return 'no such stream in that conference'
    if (kind === 'play' && stream.reserved) return 'no such stream'
    if (claims.memberId !== SYSTEM_MEMBER) {
      const member = conf.members.get(claims.memberId)
      if (!member) return 'not a member of the conference'
      if (kind === 'publish') {
        if (stream.memberId !== member.id) return 'not the owner of the stream'
        if (stream.reserved) return 'stream slot not claimed: publish it first'
        if (!canPublish(member.role)) return 'role may not publish'
      }
    } else if (kind === 'publish' && stream.type !== 'mix') return 'system publishes mixes only'
    if (kind === 'publish' && stream.publishSession) return 'stream is already being published'
    return { kind, confrId: conf.id, memberId: claims.memberId, streamId: stream.id }
  }

  /** What an allowed session was admitted to: an edge's relay needs the conference's origin. */
  admission(sessionId: string): Readonly<Admitted> | undefined {
    return this.admitted.get(sessionId)
  }

  started(kind: MediaKind, session: MediaSession): void {
    const a = this.admitted.get(session.sessionId)
    const conf = a && this.service.conferences.get(a.confrId)
    const stream = conf?.streams.get(a!.streamId)
    if (!a || !conf || !stream) {
      // Allowed a moment ago, gone since (member left, stream removed): cut it.
      this.admitted.delete(session.sessionId)
      return this.service.closeMediaSession(session.sessionId)
    }
    if (kind === 'publish') this.service.streamLive(conf, stream, session.sessionId)
    else conf.members.get(a.memberId)?.playSessions.set(session.sessionId, stream.id)
  }

  stopped(kind: MediaKind, session: MediaSession): void {
    const a = this.admitted.get(session.sessionId)
    if (!a) return
    this.admitted.delete(session.sessionId)
    const conf = this.service.conferences.get(a.confrId)
    const stream = conf?.streams.get(a.streamId)
    if (kind === 'publish') {
      if (conf && stream) this.service.streamIdle(conf, stream, session.sessionId)
    } else conf?.members.get(a.memberId)?.playSessions.delete(session.sessionId)
  }
}
