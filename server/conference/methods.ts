// The method table: each request method of the protocol (miniprogram-conference-protocol's
// `Methods`) → the function that carries it out and the facts the routers need about it. A
// handler whose params or result do not match its method does not compile; the params arrive
// validated and normalised by signal/schemas.ts. A handler that must wait (the chat's moderation
// hook) returns a promise; the routers wait for it before the reply and the cluster's write.
import type { MethodName } from 'miniprogram-conference-protocol'
import type { Access } from './access'
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
  /** Who may call it, checked before `handle` runs (access.ts). */
  may: Access
  /** Changes nothing: a cluster's reply need not wait for the shared store. */
  reads?: true
  /** Names a stream, not a conference: a cluster tries the caller's conferences in turn. */
  byStream?: true
}

export const methods: { readonly [M in ServiceMethod]: MethodEntry<M> } = {
  createConference: { handle: conferences.createConference, may: 'user' },
  getConferenceTkt: { handle: conferences.getConferenceTkt, may: 'user', reads: true },
  getConferenceInfo: { handle: conferences.getConferenceInfo, may: 'user', reads: true },
  destroy: { handle: conferences.destroy, may: 'admin' },
  join: { handle: membership.join, may: 'user' },
  resume: { handle: membership.resume, may: 'user' },
  exit: { handle: membership.exit, may: 'member' },
  getMembers: { handle: membership.getMembers, may: 'member', reads: true },
  kick: { handle: moderation.kick, may: 'admin' },
  grantRole: { handle: moderation.grantRole, may: 'admin' },
  publish: { handle: streams.publish, may: 'talker' },
  unpublish: { handle: streams.unpublish, may: 'owner', byStream: true },
  subscribe: { handle: streams.subscribe, may: 'user', reads: true, byStream: true },
  unsubscribe: { handle: streams.unsubscribe, may: 'user', reads: true, byStream: true },
  setMedia: { handle: streams.setMedia, may: 'owner', byStream: true },
  setAttrs: { handle: attributes.setAttrs, may: 'member' },
  deleteAttrs: { handle: attributes.deleteAttrs, may: 'member' },
  muteMembers: { handle: controls.muteMembers, may: 'admin' },
  muteAll: { handle: controls.muteAll, may: 'admin' },
  lockConference: { handle: controls.lockConference, may: 'admin' },
  raiseHand: { handle: hands.raiseHand, may: 'member' },
  // Anyone lowers its own hand; another's is an admin's act (hands.ts asks for it).
  lowerHand: { handle: hands.lowerHand, may: 'member' },
  inviteToSpeak: { handle: hands.inviteToSpeak, may: 'admin' },
  answerSpeakInvitation: { handle: hands.answerSpeakInvitation, may: 'member' },
  sendMessage: { handle: chat.sendMessage, may: 'member' },
  getMessages: { handle: chat.getMessages, may: 'member', reads: true },
  // A member, or the creator before it joined; with a password, an admin (invitations.ts).
  createInvitation: { handle: invitations.createInvitation, may: 'user', reads: true },
}

export const isServiceMethod = (m: MethodName): m is ServiceMethod => m !== 'auth' && m !== 'ping'
