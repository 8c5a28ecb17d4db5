// Who may call a method: each entry of the method table (methods.ts) names one of these, and the
// service checks it before the handler runs, so that a handler never decides rights itself.
import { ErrorCode } from 'miniprogram-conference-protocol'
import { RpcError } from '../rpc-error'
import { type Caller, type ServiceContext } from './context'
import { membershipOf, ownStream, requireAdmin } from './lookups'
import { canPublish } from './state'

export type Access =
  /** Any authenticated user (what it may reach is its own: a password, a ticket, its streams). */
  | 'user'
  /** A member of the conference named by `confrId`. */
  | 'member'
  /** A member whose role may publish (TALKER, ADMIN). */
  | 'talker'
  /** An ADMIN of the conference, or its creator whether or not it has joined. */
  | 'admin'
  /** The member who published the stream named by `streamId`. */
  | 'owner'

type Named = { confrId?: string; streamId?: string }

const checks: { readonly [A in Access]: (ctx: ServiceContext, c: Caller, p: Named) => void } = {
  user: () => {},
  member: (ctx, c, p) => membershipOf(ctx, c, p.confrId ?? ''),
  talker: (ctx, c, p) => {
    const { member } = membershipOf(ctx, c, p.confrId ?? '')
    if (!canPublish(member.role))
      throw new RpcError(ErrorCode.NO_RIGHTS, 'your role may not publish')
  },
  admin: (ctx, c, p) => requireAdmin(ctx, c, p.confrId ?? ''),
  owner: (ctx, c, p) => ownStream(ctx, c, p.streamId ?? ''),
}

/** Throws the refusal the caller gets (-101 no rights, -301 no conference, ...) unless `may`. */
export function checkAccess(may: Access, ctx: ServiceContext, caller: Caller, params: object) {
  checks[may](ctx, caller, params as Named)
}
