// Being in a conference: join (by room name, ticket or password), the role a joiner gets,
// resume after a reconnect, exit, and the grace window when a socket closes.
import { randomBytes } from 'crypto'
import { ConfrType, ErrorCode, ExitReason, ResumeResult, Role, RoleValue } from '../../sdk/protocol'
import { RpcError } from '../rpc-error'
import { canPublish, Conference, MemberState } from './conference'
import { Caller, newId, P, R, sameSecret, ServiceContext } from './context'
import { newConference } from './lifecycle'
import { checkPassword, conferenceOf, membershipOf } from './lookups'
import { broadcastAll } from './sending'
import { removeMember } from './teardown'
import { signedUrls, snapshot } from './views'

export function join(ctx: ServiceContext, caller: Caller, p: P<'join'>): R<'join'> {
  let conf: Conference
  if (p.roomName !== undefined) {
    const existing = ctx.conferences.get(ctx.byRoom.get(p.roomName) ?? '')
    if (existing) {
      conf = existing
      checkPassword(ctx, conf, p.password, caller)
    } else {
      const type = p.type ?? ConfrType.COMMUNICATION
      const password = p.password ?? ''
      conf = newConference(ctx, caller, type, password, !!p.rec, !!p.recMerge, p.config, p.roomName)
    }
  } else if (p.confrId !== undefined) {
    conf = conferenceOf(ctx, p.confrId)
    if (p.ticket !== undefined) {
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
  const others = (pred: (m: MemberState) => boolean) => conf.count((m) => m !== already && pred(m))
  if (canPublish(role) && others((m) => canPublish(m.role)) >= conf.config.maxTalkerCount)
    throw new RpcError(ErrorCode.TOO_MANY_TALKERS, `at most ${conf.config.maxTalkerCount} talkers`)
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
    removeMember(ctx, conf, already, 'replaced', notice)
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
  ctx.emit('member-joined', conf, member)
  if (conf.emptyTimer) {
    clearTimeout(conf.emptyTimer)
    conf.emptyTimer = null
  }
  if (role !== Role.HIDING) {
    const view = conf.memberView(member)
    broadcastAll(conf, 'memberJoined', { confrId: conf.id, member: view }, member.id)
  }
  ctx.log.info({ confrId: conf.id, memberId: member.id, userId: caller.userId, role }, 'joined')
  return snapshot(ctx, conf, member)
}

/** The creator is ADMIN; others get what they ask, never above their token's maxRole. */
function roleFor(conf: Conference, caller: Caller, asked?: RoleValue): RoleValue {
  if (caller.userId === conf.ownerUserId) return Role.ADMIN
  const wanted = asked ?? (conf.type === ConfrType.LIVE ? Role.AUDIENCE : Role.TALKER)
  const max = caller.maxRole ?? Role.TALKER
  if (wanted === Role.HIDING)
    return max === Role.ADMIN || max === Role.HIDING ? wanted : Role.AUDIENCE
  if (wanted === Role.ADMIN && max !== Role.ADMIN) return Role.TALKER
  if (wanted === Role.TALKER && max === Role.AUDIENCE) return Role.AUDIENCE
  return wanted
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
  const published = conf.streamsOf(member.id).map((s) => ({
    stream: conf.streamView(s),
    rtmp: signedUrls(ctx, 'pub', conf, member.id, s.id).rtmp,
  }))
  ctx.log.info({ confrId: conf.id, memberId: member.id }, 'resumed')
  const result: ResumeResult = { ...snapshot(ctx, conf, member), published }
  return result
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
    member.graceTimer = setTimeout(() => {
      member.graceTimer = null
      if (conf.members.get(member.id) === member && !member.peer)
        removeMember(ctx, conf, member, 'timeout')
    }, ctx.config.graceMs)
    member.graceTimer.unref()
  }
  caller.memberships.clear()
}
