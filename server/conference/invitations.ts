// Invitation credentials (revision 6): a short expiring string any user may join with — a share
// card's payload, where a ticket (bound to one user) cannot go and a password should not. It
// gives no more than its issuer could already give: in a conference with a password only an admin
// issues one; none is issued, and none admits, while the conference is locked.
import { DEFAULT_INVITATION_TTL, ErrorCode, Role } from 'miniprogram-conference-protocol'
import { RpcError } from '../rpc-error'
import { type Caller, type P, type R, type ServiceContext } from './context'
import { conferenceOf, membershipOf } from './lookups'

export function createInvitation(
  ctx: ServiceContext,
  caller: Caller,
  p: P<'createInvitation'>,
): R<'createInvitation'> {
  const conf = conferenceOf(ctx, p.confrId)
  // Its creator may invite before it joined, as it may destroy.
  const admin =
    caller.userId === conf.ownerUserId && !caller.memberships.has(conf.id)
      ? true
      : membershipOf(ctx, caller, p.confrId).member.role === Role.ADMIN
  if (conf.meeting.locked)
    throw new RpcError(ErrorCode.CONFERENCE_LOCKED, 'the conference is locked: unlock it to invite')
  if (conf.password && !admin)
    throw new RpcError(
      ErrorCode.NO_RIGHTS,
      'this conference has a password: only its admins may issue invitations',
    )
  return ctx.tokens.mintInvitation(conf.id, p.ttlSec ?? DEFAULT_INVITATION_TTL)
}
