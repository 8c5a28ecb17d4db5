// What an admin does to other members: kick them (voiding their tickets) and change their role.
import { ErrorCode, ExitReason, Role } from '../../sdk/protocol'
import { RpcError } from '../rpc-error'
import { canPublish, Conference, MemberState } from './conference'
import { Caller, P, R, ServiceContext } from './context'
import { requireAdmin } from './lookups'
import { broadcast, broadcastAll } from './sending'
import { removeStream } from './streams'
import { removeMember } from './teardown'

export function kick(ctx: ServiceContext, caller: Caller, p: P<'kick'>): R<'kick'> {
  const { conf, member: admin } = requireAdmin(ctx, caller, p.confrId)
  return kickMembers(ctx, conf, p.memberNames, admin)
}

/** Kick by member id or user id (an admin through kick, or the operator console). */
export function kickMembers(
  ctx: ServiceContext,
  conf: Conference,
  memberNames: string[],
  except?: MemberState,
): R<'kick'> {
  const kicked: string[] = []
  for (const m of conf.findMembers(memberNames)) {
    if (m === except) continue
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
  const { conf } = requireAdmin(ctx, caller, p.confrId)
  return setRoles(ctx, conf, p)
}

/** Set members' role (an admin through grantRole, or the operator console). */
export function setRoles(
  ctx: ServiceContext,
  conf: Conference,
  p: Pick<P<'grantRole'>, 'memberNames' | 'role'>,
): R<'grantRole'> {
  const targets = conf.findMembers(p.memberNames)
  const promoted = targets.filter((m) => canPublish(p.role) && !canPublish(m.role)).length
  if (promoted && conf.count((m) => canPublish(m.role)) + promoted > conf.config.maxTalkerCount)
    throw new RpcError(ErrorCode.TOO_MANY_TALKERS, `at most ${conf.config.maxTalkerCount} talkers`)
  for (const m of targets) {
    const before = m.role
    if (before === p.role) continue
    m.role = p.role
    if (!canPublish(p.role)) for (const s of conf.streamsOf(m.id)) removeStream(ctx, conf, s, true)
    const view = conf.memberView(m)
    if (p.role === Role.HIDING || before === Role.HIDING) {
      const event = p.role === Role.HIDING ? 'memberExited' : 'memberJoined'
      broadcastAll(conf, event, { confrId: conf.id, member: view, cause: 'exit' }, m.id)
    }
    broadcast(conf, 'memberUpdated', (to) =>
      to === m
        ? {
            confrId: conf.id,
            member: view,
            roleToken: ctx.tokens.mintRole(conf.id, m.id, m.role),
          }
        : { confrId: conf.id, member: view },
    )
  }
  return { granted: targets.map((m) => m.id) }
}
