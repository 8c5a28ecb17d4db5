// The authority: every conference operation, its rules (roles, passwords, tickets, limits) and
// the events it sends. Sockets (signal/) and the media engine (media/gate.ts) call in here.
import { randomBytes, timingSafeEqual } from 'crypto'
import { EventEmitter } from 'events'
import {
  Conference as ConferenceView,
  ConfrType,
  ErrorCode,
  ExitReason,
  JoinResult,
  Methods,
  MemberExitCause,
  ResumeResult,
  Role,
  RoleValue,
  Stream,
} from '../../sdk/protocol'
import { Tokens, UserClaims } from '../auth/tokens'
import { ServerConfig } from '../config'
import { Logger } from '../log'
import { RpcError } from '../rpc-error'
import { PasswordGuard } from '../security/attempts'
import { checkAttrsSize, checkConferenceQuota } from '../security/quota'
import { canPublish, Conference, MemberState, Peer, StreamState, SYSTEM_MEMBER } from './conference'

type P<M extends keyof Methods> = Methods[M]['params']
type R<M extends keyof Methods> = Methods[M]['result']

/** What the service needs from the media engine. */
export interface MediaUrls {
  rtmpBase(): string
  flvBase(): string | null
  closeSession(sessionId: string): void
}

/** One authenticated socket, as the service sees it. */
export interface Caller extends UserClaims {
  peer: Peer
  /** confrId → memberId of the memberships this socket holds. */
  memberships: Map<string, string>
  /** Remote address of the socket (per-address limits). */
  address?: string
}

export interface ExitNotice {
  reason: number
  failed: number
  message: string
}

const MAX_ATTRS = 100
const newId = (prefix: string) => prefix + randomBytes(12).toString('base64url')
/** Constant-time compare; byte lengths, not string lengths: 'é' and 'ab' must not throw. */
const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * Internal events for media jobs and operators: 'stream-live' / 'stream-idle' (conf, stream),
 * 'member-left' (conf, member), 'conference-end' (conf).
 */
export class ConferenceService extends EventEmitter {
  readonly conferences = new Map<string, Conference>()
  private readonly byRoom = new Map<string, string>()
  private readonly passwords = new PasswordGuard(() => this.config)

  constructor(
    private readonly config: ServerConfig,
    private readonly tokens: Tokens,
    private readonly media: MediaUrls,
    private readonly log: Logger,
  ) {
    super()
  }

  // ---- lookups ----

  private conference(confrId: string): Conference {
    const conf = this.conferences.get(confrId)
    if (!conf) throw new RpcError(ErrorCode.NO_SUCH_CONFERENCE, `no conference ${confrId}`)
    return conf
  }

  private membership(caller: Caller, confrId: string): { conf: Conference; member: MemberState } {
    const conf = this.conference(confrId)
    const member = conf.members.get(caller.memberships.get(confrId) ?? '')
    if (!member) throw new RpcError(ErrorCode.MEMBER_INVALID, `not a member of ${confrId}`)
    return { conf, member }
  }

  private requireAdmin(caller: Caller, confrId: string) {
    const found = this.membership(caller, confrId)
    if (found.member.role !== Role.ADMIN)
      throw new RpcError(ErrorCode.NO_RIGHTS, 'only an admin may do this')
    return found
  }

  /** The caller's own stream, through any of its memberships. */
  private ownStream(caller: Caller, streamId: string) {
    for (const [confrId, memberId] of caller.memberships) {
      const conf = this.conferences.get(confrId)
      const stream = conf?.streams.get(streamId)
      if (conf && stream) {
        if (stream.memberId !== memberId) throw new RpcError(ErrorCode.NO_RIGHTS, 'not your stream')
        return { conf, stream, member: conf.members.get(memberId)! }
      }
    }
    throw new RpcError(ErrorCode.PUBLISH_INACTIVE, `no stream ${streamId} in your conferences`)
  }

  /** -508 on a wrong password; -429 while the caller is locked out (server/security/attempts). */
  private checkPassword(conf: Conference, password: string | undefined, caller: Caller) {
    this.passwords.check(caller, conf.id, () => sameSecret(conf.password, password ?? ''))
  }

  // ---- views ----

