// The authority: every conference operation, its rules (roles, passwords, tickets, limits) and
// the events it sends. Sockets (signal/) and the media engine (media/gate.ts) call in here; the
// work is done by the modules beside this file, each given the service's context.
import { EventEmitter } from 'events'
import type { EventName, Events, RoleValue } from 'miniprogram-conference-protocol'
import { type Tokens } from '../auth/tokens'
import { type ServerConfig } from '../config'
import { type Logger } from '../log'
import { PasswordGuard } from '../security/attempts'
import { flushArrivals } from './arrivals'
import { type ConferenceState, type StreamState } from './state'
import {
  type Caller,
  type MediaUrls,
  type P,
  type R,
  type ServiceContext,
  type ServiceEvents,
} from './context'
import * as controls from './controls'
import * as membership from './membership'
import * as mixes from './mixes'
import * as moderation from './moderation'
import { checkAccess } from './access'
import { type MethodEntry, methods, type ServiceMethod } from './methods'
import * as sending from './sending'
import * as streams from './streams'
import * as teardown from './teardown'
import * as views from './views'

export type { Caller, ExitNotice, MediaUrls, ServiceEvents } from './context'

/** Internal events for media jobs and operators (ServiceEvents in context.ts). */
export class ConferenceService extends EventEmitter<ServiceEvents> {
  readonly conferences = new Map<string, ConferenceState>()
  /** Room name → confrId; the tests' checkInvariants (testkit/invariants.ts) reads it. */
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
      claimedRooms: new Map(),
      passwords: new PasswordGuard(() => config),
      // Node's typing of emit's rest args is conditional; ServiceEvents is the contract here.
      emit: (event, ...args) =>
        (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
    }
  }

  // ---- views ----

  /** Push or play URLs for one stream, signed for one member (or SYSTEM_MEMBER for jobs). */
  signedUrls(kind: 'pub' | 'play', conf: ConferenceState, memberId: string, streamId: string) {
    return views.signedUrls(this.ctx, kind, conf, memberId, streamId)
  }

  // ---- requests ----

  /** One request of an authenticated socket (signal/connection.ts), by the table in methods.ts. */
  handle<M extends ServiceMethod>(method: M, caller: Caller, params: P<M>): R<M> | Promise<R<M>> {
    // A reply must not tell of a member whose arrival its receiver has not been sent yet.
    if (method !== 'join') flushArrivals()
    const { handle, may }: MethodEntry<M> = methods[method]
    checkAccess(may, this.ctx, caller, params)
    return handle(this.ctx, caller, params)
  }

  /** A socket closed: its memberships wait out the grace window. */
  detach(caller: Caller) {
    membership.detach(this.ctx, caller)
  }

  // ---- conferences, members and streams, for the media side and operators ----

  /** Media reached the engine: announce the stream to everyone else. */
  streamLive(conf: ConferenceState, s: StreamState, sessionId: string) {
    streams.streamLive(this.ctx, conf, s, sessionId)
  }

  /** Media stopped (the publisher went away): withdraw, keep the stream for a re-push. */
  streamIdle(conf: ConferenceState, s: StreamState, sessionId: string) {
    streams.streamIdle(this.ctx, conf, s, sessionId)
  }

  /** COMMUNICATION_MIX: a stream the server's mixer publishes, owned by SYSTEM_MEMBER: the
   * room's mix, or with `mixFor` a talker's mix-minus (mixes.ts). */
  addMixStream(conf: ConferenceState, mixFor?: string): StreamState {
    return mixes.addMixStream(conf, mixFor)
  }

  /** A mix no longer made: its players are told; a talker's mix is forgotten. */
  takeMixOffAir(conf: ConferenceState, s: StreamState) {
    mixes.takeOffAir(this.ctx, conf, s)
  }

  /** The operator's destroy (DELETE /api/conferences/:id): members get (11, -302) as from an admin's destroy. */
  endConference(conf: ConferenceState, why: string) {
    teardown.endConference(this.ctx, conf, why)
  }

  /** The operator's kick (POST /api/conferences/:id/kick): as an admin's, with no admin member. */
  operatorKick(conf: ConferenceState, memberNames: string[]) {
    return moderation.kickMembers(this.ctx, conf, memberNames)
  }

  /** The operator's role change (POST /api/conferences/:id/role): as an admin's grantRole. */
  operatorGrantRole(conf: ConferenceState, memberNames: string[], role: RoleValue) {
    return moderation.setRoles(this.ctx, conf, { memberNames, role })
  }

  /** The operator's mute (POST /api/conferences/:id/mute): as an admin's, of anyone. */
  operatorMute(conf: ConferenceState, p: Omit<P<'muteMembers'>, 'confrId'>) {
    return controls.muteAsOperator(conf, p)
  }

  // ---- cluster (server/cluster/) ----

  /** The room name's conference, when this node creates it, takes `id` (claimed in Redis). */
  claimRoom(name: string, id: string | null) {
    if (id === null) this.ctx.claimedRooms.delete(name)
    else this.ctx.claimedRooms.set(name, id)
  }

  /** Host a conference rebuilt from the shared store; its members resume here. */
  adopt(conf: ConferenceState) {
    membership.adopt(this.ctx, conf)
  }

  /** Stop hosting a conference (another node has it now); nobody is told. */
  release(conf: ConferenceState) {
    teardown.releaseConference(this.ctx, conf)
  }

  notifyAdmins<E extends EventName>(conf: ConferenceState, event: E, data: Events[E]) {
    sending.notifyAdmins(conf, event, data)
  }

  closeMediaSession(sessionId: string) {
    this.ctx.media.closeSession(sessionId)
  }

  // ---- the service itself ----

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
      if (conf.countTimer) clearTimeout(conf.countTimer)
      for (const m of conf.members.values()) if (m.graceTimer) clearTimeout(m.graceTimer)
    }
    this.conferences.clear()
    this.byRoom.clear()
  }
}
