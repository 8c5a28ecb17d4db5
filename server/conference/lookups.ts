// Finding what a request names, or refusing it: the conference, the caller's membership in it,
// admin rights, the caller's own stream, the password.
import { ErrorCode, type Refusal, Role } from 'miniprogram-conference-protocol'
import { RpcError } from '../rpc-error'
import { type ConferenceState, type MemberState } from './state'
import { sameSecret } from '../security/secret'
import { type Caller, type ServiceContext } from './context'

export function conferenceOf(ctx: ServiceContext, confrId: string): ConferenceState {
  const conf = ctx.conferences.get(confrId)
  if (!conf) throw new RpcError(ErrorCode.NO_SUCH_CONFERENCE, `no conference ${confrId}`)
  return conf
}

export function membershipOf(
  ctx: ServiceContext,
  caller: Caller,
  confrId: string,
): { conf: ConferenceState; member: MemberState } {
  const { conf, member } = seatOf(ctx, caller, confrId)
  if (!member) throw new RpcError(ErrorCode.MEMBER_INVALID, `not a member of ${confrId}`)
  return { conf, member }
}

/** The conference and the caller's membership in it, if it has one. */
export function seatOf(ctx: ServiceContext, caller: Caller, confrId: string) {
  const conf = conferenceOf(ctx, confrId)
  return { conf, member: conf.members.get(caller.memberships.get(confrId) ?? '') }
}

/**
 * An admin of the conference: a member with the ADMIN role, or its creator whether or not it has
 * joined (emedia's creator could destroy a conference it never entered). The method table's
 * `may: 'admin'` (access.ts).
 */
export function requireAdmin(ctx: ServiceContext, caller: Caller, confrId: string): void {
  const { conf, member } = seatOf(ctx, caller, confrId)
  if (member?.role === Role.ADMIN) return
  if (!member && caller.userId === conf.ownerUserId) return
  if (!member) throw new RpcError(ErrorCode.MEMBER_INVALID, `not a member of ${confrId}`)
  throw new RpcError(ErrorCode.NO_RIGHTS, 'only an admin may do this')
}

/** The caller's own stream, through any of its memberships. */
export function ownStream(ctx: ServiceContext, caller: Caller, streamId: string) {
  for (const [confrId, memberId] of caller.memberships) {
    const conf = ctx.conferences.get(confrId)
    const stream = conf?.streams.get(streamId)
    if (conf && stream) {
      if (stream.memberId !== memberId) throw new RpcError(ErrorCode.NO_RIGHTS, 'not your stream')
      return { conf, stream, member: conf.members.get(memberId)! }
    }
  }
  throw new RpcError(ErrorCode.PUBLISH_INACTIVE, `no stream ${streamId} in your conferences`)
}

/**
 * -508 on a wrong password; -429 while the caller is locked out (server/security/attempts). A
 * conference without a password has nothing to guess: whatever is sent passes and counts nowhere.
 */
export function checkPassword(
  ctx: ServiceContext,
  conf: ConferenceState,
  password: string | undefined,
  caller: Caller,
) {
  if (!conf.password) return
  ctx.passwords.check(caller, conf.id, () => sameSecret(conf.password, password ?? ''))
}

/**
 * Whom an admin may act against (kick, demote, mute): not itself, and never the conference's
 * creator, who keeps its conference whoever else was made admin.
 */
export function mayActOn(conf: ConferenceState, admin: MemberState | undefined) {
  return (m: MemberState) => m !== admin && m.userId !== conf.ownerUserId
}

/**
 * The members `names` name (member ids or user ids) that `refusal` lets through (it returns null
 * for them, else the reason), and a refusal for every name that reached nobody.
 */
export function targetsOf(
  conf: ConferenceState,
  names: string[],
  refusal: (m: MemberState) => string | null,
): { targets: MemberState[]; refused: Refusal[] } {
  const targets = new Set<MemberState>()
  const refused: Refusal[] = []
  for (const name of names) {
    const m = conf.members.get(name) ?? conf.memberByUser(name)
    const reason = m ? refusal(m) : 'not a member'
    if (reason) refused.push({ name, reason })
    else targets.add(m!)
  }
  return { targets: [...targets], refused }
}

/** The error of a request every name of which was refused, naming each. */
export function allRefused(refused: Refusal[], code: number): RpcError {
  const gone = refused.every((r) => r.reason === 'not a member')
  return new RpcError(
    gone ? ErrorCode.MEMBER_INVALID : code,
    refused.map((r) => `${r.name}: ${r.reason}`).join('; '),
  )
}