  /** Push or play URLs for one stream, signed for one member (or SYSTEM_MEMBER for jobs). */
  signedUrls(kind: 'pub' | 'play', conf: Conference, memberId: string, streamId: string) {
    const token = this.tokens.mintMedia(
      { kind, confrId: conf.id, memberId, streamId },
      this.config.mediaTokenTtlSec,
    )
    const flv = this.media.flvBase()
    return {
      rtmp: `${this.media.rtmpBase()}/${streamId}?token=${token}`,
      flv: flv ? `${flv}/${streamId}.flv?token=${token}` : undefined,
    }
  }

  /** A stream as one receiver gets it: with play URLs signed for that receiver. */
  streamFor(conf: Conference, s: StreamState, viewerId: string): Stream {
    return { ...conf.streamView(s), ...this.signedUrls('play', conf, viewerId, s.id) }
  }

  private conferenceView(conf: Conference, userId: string, role: RoleValue, memberId = '') {
    const view: ConferenceView = {
      confrId: conf.id,
      id: conf.id,
      type: conf.type,
      name: conf.name,
      password: conf.password,
      ticket: this.tokens.mintTicket(conf.id, userId, this.config.ticketTtlSec),
      roleToken: this.tokens.mintRole(conf.id, memberId, role),
      rec: conf.rec,
      recMerge: conf.recMerge,
      config: conf.config,
    }
    return view
  }

  private snapshot(conf: Conference, member: MemberState): JoinResult {
    return {
      conference: this.conferenceView(conf, member.userId, member.role, member.id),
      self: conf.memberView(member),
      members: conf
        .visibleMembers()
        .filter((m) => m.id !== member.id)
        .map((m) => conf.memberView(m)),
      streams: conf
        .liveStreams()
        .filter((s) => s.memberId !== member.id && conf.announces(s))
        .map((s) => this.streamFor(conf, s, member.id)),
      attrs: conf.attrsObject(),
      resumeToken: member.resumeToken,
      heartbeatMs: this.config.heartbeatMs,
      graceMs: this.config.graceMs,
    }
  }

  // ---- sending ----

  private send(member: MemberState, event: string, data: unknown) {
    member.peer?.send(event, data)
  }

  private broadcast(
    conf: Conference,
    event: string,
    data: (m: MemberState) => unknown,
    except?: string,
  ) {
    for (const m of conf.members.values()) if (m.id !== except) this.send(m, event, data(m))
  }

  // ---- conferences ----

  private newConference(
    caller: Caller,
    type: number,
    password: string,
    rec: boolean,
    recMerge: boolean,
    cfg: P<'createConference'>['config'] = {},
    name?: string,
  ): Conference {
    checkConferenceQuota(
      this.conferences.values(),
      caller.userId,
      this.config.maxConferencesPerUser,
    )
    const limit = this.config.maxConferenceMembers
    for (const [k, v] of Object.entries(cfg)) {
      if (typeof v === 'number' && v > limit)
        throw new RpcError(
          ErrorCode.BAD_REQUEST,
          `config.${k} exceeds this server's limit ${limit}`,
        )
    }
    const conf = new Conference(
      newId('CF_'),
      type as ConferenceView['type'],
      password,
      caller.userId,
      {
        maxTalkerCount: cfg.maxTalkerCount ?? 16,
        maxVideoCount: cfg.maxVideoCount ?? 16,
        maxAudienceCount: cfg.maxAudienceCount ?? 1000,
        maxPubDesktopCount: cfg.maxPubDesktopCount ?? 1,
      },
      rec,
      recMerge,
      name,
    )
    this.conferences.set(conf.id, conf)
    if (name !== undefined) this.byRoom.set(name, conf.id)
    this.scheduleEndIfEmpty(conf)
    this.log.info({ confrId: conf.id, type, name, by: caller.userId }, 'conference created')
    this.emit('conference-created', conf)
    return conf
  }

  createConference(caller: Caller, p: P<'createConference'>): R<'createConference'> {
    const conf = this.newConference(
      caller,
      p.type,
      p.password ?? '',
      !!p.rec,
      !!p.recMerge,
      p.config,
    )
    return this.conferenceView(conf, caller.userId, Role.ADMIN)
  }

  getConferenceTkt(caller: Caller, p: P<'getConferenceTkt'>): R<'getConferenceTkt'> {
    const conf = this.conference(p.confrId)
    this.checkPassword(conf, p.password, caller)
    return { ticket: this.tokens.mintTicket(conf.id, caller.userId, this.config.ticketTtlSec) }
  }

