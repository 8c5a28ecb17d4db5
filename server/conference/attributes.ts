// Conference attributes: set and delete by talkers and admins, the whole set sent to everyone.
import { ErrorCode } from '../../sdk/protocol'
import { RpcError } from '../rpc-error'
import { checkAttrsSize } from '../security/quota'
import { canPublish, type ConferenceState } from './conference'
import { type Caller, type P, type R, type ServiceContext } from './context'
import { membershipOf } from './lookups'
import { broadcastAll } from './sending'

const MAX_ATTRS = 100

export function setAttrs(ctx: ServiceContext, caller: Caller, p: P<'setAttrs'>): R<'setAttrs'> {
  const { conf, member } = membershipOf(ctx, caller, p.confrId)
  if (!canPublish(member.role))
    throw new RpcError(ErrorCode.NO_RIGHTS, 'audience may not set attributes')
  if (!conf.attrs.has(p.key) && conf.attrs.size >= MAX_ATTRS)
    throw new RpcError(ErrorCode.SERVER_LIMIT, `at most ${MAX_ATTRS} attributes`)
  checkAttrsSize(conf.attrs, p.key, p.val)
  conf.attrs.set(p.key, p.val)
  return attrsChanged(conf)
}

export function deleteAttrs(
  ctx: ServiceContext,
  caller: Caller,
  p: P<'deleteAttrs'>,
): R<'deleteAttrs'> {
  const { conf, member } = membershipOf(ctx, caller, p.confrId)
  if (!canPublish(member.role))
    throw new RpcError(ErrorCode.NO_RIGHTS, 'audience may not set attributes')
  conf.attrs.delete(p.key)
  return attrsChanged(conf)
}

function attrsChanged(conf: ConferenceState) {
  const attrs = conf.attrsObject()
  broadcastAll(conf, 'attrsUpdated', { confrId: conf.id, attrs })
  return { attrs }
}
