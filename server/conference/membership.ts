// Being in a conference: join (by room name, ticket or password), the role a joiner gets,
// resume after a reconnect, exit, and the grace window when a socket closes.
import { randomBytes } from 'crypto'
import {
  ConfrType,
  ErrorCode,
  ExitReason,
  MEMBER_PAGE,
  type ResumeResult,
  Role,
  roleName,
  type RoleValue,
} from 'miniprogram-conference-protocol'
import { RpcError } from '../rpc-error'
import { canPublish, type ConferenceState, type MemberState, type StreamState } from './state'
import { sameSecret } from '../security/secret'
import { type Caller, newId, type P, type R, type ServiceContext } from './context'
import { newConference } from './conferences'
import { checkPassword, conferenceOf, membershipOf } from './lookups'
import { announceJoined } from './announce'
import { checkUnlocked } from './controls'
import { removeMember, scheduleEndIfEmpty } from './teardown'
import { memberPage, signedUrls, snapshot } from './views'

export function join(ctx: ServiceContext, caller: Caller, p: P<'join'>): R<'join'> {
  let conf: ConferenceState
  if (p.roomName !== undefined) {
    const existing = ctx.conferences.get(ctx.byRoom.get(p.roomName) ?? '')
    if (existing) {
      conf = existing
      checkNotBanned(ctx, conf, caller.userId)
      checkPassword(ctx, conf, p.password, caller)
    } else {
      conf = newConference(ctx, caller, {
        ...p,
        type: p.type ?? ConfrType.COMMUNICATION,
        name: p.roomName,
      })
    }
  } else if (p.confrId !== undefined) {
    conf = conferenceOf(ctx, p.confrId)
    checkNotBanned(ctx, conf, caller.userId)
    if (p.invitation !== undefined) ctx.tokens.verifyInvitation(p.invitation, conf.id)
    else if (p.ticket !== undefined) {
      const t = ctx.tokens.verifyTicket(p.ticket, conf.id, caller.userId)
      if (t.iat <= (conf.kickedAt.get(caller.userId) ?? -1))
        throw new RpcError(ErrorCode.TICKET_INVALID, 'ticket revoked: you were removed')
    } else checkPassword(ctx, conf, p.password, caller)
  } else {
    throw new RpcError(
      ErrorCode.BAD_REQUEST,
      'join needs roomName, or confrId with password or ticket',
    )
  }

  const already = conf.memberByUser(caller.userId)
  if (already && already.peer === caller.peer) return snapshot(ctx, conf, already)

  const role = roleFor(conf, caller, p.role)
  checkUnlocked(conf, role, !!already)
  // The counts without the membership this join replaces: kept by ConferenceState, O(1).
  const was = (pred: (m: MemberState) => boolean) => (already && pred(already) ? 1 : 0)
  const talkers = conf.talkerCount - was((m) => canPublish(m.role))
  const listeners = conf.listenerCount - was((m) => !canPublish(m.role))
  if (conf.members.size - was(() => true) >= ctx.config.maxConferenceMembers)
    throw new RpcError(
      ErrorCode.TOO_MANY_MEMBERS,
      `this server allows at most ${ctx.config.maxConferenceMembers} members in a conference`,
    )
  if (canPublish(role) && talkers >= conf.config.maxTalkerCount)
    throw new RpcError(ErrorCode.TOO_MANY_TALKERS, `at most ${conf.config.maxTalkerCount} talkers`)
  if (!canPublish(role) && listeners >= conf.config.maxAudienceCount)
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
    removeMember(ctx, conf, already, 'replaced', notice)
  }
  const member: MemberState = {
    id: newId('MS_'),
    userId: caller.userId,
    globalName: `${caller.appId}_${caller.userId}`,
    nickName: p.nickName ?? caller.userId,
    role,
    maxRole: caller.maxRole,
    ext: p.ext ?? {},
    joinedAt: Date.now(),
    seq: 0,
    resumeToken: randomBytes(24).toString('base64url'),
    peer: caller.peer,
    graceTimer: null,
    playSessions: new Map(),
  }
  conf.addMember(member)
  caller.memberships.set(conf.id, member.id)
  ctx.emit('member-joined', conf, member)
  if (conf.emptyTimer) {
    clearTimeout(conf.emptyTimer)
    conf.emptyTimer = null
  }
  announceJoined(conf, member)
  if (canPublish(role)) grantSlot(conf, member)
  ctx.log.info({ confrId: conf.id, memberId: member.id, userId: caller.userId, role }, 'joined')
  const result = snapshot(ctx, conf, member)
  const denied = p.role !== undefined && role !== p.role && role !== Role.ADMIN
  if (denied)
    result.roleDenied = {
      asked: p.role!,
      given: role,
      reason: roleRefusal(p.role!, caller.maxRole)!,
    }
  return result
}

/** A kicked user stays out for the server's kickBanSec (0: until the conference ends). */
function checkNotBanned(ctx: ServiceContext, conf: ConferenceState, userId: string) {
  const at = conf.kickedAt.get(userId)
  if (at === undefined) return
  const ban = ctx.config.kickBanSec
  if (ban > 0 && Date.now() / 1000 >= at + ban) return
  const until = ban > 0 ? `for ${ban} s after the kick` : 'until the conference ends'
  throw new RpcError(ErrorCode.NO_RIGHTS, `you were removed from this conference: ${until}`)
}

