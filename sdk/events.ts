// What the SDK tells its user: event names with their arguments (for `mgr.on`) and the emedia
// callback properties they also call (`mgr.onMemberJoined = ...`).
import type {
  Attrs,
  ChatMessage,
  Hand,
  HostMute,
  Member,
  MemberRef,
  MuteAll,
  RoleDenied,
  MemberCount,
  MemberExitCause,
  RoleValue,
  Stream,
} from 'miniprogram-conference-protocol'

export type ConnectionState = 'idle' | 'connecting' | 'joined' | 'reconnecting' | 'exited'

/** One of your own streams and the URL live-pusher pushes to. */
export interface Published {
  stream: Stream
  rtmp: string
}

/** The fields of a remote stream that changed (only those). */
export interface MediaUpdate {
  voff?: 0 | 1
  aoff?: 0 | 1
}

export interface ReconnectedInfo {
  /** Your streams with fresh push URLs: give them to live-pusher again. */
  published: Published[]
}

export interface MediaErrorInfo {
  confrId: string
  job: string
  message: string
}

export interface EmediaEvents {
  memberJoined: [member: Member]
  memberExited: [member: Member, reason: MemberExitCause]
  /** New (not in emedia): a member's role or nickname changed. */
  memberUpdated: [member: Member]
  streamAdded: [stream: Stream]
  streamRemoved: [stream: Stream]
  /** Your own role changed. */
  roleChanged: [role: RoleValue, roleToken: string]
  mediaChanged: [stream: Stream, update: MediaUpdate]
  conferenceExit: [reason: number, failed: number]
  confrAttrsUpdated: [attrs: Attrs]
  reconnecting: []
  reconnected: [info: ReconnectedInfo]
  /** New: a server-side media job failed (admins only). */
  mediaError: [info: MediaErrorInfo]
  /** New: getConnectionState() changed. */
  stateChanged: [state: ConnectionState]
  /** New (LIVE): how many are in the conference; at most once a second. */
  memberCount: [count: MemberCount]
  /** Revision 6: what the host holds you to now (your own streams' flags already follow it). */
  mutedByHost: [state: MutedByHost]
  /** Revision 6: the raised hands, oldest first. */
  handsChanged: [hands: Hand[]]
  /** Revision 6: the lock or mute-all changed. */
  controlsChanged: [controls: ControlsState]
  /** Revision 6: an admin invites you to speak: answerSpeakInvitation(accept). */
  speakInvitation: [from: Member]
  /** Revision 6 (admins): an invited member answered. */
  speakInvitationAnswered: [member: Member, accept: boolean]
  /** Revision 6: a chat message (your own come back as sendMessage's result, not here). */
  message: [message: ChatMessage]
  /** Revision 6: the join gave you a lower role than you asked for (your token's maxRole). */
  roleDenied: [info: RoleDenied]
}

/** The host's hold on you, and (when an admin acted) who. All false: you are free. */
export type MutedByHost = HostMute & { by?: MemberRef }

/** The conference's lock and mute-all (hands: getHands / handsChanged). */
export interface ControlsState {
  locked: boolean
  muteAll: MuteAll
}

export type EmediaEventName = keyof EmediaEvents

/** One thing to tell the user. */
export type Change = {
  [K in EmediaEventName]: { name: K; args: EmediaEvents[K] }
}[EmediaEventName]

export function change<K extends EmediaEventName>(name: K, ...args: EmediaEvents[K]): Change {
  return { name, args } as Change
}

/** emedia callback properties per event; mediaChanged keeps emedia's typo and the fixed name. */
export const callbackNames: { [K in EmediaEventName]: string[] } = {
  // The document's prose also names it onMemberJoin: both work.
  memberJoined: ['onMemberJoined', 'onMemberJoin'],
  memberExited: ['onMemberExited'],
  memberUpdated: ['onMemberUpdated'],
  streamAdded: ['onStreamAdded'],
  streamRemoved: ['onStreamRemoved'],
  roleChanged: ['onRoleChanged'],
  mediaChanged: ['onMediaChanaged', 'onMediaChanged'],
  conferenceExit: ['onConferenceExit'],
  confrAttrsUpdated: ['onConfrAttrsUpdated'],
  reconnecting: ['onReconnecting'],
  reconnected: ['onReconnected'],
  mediaError: ['onMediaError'],
  stateChanged: ['onStateChanged'],
  memberCount: ['onMemberCount'],
  mutedByHost: ['onMutedByHost'],
  handsChanged: ['onHandsChanged'],
  controlsChanged: ['onControlsChanged'],
  speakInvitation: ['onSpeakInvitation'],
  speakInvitationAnswered: ['onSpeakInvitationAnswered'],
  message: ['onMessage'],
  roleDenied: ['onRoleDenied'],
}