  getConferenceInfo(caller: Caller, p: P<'getConferenceInfo'>): R<'getConferenceInfo'> {
    const conf = this.conference(p.confrId)
    if (!caller.memberships.has(conf.id)) this.checkPassword(conf, p.password, caller)
    return {
      confrId: conf.id,
      id: conf.id,
      type: conf.type,
      name: conf.name,
      rec: conf.rec,
      recMerge: conf.recMerge,
      config: conf.config,
      memberCount: conf.visibleMembers().length,
      talkerCount: conf.count((m) => canPublish(m.role)),
      audienceCount: conf.count((m) => !canPublish(m.role)),
      createdAt: conf.createdAt,
    }
  }

  destroy(caller: Caller, p: P<'destroy'>): R<'destroy'> {
    const { conf } = this.requireAdmin(caller, p.confrId)
    this.endConference(conf, 'destroyed by admin')
    return {}
  }

  /** End a conference: everyone still in it gets conferenceExit(11). */
  endConference(conf: Conference, why: string) {
    if (this.conferences.get(conf.id) !== conf) return
    const notice = {
      reason: ExitReason.CLOSED,
      failed: ErrorCode.CONFERENCE_DISBANDED,
      message: why,
    }
    for (const m of [...conf.members.values()])
      this.removeMember(conf, m, 'destroyed', notice, false)
    if (conf.emptyTimer) clearTimeout(conf.emptyTimer)
    this.conferences.delete(conf.id)
    if (conf.name !== undefined && this.byRoom.get(conf.name) === conf.id)
      this.byRoom.delete(conf.name)
    this.log.info({ confrId: conf.id, why }, 'conference ended')
    this.emit('conference-end', conf)
  }

  private scheduleEndIfEmpty(conf: Conference) {
    if (conf.members.size > 0 || conf.emptyTimer) return
    conf.emptyTimer = setTimeout(() => {
      conf.emptyTimer = null
      if (conf.members.size === 0) this.endConference(conf, 'empty')
    }, this.config.graceMs)
    conf.emptyTimer.unref()
  }

  // ---- membership ----

  join(caller: Caller, p: P<'join'>): R<'join'> {
    let conf: Conference
    if (p.roomName !== undefined) {
      const existing = this.conferences.get(this.byRoom.get(p.roomName) ?? '')
      if (existing) {
        conf = existing
        this.checkPassword(conf, p.password, caller)
      } else {
        const type = p.type ?? ConfrType.COMMUNICATION
        conf = this.newConference(
          caller,
          type,
          p.password ?? '',
          !!p.rec,
          !!p.recMerge,
          p.config,
          p.roomName,
        )
      }
    } else if (p.confrId !== undefined) {
      conf = this.conference(p.confrId)
      if (p.ticket !== undefined) {
        const t = this.tokens.verifyTicket(p.ticket, conf.id, caller.userId)
        if (t.iat <= (conf.kickedAt.get(caller.userId) ?? -1))
          throw new RpcError(ErrorCode.TICKET_INVALID, 'ticket revoked: you were removed')
      } else this.checkPassword(conf, p.password, caller)
    } else {
      throw new RpcError(
        ErrorCode.BAD_REQUEST,
        'join needs roomName, or confrId with password or ticket',
      )
    }

    const already = conf.memberByUser(caller.userId)
    if (already && already.peer === caller.peer) return this.snapshot(conf, already)

    const role = this.roleFor(conf, caller, p.role)
    const others = (pred: (m: MemberState) => boolean) =>
      conf.count((m) => m !== already && pred(m))
    if (canPublish(role) && others((m) => canPublish(m.role)) >= conf.config.maxTalkerCount)
      throw new RpcError(
        ErrorCode.TOO_MANY_TALKERS,
        `at most ${conf.config.maxTalkerCount} talkers`,
      )
    if (!canPublish(role) && others((m) => !canPublish(m.role)) >= conf.config.maxAudienceCount)
      throw new RpcError(
        ErrorCode.TOO_MANY_MEMBERS,
        `at most ${conf.config.maxAudienceCount} audience`,
      )

    if (already) {
      const notice = {
        reason: ExitReason.OTHER_DEVICE,
        failed: 0,
        message: 'joined from another device',
      }
      this.removeMember(conf, already, 'replaced', notice)
    }
    const member: MemberState = {
      id: newId('MS_'),
      userId: caller.userId,
      globalName: `${caller.appId}_${caller.userId}`,
      nickName: p.nickName ?? caller.userId,
      role,
      ext: p.ext ?? {},
      joinedAt: Date.now(),
      resumeToken: randomBytes(24).toString('base64url'),
      peer: caller.peer,
      graceTimer: null,
      playSessions: new Map(),
    }
    conf.members.set(member.id, member)
    caller.memberships.set(conf.id, member.id)
    if (conf.emptyTimer) {
      clearTimeout(conf.emptyTimer)
      conf.emptyTimer = null
    }
    if (role !== Role.HIDING) {
      const view = conf.memberView(member)
      this.broadcast(conf, 'memberJoined', () => ({ confrId: conf.id, member: view }), member.id)
    }
    this.log.info({ confrId: conf.id, memberId: member.id, userId: caller.userId, role }, 'joined')
    return this.snapshot(conf, member)
  }

