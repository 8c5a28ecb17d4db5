// The authority: every conference operation, its rules (roles, passwords, tickets, limits) and
// the events it sends. Sockets (signal/) and the media engine (media/gate.ts) call in here; the
// work is done by the modules beside this file, each given the service's context.
import { EventEmitter } from 'events'
import { MemberExitCause, RoleValue, Stream } from '../../sdk/protocol'
import { Tokens } from '../auth/tokens'
import { ServerConfig } from '../config'
import { Logger } from '../log'
import { PasswordGuard } from '../security/attempts'
import * as attributes from './attributes'
import { Conference, MemberState, StreamState } from './conference'
import { Caller, ExitNotice, MediaUrls, P, R, ServiceContext } from './context'
import * as lifecycle from './lifecycle'
import * as membership from './membership'
import * as moderation from './moderation'
import * as sending from './sending'
import * as streams from './streams'
import * as teardown from './teardown'
import * as views from './views'

export type { Caller, ExitNotice, MediaUrls } from './context'

/**
 * Internal events for media jobs and operators: 'conference-created' (conf), 'stream-live' /
 * 'stream-idle' (conf, stream), 'member-left' (conf, member), 'conference-end' (conf).
 */
export class ConferenceService extends EventEmitter {
  readonly conferences = new Map<string, Conference>()
  /** Room name → confrId; checkInvariants (invariants.ts) reads it under this name. */
  private readonly byRoom = new Map<string, string>()
  private readonly ctx: ServiceContext

  constructor(config: ServerConfig, tokens: Tokens, media: MediaUrls, log: Logger) {
    super()
    this.ctx = {
      config,
      tokens,
      media,
      log,
      conferences: this.conferences,
      byRoom: this.byRoom,
      passwords: new PasswordGuard(() => config),
      emit: (event, ...args) => this.emit(event, ...args),
    }
  }

  // ---- views ----

  /** Push or play URLs for one stream, signed for one member (or SYSTEM_MEMBER for jobs). */
  signedUrls(kind: 'pub' | 'play', conf: Conference, memberId: string, streamId: string) {
    return views.signedUrls(this.ctx, kind, conf, memberId, streamId)
  }

  /** A stream as one receiver gets it: with play URLs signed for that receiver. */
  streamFor(conf: Conference, s: StreamState, viewerId: string): Stream {
    return views.streamFor(this.ctx, conf, s, viewerId)
  }

  // ---- requests (signal/connection.ts dispatches to these by name) ----

  createConference(caller: Caller, p: P<'createConference'>): R<'createConference'> {
    return lifecycle.createConference(this.ctx, caller, p)
  }

  getConferenceTkt(caller: Caller, p: P<'getConferenceTkt'>): R<'getConferenceTkt'> {
    return lifecycle.getConferenceTkt(this.ctx, caller, p)
  }

  getConferenceInfo(caller: Caller, p: P<'getConferenceInfo'>): R<'getConferenceInfo'> {
    return lifecycle.getConferenceInfo(this.ctx, caller, p)
  }

  destroy(caller: Caller, p: P<'destroy'>): R<'destroy'> {
    return lifecycle.destroy(this.ctx, caller, p)
  }

  join(caller: Caller, p: P<'join'>): R<'join'> {
    return membership.join(this.ctx, caller, p)
  }

  resume(caller: Caller, p: P<'resume'>): R<'resume'> {
    return membership.resume(this.ctx, caller, p)
  }

  exit(caller: Caller, p: P<'exit'>): R<'exit'> {
    return membership.exit(this.ctx, caller, p)
  }

  kick(caller: Caller, p: P<'kick'>): R<'kick'> {
    return moderation.kick(this.ctx, caller, p)
  }

  grantRole(caller: Caller, p: P<'grantRole'>): R<'grantRole'> {
    return moderation.grantRole(this.ctx, caller, p)
  }

  publish(caller: Caller, p: P<'publish'>): R<'publish'> {
    return streams.publish(this.ctx, caller, p)
  }

