// What the server sends unasked: each event's payload.
import type { ExitReasonValue } from './codes'
import type { ChatMessage, Hand, HostMute, MemberRef, MuteAll } from './meeting'
import type { Attrs, Member, MemberCount, MemberExitCause, Stream } from './model'

export interface Events {
  memberJoined: { confrId: string; member: Member }
  /** Revision 5, COMMUNICATION types: the members who arrived in one turn of the server, in
   * join order (those after you when you are one of them): the same as one memberJoined each. */
  membersJoined: { confrId: string; members: Member[] }
  memberExited: { confrId: string; member: Member; cause: MemberExitCause }
  /** Role or nickname changed; the receiver's own change carries its new roleToken. */
  memberUpdated: { confrId: string; member: Member; roleToken?: string }
  streamAdded: { confrId: string; stream: Stream }
  streamRemoved: { confrId: string; stream: Stream }
  mediaChanged: { confrId: string; stream: Stream }
  /** The whole set after a change: to clients before revision 3 only. */
  attrsUpdated: { confrId: string; attrs: Attrs }
  /**
   * Revision 3: what changed in the conference's attributes — keys set (with their values) and
   * keys removed — the changes of one short window merged, at most one frame per window.
   */
  attrsChanged: { confrId: string; set: Attrs; removed: string[] }
  /**
   * Protocol 1.2, LIVE only: the member count, at most one a second per conference (one more
   * second per 2,500 members: a 10,000-member room gets one every 4 s) and always the current
   * one after a burst. In LIVE an AUDIENCE arrival or departure is told only to
   * ADMIN and TALKER members; everyone gets this instead.
   */
  memberCount: { confrId: string } & MemberCount
  /** Your membership ended: emedia reason and code (`failed`). */
  conferenceExit: { confrId: string; reason: ExitReasonValue; failed: number; message: string }
  /** A server-side media job (mix, recording) failed; sent to the conference's admins. */
  mediaError: { confrId: string; job: string; message: string }
  /**
   * Ours (cluster): this server is going away or no longer hosts your conference. The SDK
   * reconnects (to `url` when given, else to another of JoinResult.nodes) and resumes; the app
   * sees a reconnect, never an exit.
   */
  move: { reason: string; url?: string }
  /** Ours (cluster): the other servers changed (JoinResult.nodes, as of now). */
  nodesChanged: { nodes: string[] }
  /** Revision 6, to everyone: the lock or mute-all changed (JoinResult.controls). */
  controlsChanged: { confrId: string; locked: boolean; muteAll: MuteAll }
  /**
   * Revision 6: the raised hands now, oldest first; the changes of one short window merged. To
   * everyone, but in LIVE to the stage (ADMIN, TALKER) and to the members whose hand changed.
   */
  handsChanged: { confrId: string; hands: Hand[] }
  /** Revision 6, to the member concerned: what the host holds it to now (all false: free).
   * Its streams' flags are set by the server; the others hear `mediaChanged`. */
  mutedByHost: { confrId: string; by?: MemberRef } & HostMute
  /** Revision 6, to the member invited (inviteToSpeak). */
  speakInvitation: { confrId: string; from: Member }
  /** Revision 6, to the admins: an invited member answered. */
  speakInvitationAnswered: { confrId: string; member: Member; accept: boolean }
  /** Revision 6: a chat message, to everyone (or to `message.to` and its sender). */
  message: { confrId: string; message: ChatMessage }
}
export type EventName = keyof Events