  /** The creator is ADMIN; others get what they ask, never above their token's maxRole. */
  private roleFor(conf: Conference, caller: Caller, asked?: RoleValue): RoleValue {
    if (caller.userId === conf.ownerUserId) return Role.ADMIN
    const wanted = asked ?? (conf.type === ConfrType.LIVE ? Role.AUDIENCE : Role.TALKER)
    const max = caller.maxRole ?? Role.TALKER
    if (wanted === Role.HIDING)
      return max === Role.ADMIN || max === Role.HIDING ? wanted : Role.AUDIENCE
    if (wanted === Role.ADMIN && max !== Role.ADMIN) return Role.TALKER
    if (wanted === Role.TALKER && max === Role.AUDIENCE) return Role.AUDIENCE
    return wanted
  }

  resume(caller: Caller, p: P<'resume'>): R<'resume'> {
    const gone = () => new RpcError(ErrorCode.MEMBER_INVALID, 'membership is gone; join again')
    const conf = this.conferences.get(p.confrId)
    const member = conf?.members.get(p.memberId)
    if (!conf || !member) throw gone()
    if (member.userId !== caller.userId || !sameSecret(member.resumeToken, p.resumeToken))
      throw gone()
    if (member.graceTimer) clearTimeout(member.graceTimer)
    member.graceTimer = null
    if (member.peer && member.peer !== caller.peer) member.peer.left(conf.id)
    member.peer = caller.peer
    caller.memberships.set(conf.id, member.id)
    const published = conf.streamsOf(member.id).map((s) => ({
      stream: conf.streamView(s),
      rtmp: this.signedUrls('pub', conf, member.id, s.id).rtmp,
    }))
    this.log.info({ confrId: conf.id, memberId: member.id }, 'resumed')
    const result: ResumeResult = { ...this.snapshot(conf, member), published }
    return result
  }

  exit(caller: Caller, p: P<'exit'>): R<'exit'> {
    const { conf, member } = this.membership(caller, p.confrId)
    this.removeMember(conf, member, 'exit', {
      reason: ExitReason.HANGUP,
      failed: 0,
      message: 'you left',
    })
    return {}
  }

  /** A socket closed: its memberships wait out the grace window. */
  detach(caller: Caller) {
    for (const [confrId, memberId] of caller.memberships) {
      const conf = this.conferences.get(confrId)
      const member = conf?.members.get(memberId)
      if (!conf || !member || member.peer !== caller.peer) continue
      member.peer = null
      member.graceTimer = setTimeout(() => {
        member.graceTimer = null
        if (conf.members.get(member.id) === member && !member.peer)
          this.removeMember(conf, member, 'timeout')
      }, this.config.graceMs)
      member.graceTimer.unref()
    }
    caller.memberships.clear()
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
    if (conf.members.get(member.id) !== member) return
    if (member.graceTimer) clearTimeout(member.graceTimer)
    for (const s of conf.streamsOf(member.id)) this.removeStream(conf, s, tellOthers)
    for (const sessionId of member.playSessions.keys()) this.media.closeSession(sessionId)
    conf.members.delete(member.id)
    if (notice) this.send(member, 'conferenceExit', { confrId: conf.id, ...notice })
    member.peer?.left(conf.id)
    member.peer = null
    if (tellOthers && member.role !== Role.HIDING) {
      const view = conf.memberView(member)
      this.broadcast(conf, 'memberExited', () => ({ confrId: conf.id, member: view, cause }))
    }
    this.log.info({ confrId: conf.id, memberId: member.id, cause }, 'member left')
    this.emit('member-left', conf, member)
    this.scheduleEndIfEmpty(conf)
  }

