// Revision 6: running a meeting — the host's mutes and lock, raised hands and invitations to
// speak, chat, and invitation credentials. The shapes both ends share, and their bounds.
import type { RoleValue } from './roles'

/** What the host imposes on one kind of media (true: off and held off). */
export interface MuteKinds {
  audio: boolean
  video: boolean
}

/** The conference's mute-all (muteAll): what every member but the admins is held to. */
export interface MuteAll extends MuteKinds {
  /** Whether a member muted by it may turn its own microphone / camera back on. */
  allowSelfUnmute: boolean
}

/** What the host holds one member to (its own mutes, or mute-all's). */
export type HostMute = MuteAll

/** A raised hand. */
export interface Hand {
  memberId: string
  /** The member's user id. */
  name: string
  nickName: string
  /** When it was raised (server ms): the queue's order. */
  at: number
}

/** The conference's state as the host set it, in JoinResult.controls and `controlsChanged`. */
export interface ConferenceControls {
  /** New joins are refused (-526), admins excepted. */
  locked: boolean
  muteAll: MuteAll
  /** Raised hands, oldest first. */
  hands: Hand[]
}

/** Who did something, as short as a frame to 1,000 members wants it: member id, user id, name. */
export interface MemberRef {
  id: string
  name: string
  nickName: string
}

/** A chat message (sendMessage). Exactly one of `text` and `custom`. */
export interface ChatMessage {
  /** The conference's sequence number of it: getMessages pages by it. */
  id: number
  from: MemberRef
  /** Shown to people: checked by the server's moderation hook when one is set. */
  text?: string
  /** The app's own signalling (any JSON): never moderated, never kept for late joiners. */
  custom?: unknown
  /** Member ids it was sent to; absent: everyone. */
  to?: string[]
  /** Server time (ms) it was accepted. */
  at: number
}

/** The most a message's `text` or `custom` (as JSON) may hold, in UTF-8 bytes. */
export const MAX_MESSAGE_BYTES = 1024
/** Messages with text a conference keeps for late joiners (getMessages). */
export const MESSAGE_HISTORY = 100
/** A getMessages page: at most this many. */
export const MAX_MESSAGE_PAGE = 100
/** Raised hands a conference holds at once (-510 beyond). */
export const MAX_HANDS = 100
/** Recipients one message may name. */
export const MAX_RECIPIENTS = 50
/** An invitation credential's lifetime bounds (createInvitation's ttlSec), seconds. */
export const MIN_INVITATION_TTL = 60
export const MAX_INVITATION_TTL = 7 * 86400
export const DEFAULT_INVITATION_TTL = 86400

/** A join asked for a role its token does not allow and got a lower one (JoinResult.roleDenied). */
export interface RoleDenied {
  asked: RoleValue
  given: RoleValue
  reason: string
}

/** A member a role change (grantRole) or a mute (muteMembers) did not reach, and why. */
export interface Refusal {
  /** The name as it was given (a member id or a user id). */
  name: string
  reason: string
}

/** The confrId inside an invitation credential (`<confrId>.<expiry>.<sig>`), or null. */
export function invitationConference(invitation: string): string | null {
  const m = /^([A-Za-z0-9_-]{1,64})\.[0-9a-z]{1,11}\.[A-Za-z0-9_-]{16,64}$/.exec(invitation)
  return m ? m[1] : null
}
