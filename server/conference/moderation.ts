// What an admin does to other members: kick them (voiding their tickets) and change their role.
import { ErrorCode, ExitReason, Role } from 'miniprogram-conference-protocol'
import { RpcError } from '../rpc-error'
import { canPublish, type ConferenceState, type MemberState } from './state'
import { type Caller, type P, type R, type ServiceContext } from './context'
import { allRefused, mayActOn, seatOf, targetsOf } from './lookups'
import { holdChanged, holdOf } from './controls'
import { announceExited, announceJoined, roleWidened } from './announce'
import { broadcastAll, send } from './sending'
import { removeStream } from './streams'
import { roleRefusal } from './membership'
import { removeMember } from './teardown'

export function kick(ctx: ServiceContext, caller: Caller, p: P<'kick'>): R<'kick'> {
  const { conf, member: admin } = seatOf(ctx, caller, p.confrId)
  return kickMembers(ctx, conf, p.memberNames, mayActOn(conf, admin))
}

/** Kick by member id or user id (an admin through kick — `may` spares itself and the creator —
 * or the operator console, who may kick anyone). */
export function kickMembers(
  ctx: ServiceContext,
  conf: ConferenceState,
  memberNames: string[],
  may: (m: MemberState) => boolean = () => true,
): R<'kick'> {
  const kicked: string[] = []
  for (const m of conf.findMembers(memberNames)) {
    if (!may(m)) continue
    conf.kickedAt.set(m.userId, Math.floor(Date.now() / 1000))
    const notice = {
      reason: ExitReason.REFUSED,
      failed: ErrorCode.MEMBER_INVALID,
      message: 'kicked by admin',
    }
    removeMember(ctx, conf, m, 'kicked', notice)
    kicked.push(m.id)
  }
  return { kicked }
}

export function grantRole(ctx: ServiceContext, caller: Caller, p: P<'grantRole'>): R<'grantRole'> {
  const { conf, member: admin } = seatOf(ctx, caller, p.confrId)
  // Making someone admin harms nobody; any other role is an act against the member, as a kick is
  // (an admin may still step down itself).
  const may = mayActOn(conf, admin)
  return setRoles(ctx, conf, p, (m) =>
    p.role === Role.ADMIN || m === admin || may(m) ? null : "the conference's creator",
  )
}

/**
 * Set members' role (an admin through grantRole — `refusal` spares the creator — or the
 * console). Nobody is changed silently or left silently: the names not given the role come back
 * in `refused` with the reason, and when that is every name the request fails (-529).
 */
export function setRoles(
  ctx: ServiceContext,
  conf: ConferenceState,
  p: Pick<P<'grantRole'>, 'memberNames' | 'role'>,
  refusal: (m: MemberState) => string | null = () => null,
): R<'grantRole'> {
  // The backend's cap (the token's maxRole) holds for every way a role changes, not only joins.
  const { targets, refused } = targetsOf(
    conf,
    p.memberNames,
    (m) => refusal(m) ?? roleRefusal(p.role, m.maxRole),
  )
  if (targets.length === 0) throw allRefused(refused, ErrorCode.ROLE_NOT_ALLOWED)
  const promoted = targets.filter((m) => canPublish(p.role) && !canPublish(m.role)).length
  if (promoted && conf.talkerCount + promoted > conf.config.maxTalkerCount)
    throw new RpcError(ErrorCode.TOO_MANY_TALKERS, `at most ${conf.config.maxTalkerCount} talkers`)
  for (const m of targets) {
    const before = m.role
    if (before === p.role) continue
    const seen = conf.memberView(m)
    const held = holdOf(conf, m)
    conf.setRole(m, p.role)
    if (!canPublish(p.role)) for (const s of conf.streamsOf(m.id)) removeStream(ctx, conf, s, true)
    if (p.role === Role.HIDING) announceExited(conf, seen, 'exit', m.id)
    else if (before === Role.HIDING) announceJoined(conf, m)
    else roleWidened(conf, m, before)
    const view = conf.memberView(m)
    const roleToken = ctx.tokens.mintRole(conf.id, m.id, m.role)
    send(m, 'memberUpdated', { confrId: conf.id, member: view, roleToken })
    broadcastAll(conf, 'memberUpdated', { confrId: conf.id, member: view }, m.id)
    // Mute-all holds every role but ADMIN: one taken to the stage (or made admin) hears its hold.
    if (canPublish(p.role)) holdChanged(conf, m, held)
  }
  return { granted: targets.map((m) => m.id), ...(refused.length ? { refused } : {}) }
}