  kick(caller: Caller, p: P<'kick'>): R<'kick'> {
    const { conf, member: admin } = this.requireAdmin(caller, p.confrId)
    const kicked: string[] = []
    for (const m of conf.findMembers(p.memberNames)) {
      if (m === admin) continue
      conf.kickedAt.set(m.userId, Math.floor(Date.now() / 1000))
      const notice = {
        reason: ExitReason.REFUSED,
        failed: ErrorCode.MEMBER_INVALID,
        message: 'kicked by admin',
      }
      this.removeMember(conf, m, 'kicked', notice)
      kicked.push(m.id)
    }
    return { kicked }
  }

  grantRole(caller: Caller, p: P<'grantRole'>): R<'grantRole'> {
    const { conf } = this.requireAdmin(caller, p.confrId)
    const targets = conf.findMembers(p.memberNames)
    const promoted = targets.filter((m) => canPublish(p.role) && !canPublish(m.role)).length
    if (promoted && conf.count((m) => canPublish(m.role)) + promoted > conf.config.maxTalkerCount)
      throw new RpcError(
        ErrorCode.TOO_MANY_TALKERS,
        `at most ${conf.config.maxTalkerCount} talkers`,
      )
    for (const m of targets) {
      const before = m.role
      if (before === p.role) continue
      m.role = p.role
      if (!canPublish(p.role))
        for (const s of conf.streamsOf(m.id)) this.removeStream(conf, s, true)
      const view = conf.memberView(m)
      if (p.role === Role.HIDING || before === Role.HIDING) {
        const event = p.role === Role.HIDING ? 'memberExited' : 'memberJoined'
        this.broadcast(conf, event, () => ({ confrId: conf.id, member: view, cause: 'exit' }), m.id)
      }
      this.broadcast(conf, 'memberUpdated', (to) =>
        to === m
          ? {
              confrId: conf.id,
              member: view,
              roleToken: this.tokens.mintRole(conf.id, m.id, m.role),
            }
          : { confrId: conf.id, member: view },
      )
    }
    return { granted: targets.map((m) => m.id) }
  }

  // ---- streams ----

  publish(caller: Caller, p: P<'publish'>): R<'publish'> {
    const { conf, member } = this.membership(caller, p.confrId)
    if (!canPublish(member.role))
      throw new RpcError(ErrorCode.NO_RIGHTS, 'your role may not publish')
    let stream = conf.streamsOf(member.id).find((s) => s.rtcId === p.rtcId)
    if (!stream) {
      const videos = [...conf.streams.values()].filter((s) => s.type === 'normal').length
      if (videos >= conf.config.maxVideoCount)
        throw new RpcError(ErrorCode.TOO_MANY_VIDEOS, `at most ${conf.config.maxVideoCount} videos`)
      stream = {
        id: newId('ST_'),
        memberId: member.id,
        rtcId: p.rtcId,
        voff: p.voff ?? 0,
        aoff: p.aoff ?? 0,
        type: 'normal',
        publishSession: null,
      }
      conf.streams.set(stream.id, stream)
    }
    return {
      stream: conf.streamView(stream),
      rtmp: this.signedUrls('pub', conf, member.id, stream.id).rtmp,
    }
  }

  unpublish(caller: Caller, p: P<'unpublish'>): R<'unpublish'> {
    const { conf, stream } = this.ownStream(caller, p.streamId)
    this.removeStream(conf, stream, true)
    return {}
  }

  /** Forget a stream, cut its publisher, and withdraw it if it was announced. */
  removeStream(conf: Conference, s: StreamState, tell: boolean) {
    if (conf.streams.get(s.id) !== s) return
    conf.streams.delete(s.id)
    const session = s.publishSession
    if (session) {
      s.publishSession = null
      this.media.closeSession(session)
      if (tell) this.announceRemoved(conf, s)
      this.emit('stream-idle', conf, s)
    }
  }

