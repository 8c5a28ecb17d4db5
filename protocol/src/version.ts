// Which protocol a client speaks, and the rule by which old and new ends keep working together
// (docs/protocol.md, "Versions"): `v` in the socket URL is the version, `rev` the revision of it.
// - A server accepts every version from MIN_PROTOCOL_VERSION to PROTOCOL_VERSION; anything else
//   is closed with 4000 and a reason naming the range. A version is only ever added for a change
//   an old client cannot ignore, and a server keeps the previous one for as long as releases that
//   speak it are in users' hands.
// - Revisions add and never break: a server takes any `rev`, older or newer than its own.
//   An event is sent only to a receiver whose revision knows it (EVENT_SINCE); where older news
//   carried the same facts, the older receiver gets that shape instead (attributes: attrsUpdated).
//   A method is answered only on a server whose revision knows it (METHOD_SINCE): the server says
//   its revision in the join reply (`JoinResult.rev`, from 4 on) and the SDK refuses a newer
//   method itself, with -404 and the revision it needs, instead of sending it.
// - In a cluster each node's lease carries its revision; a request is forwarded only to a host
//   whose revision knows its method, and a join reply says the lower of the two revisions.
import type { EventName } from './events'
import type { MethodName } from './methods'

export const PROTOCOL_VERSION = 1
/** The oldest version this release's server accepts. */
export const MIN_PROTOCOL_VERSION = 1

/**
 * The revision of version 1 this release speaks, sent as `rev` in the socket URL and, from 4 on,
 * told back in `JoinResult.rev`. 1: first-stream grants; 2: play credentials, member pages,
 * member counts; 3: attribute changes (`attrsChanged`); 4: the server's revision in the join
 * reply; 5: arrivals in batches (`membersJoined`); 6: running a meeting (host mutes and lock,
 * hands, chat, invitations; meeting.ts).
 */
export const PROTOCOL_REVISION = 6

/** What a server that does not say its revision (before 4) speaks. */
export const UNSTATED_REVISION = 3

/** The revision that brought each method newer than 1.0 (the rest are 1.0's). */
export const METHOD_SINCE: { readonly [M in MethodName]?: number } = {
  getMembers: 2,
  muteMembers: 6,
  muteAll: 6,
  lockConference: 6,
  raiseHand: 6,
  lowerHand: 6,
  inviteToSpeak: 6,
  answerSpeakInvitation: 6,
  sendMessage: 6,
  getMessages: 6,
  createInvitation: 6,
}

/** The revision that brought each event newer than 1.0 (the rest are 1.0's). */
export const EVENT_SINCE: { readonly [E in EventName]?: number } = {
  memberCount: 2,
  attrsChanged: 3,
  membersJoined: 5,
  controlsChanged: 6,
  handsChanged: 6,
  mutedByHost: 6,
  speakInvitation: 6,
  speakInvitationAnswered: 6,
  message: 6,
}

/** Whether a peer of revision `rev` knows `method`. */
export const knowsMethod = (rev: number, method: MethodName): boolean =>
  rev >= (METHOD_SINCE[method] ?? 0)

/** Whether a receiver of revision `rev` knows `event`. */
export const knowsEvent = (rev: number, event: EventName): boolean =>
  rev >= (EVENT_SINCE[event] ?? 0)

/** Whether this release's server accepts protocol version `v`. */
export const acceptsVersion = (v: number): boolean =>
  Number.isInteger(v) && v >= MIN_PROTOCOL_VERSION && v <= PROTOCOL_VERSION