  unpublish(caller: Caller, p: P<'unpublish'>): R<'unpublish'> {
    return streams.unpublish(this.ctx, caller, p)
  }

  subscribe(caller: Caller, p: P<'subscribe'>): R<'subscribe'> {
    return streams.subscribe(this.ctx, caller, p)
  }

  unsubscribe(caller: Caller, p: P<'unsubscribe'>): R<'unsubscribe'> {
    return streams.unsubscribe(this.ctx, caller, p)
  }

  setMedia(caller: Caller, p: P<'setMedia'>): R<'setMedia'> {
    return streams.setMedia(this.ctx, caller, p)
  }

  setAttrs(caller: Caller, p: P<'setAttrs'>): R<'setAttrs'> {
    return attributes.setAttrs(this.ctx, caller, p)
  }

  deleteAttrs(caller: Caller, p: P<'deleteAttrs'>): R<'deleteAttrs'> {
    return attributes.deleteAttrs(this.ctx, caller, p)
  }

  /** A socket closed: its memberships wait out the grace window. */
  detach(caller: Caller) {
    membership.detach(this.ctx, caller)
  }

  // ---- conferences, members and streams, for the media side and operators ----

  /** End a conference: everyone still in it gets conferenceExit(11). */
  endConference(conf: Conference, why: string) {
    teardown.endConference(this.ctx, conf, why)
  }

  /**
   * Remove a member and everything it owns. `notice` goes to the member itself; the others get
   * memberExited unless the whole conference is ending (`tellOthers` false).
   */
  removeMember(
    conf: Conference,
    member: MemberState,
    cause: MemberExitCause,
    notice?: ExitNotice,
    tellOthers = true,
  ) {
    teardown.removeMember(this.ctx, conf, member, cause, notice, tellOthers)
  }

  /** Forget a stream, cut its publisher, and withdraw it if it was announced. */
  removeStream(conf: Conference, s: StreamState, tell: boolean) {
    streams.removeStream(this.ctx, conf, s, tell)
  }

  /** Media reached the engine: announce the stream to everyone else. */
  streamLive(conf: Conference, s: StreamState, sessionId: string) {
    streams.streamLive(this.ctx, conf, s, sessionId)
  }

  /** Media stopped (the publisher went away): withdraw, keep the stream for a re-push. */
  streamIdle(conf: Conference, s: StreamState, sessionId: string) {
    streams.streamIdle(this.ctx, conf, s, sessionId)
  }

  /** COMMUNICATION_MIX: the stream the server's mixer publishes, owned by SYSTEM_MEMBER. */
  addMixStream(conf: Conference): StreamState {
    return streams.addMixStream(conf)
  }

  /** The operator console's kick: as an admin's, with no admin member. */
  operatorKick(conf: Conference, memberNames: string[]) {
    return moderation.kickMembers(this.ctx, conf, memberNames)
  }

  /** The operator console's role change: as an admin's grantRole. */
  operatorGrantRole(conf: Conference, memberNames: string[], role: RoleValue) {
    return moderation.setRoles(this.ctx, conf, { memberNames, role })
  }

  notifyAdmins(conf: Conference, event: string, data: unknown) {
    sending.notifyAdmins(conf, event, data)
  }

  closeMediaSession(sessionId: string) {
    this.ctx.media.closeSession(sessionId)
  }

  // ---- lifecycle ----

  stats() {
    let members = 0
    let streams = 0
    for (const c of this.conferences.values()) {
      members += c.members.size
      streams += c.liveStreams().length
    }
    return { conferences: this.conferences.size, members, streams }
  }

  /** Server shutdown: stop every timer; sockets are closed by the caller. */
  close() {
    for (const conf of this.conferences.values()) {
      if (conf.emptyTimer) clearTimeout(conf.emptyTimer)
      for (const m of conf.members.values()) if (m.graceTimer) clearTimeout(m.graceTimer)
    }
    this.conferences.clear()
    this.byRoom.clear()
  }
}
