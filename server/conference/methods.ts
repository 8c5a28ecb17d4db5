// One definition per request method: the protocol's method map (sdk/protocol.ts) → the function
// that carries it out. A handler whose params or result do not match its method does not compile;
// the params arrive validated and normalised by signal/schemas.ts.
import type { MethodName } from '../../sdk/protocol'
import * as attributes from './attributes'
import type { Caller, P, R, ServiceContext } from './context'
import * as conferences from './conferences'
import * as membership from './membership'
import * as moderation from './moderation'
import * as streams from './streams'

/** Methods answered by the conference service (auth and ping are the socket's own). */
export type ServiceMethod = Exclude<MethodName, 'auth' | 'ping'>

export type Handler<M extends ServiceMethod> = (
  ctx: ServiceContext,
  caller: Caller,
  params: P<M>,
) => R<M>

export const handlers: { readonly [M in ServiceMethod]: Handler<M> } = {
  createConference: conferences.createConference,
  getConferenceTkt: conferences.getConferenceTkt,
  getConferenceInfo: conferences.getConferenceInfo,
  destroy: conferences.destroy,
  join: membership.join,
  resume: membership.resume,
  exit: membership.exit,
  getMembers: membership.getMembers,
  kick: moderation.kick,
  grantRole: moderation.grantRole,
  publish: streams.publish,
  unpublish: streams.unpublish,
  subscribe: streams.subscribe,
  unsubscribe: streams.unsubscribe,
  setMedia: streams.setMedia,
  setAttrs: attributes.setAttrs,
  deleteAttrs: attributes.deleteAttrs,
}

export const isServiceMethod = (m: MethodName): m is ServiceMethod => m !== 'auth' && m !== 'ping'