/** The creator is ADMIN; others get what they ask, never above their token's maxRole. */
function roleFor(conf: ConferenceState, caller: Caller, asked?: RoleValue): RoleValue {
  if (caller.userId === conf.ownerUserId) return Role.ADMIN
  const wanted = asked ?? (conf.type === ConfrType.LIVE ? Role.AUDIENCE : Role.TALKER)
  return capRole(wanted, caller.maxRole)
}

/** `wanted`, or the closest role a token capped at `maxRole` allows (no cap: up to TALKER). */
export function capRole(wanted: RoleValue, maxRole: RoleValue | undefined): RoleValue {
  const max = maxRole ?? Role.TALKER
  if (wanted === Role.HIDING)
    return max === Role.ADMIN || max === Role.HIDING ? wanted : Role.AUDIENCE
  if (wanted === Role.ADMIN && max !== Role.ADMIN) return Role.TALKER
  if (wanted === Role.TALKER && max === Role.AUDIENCE) return Role.AUDIENCE
  return wanted
}

/** Why a token capped at `maxRole` may not take `role` (null: it may). */
export function roleRefusal(role: RoleValue, maxRole: RoleValue | undefined): string | null {
  if (capRole(role, maxRole) === role) return null
  return `the user's token allows at most ${roleName(maxRole ?? Role.TALKER)}, not ${roleName(role)}`
}

/**
 * The joiner's first stream slot (protocol 1.1): sent with the join so pubStream needs no round
 * trip; claimed by `publish` with its id, which is when role and limits are checked.
 */
function grantSlot(conf: ConferenceState, member: MemberState) {
  const slot: StreamState = {
    id: newId('ST_'),
    memberId: member.id,
    rtcId: '',
    voff: 0,
    aoff: 0,
    type: 'normal',
    publishSession: null,
    reserved: true,
  }
  conf.streams.set(slot.id, slot)
}

export function resume(ctx: ServiceContext, caller: Caller, p: P<'resume'>): R<'resume'> {
  const gone = () => new RpcError(ErrorCode.MEMBER_INVALID, 'membership is gone; join again')
  const conf = ctx.conferences.get(p.confrId)
  const member = conf?.members.get(p.memberId)
  if (!conf || !member) throw gone()
  if (member.userId !== caller.userId || !sameSecret(member.resumeToken, p.resumeToken))
    throw gone()
  if (member.graceTimer) clearTimeout(member.graceTimer)
  member.graceTimer = null
  if (member.peer && member.peer !== caller.peer) member.peer.left(conf.id)
  member.peer = caller.peer
  caller.memberships.set(conf.id, member.id)
  const published = conf
    .streamsOf(member.id)
    .filter((s) => !s.reserved)
    .map((s) => ({
      stream: conf.streamView(s),
      rtmp: signedUrls(ctx, 'pub', conf, member.id, s.id).rtmp,
    }))
  ctx.log.info({ confrId: conf.id, memberId: member.id }, 'resumed')
  const result: ResumeResult = { ...snapshot(ctx, conf, member), published }
  return result
}

/** The member list after a cursor (none: from the start), for members only. */
export function getMembers(
  ctx: ServiceContext,
  caller: Caller,
  p: P<'getMembers'>,
): R<'getMembers'> {
  const { conf, member } = membershipOf(ctx, caller, p.confrId)
  const after =
    p.cursor === undefined ? null : ctx.tokens.verifyCursor(p.cursor, conf.id, member.id)
  return memberPage(ctx, conf, member, after, p.limit ?? MEMBER_PAGE)
}

export function exit(ctx: ServiceContext, caller: Caller, p: P<'exit'>): R<'exit'> {
  const { conf, member } = membershipOf(ctx, caller, p.confrId)
  removeMember(ctx, conf, member, 'exit', {
    reason: ExitReason.HANGUP,
    failed: 0,
    message: 'you left',
  })
  return {}
}

/** A socket closed: its memberships wait out the grace window. */
export function detach(ctx: ServiceContext, caller: Caller) {
  for (const [confrId, memberId] of caller.memberships) {
    const conf = ctx.conferences.get(confrId)
    const member = conf?.members.get(memberId)
    if (!conf || !member || member.peer !== caller.peer) continue
    member.peer = null
    startGrace(ctx, conf, member)
  }
  caller.memberships.clear()
}

/** A member without a socket keeps its place for graceMs, then leaves as timed out. */
function startGrace(ctx: ServiceContext, conf: ConferenceState, member: MemberState) {
  if (member.graceTimer) clearTimeout(member.graceTimer)
  member.graceTimer = setTimeout(() => {
    member.graceTimer = null
    if (conf.members.get(member.id) === member && !member.peer)
      removeMember(ctx, conf, member, 'timeout')
  }, ctx.config.graceMs)
  member.graceTimer.unref()
}

/**
 * Cluster: host a conference rebuilt from the shared store (its node died or handed it over).
 * Every member waits out the grace window for its client to resume here; media starts again
 * when publishers push to this node's engine. The old node's mix stream is dropped: this node's
 * media jobs make their own ('conference-created').
 */
export function adopt(ctx: ServiceContext, conf: ConferenceState) {
  if (ctx.conferences.has(conf.id)) return
  for (const s of [...conf.streams.values()]) if (s.type === 'mix') conf.streams.delete(s.id)
  ctx.conferences.set(conf.id, conf)
  if (conf.name !== undefined) ctx.byRoom.set(conf.name, conf.id)
  for (const m of conf.members.values()) startGrace(ctx, conf, m)
  scheduleEndIfEmpty(ctx, conf)
  ctx.log.info({ confrId: conf.id, members: conf.members.size }, 'conference taken over')
  ctx.emit('conference-created', conf)
}
