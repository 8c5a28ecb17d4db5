// The method table: each request method of the protocol (miniprogram-conference-protocol's
// `Methods`) → the function that carries it out and the facts the routers need about it. A
// handler whose params or result do not match its method does not compile; the params arrive
// validated and normalised by signal/schemas.ts. A handler that must wait (the chat's moderation
// hook) returns a promise; the routers wait for it before the reply and the cluster's write.
import type { MethodName } from 'miniprogram-conference-protocol'
import * as attributes from './attributes'
import * as chat from './chat'
import type { Caller, P, R, ServiceContext } from './context'
import * as conferences from './conferences'
import * as controls from './controls'
import * as hands from './hands'
import * as invitations from './invitations'
import * as membership from './membership'
import * as moderation from './moderation'
import * as streams from './streams'

/** Methods answered by the conference service (auth and ping are the socket's own). */
export type ServiceMethod = Exclude<MethodName, 'auth' | 'ping'>

export type Handler<M extends ServiceMethod> = (
  ctx: ServiceContext,
  caller: Caller,
  params: P<M>,
) => R<M> | Promise<R<M>>

export interface MethodEntry<M extends ServiceMethod> {
  handle: Handler<M>
  /** Changes nothing: a cluster's reply need not wait for the shared store. */
  reads?: true
  /** Names a stream, not a conference: a cluster tries the caller's conferences in turn. */
  byStream?: true
}

export const methods: { readonly [M in ServiceMethod]: MethodEntry<M> } = {
  createConference: { handle: conferences.createConference },
  getConferenceTkt: { handle: conferences.getConferenceTkt, reads: true },
  getConferenceInfo: { handle: conferences.getConferenceInfo, reads: true },
  destroy: { handle: conferences.destroy },
  join: { handle: membership.join },
  resume: { handle: membership.resume },
  exit: { handle: membership.exit },
  getMembers: { handle: membership.getMembers, reads: true },
  kick: { handle: moderation.kick },
  grantRole: { handle: moderation.grantRole },
  publish: { handle: streams.publish },
  unpublish: { handle: streams.unpublish, byStream: true },
  subscribe: { handle: streams.subscribe, reads: true, byStream: true },
  unsubscribe: { handle: streams.unsubscribe, reads: true, byStream: true },
  setMedia: { handle: streams.setMedia, byStream: true },
  setAttrs: { handle: attributes.setAttrs },
  deleteAttrs: { handle: attributes.deleteAttrs },
  muteMembers: { handle: controls.muteMembers },
  muteAll: { handle: controls.muteAll },
  lockConference: { handle: controls.lockConference },
  raiseHand: { handle: hands.raiseHand },
  lowerHand: { handle: hands.lowerHand },
  inviteToSpeak: { handle: hands.inviteToSpeak },
  answerSpeakInvitation: { handle: hands.answerSpeakInvitation },
  sendMessage: { handle: chat.sendMessage },
  getMessages: { handle: chat.getMessages, reads: true },
  createInvitation: { handle: invitations.createInvitation, reads: true },
}

export const isServiceMethod = (m: MethodName): m is ServiceMethod => m !== 'auth' && m !== 'ping'