  private announceRemoved(conf: Conference, s: StreamState) {
    if (!conf.announces(s)) return
    const view = conf.streamView(s)
    this.broadcast(conf, 'streamRemoved', () => ({ confrId: conf.id, stream: view }), s.memberId)
  }

  subscribe(caller: Caller, p: P<'subscribe'>): R<'subscribe'> {
    for (const [confrId, memberId] of caller.memberships) {
      const conf = this.conferences.get(confrId)
      const s = conf?.streams.get(p.streamId)
      if (conf && s) return this.signedUrls('play', conf, memberId, s.id)
    }
    throw new RpcError(ErrorCode.PUBLISH_INACTIVE, `no stream ${p.streamId} in your conferences`)
  }

  unsubscribe(caller: Caller, p: P<'unsubscribe'>): R<'unsubscribe'> {
    for (const [confrId, memberId] of caller.memberships) {
      const member = this.conferences.get(confrId)?.members.get(memberId)
      for (const [sessionId, streamId] of member?.playSessions ?? []) {
        if (streamId === p.streamId) this.media.closeSession(sessionId)
      }
    }
    return {}
  }

  setMedia(caller: Caller, p: P<'setMedia'>): R<'setMedia'> {
    const { conf, stream } = this.ownStream(caller, p.streamId)
    if (p.voff !== undefined) stream.voff = p.voff
    if (p.aoff !== undefined) stream.aoff = p.aoff
    const view = conf.streamView(stream)
    if (stream.publishSession)
      this.broadcast(
        conf,
        'mediaChanged',
        () => ({ confrId: conf.id, stream: view }),
        stream.memberId,
      )
    return { stream: view }
  }

  /** Media reached the engine: announce the stream to everyone else. */
  streamLive(conf: Conference, s: StreamState, sessionId: string) {
    s.publishSession = sessionId
    if (conf.announces(s))
      this.broadcast(
        conf,
        'streamAdded',
        (m) => ({ confrId: conf.id, stream: this.streamFor(conf, s, m.id) }),
        s.memberId,
      )
    this.emit('stream-live', conf, s)
  }

  /** Media stopped (the publisher went away): withdraw, keep the stream for a re-push. */
  streamIdle(conf: Conference, s: StreamState, sessionId: string) {
    if (s.publishSession !== sessionId) return
    s.publishSession = null
    this.announceRemoved(conf, s)
    this.emit('stream-idle', conf, s)
  }

  /** COMMUNICATION_MIX: the stream the server's mixer publishes, owned by SYSTEM_MEMBER. */
  addMixStream(conf: Conference): StreamState {
    const stream: StreamState = {
      id: newId('ST_'),
      memberId: SYSTEM_MEMBER,
      rtcId: 'mix',
      voff: 0,
      aoff: 0,
      type: 'mix',
      publishSession: null,
    }
    conf.streams.set(stream.id, stream)
    return stream
  }

  notifyAdmins(conf: Conference, event: string, data: unknown) {
    for (const m of conf.members.values()) if (m.role === Role.ADMIN) this.send(m, event, data)
  }

  closeMediaSession(sessionId: string) {
    this.media.closeSession(sessionId)
  }

  // ---- attributes ----

  setAttrs(caller: Caller, p: P<'setAttrs'>): R<'setAttrs'> {
    const { conf, member } = this.membership(caller, p.confrId)
    if (!canPublish(member.role))
      throw new RpcError(ErrorCode.NO_RIGHTS, 'audience may not set attributes')
    if (!conf.attrs.has(p.key) && conf.attrs.size >= MAX_ATTRS)
      throw new RpcError(ErrorCode.SERVER_LIMIT, `at most ${MAX_ATTRS} attributes`)
    checkAttrsSize(conf.attrs, p.key, p.val)
    conf.attrs.set(p.key, p.val)
    return this.attrsChanged(conf)
  }

  deleteAttrs(caller: Caller, p: P<'deleteAttrs'>): R<'deleteAttrs'> {
    const { conf, member } = this.membership(caller, p.confrId)
    if (!canPublish(member.role))
      throw new RpcError(ErrorCode.NO_RIGHTS, 'audience may not set attributes')
    conf.attrs.delete(p.key)
    return this.attrsChanged(conf)
  }

  private attrsChanged(conf: Conference) {
    const attrs = conf.attrsObject()
    this.broadcast(conf, 'attrsUpdated', () => ({ confrId: conf.id, attrs }))
    return { attrs }
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
