// Requests: each method's params and result.
import type { Numeric, ConfrTypeValue, RoleValue } from './roles'
import type {
  ChatMessage,
  ConferenceControls,
  Hand,
  HostMute,
  MuteAll,
  Refusal,
  RoleDenied,
} from './meeting'
import type {
  Attrs,
  Conference,
  ConferenceConfig,
  MediaCredential,
  Member,
  MemberCount,
  Stream,
} from './model'

export interface JoinParams {
  /** By id: with password, ticket or (revision 6) invitation. */
  confrId?: string
  password?: string
  ticket?: string
  /** Revision 6: a credential from createInvitation (for `confrId`; any user may use it). */
  invitation?: string
  /** By room name: created with `type` and `config` when missing. */
  roomName?: string
  type?: Numeric<ConfrTypeValue>
  role?: Numeric<RoleValue>
  nickName?: string
  ext?: Record<string, unknown>
  rec?: boolean
  recMerge?: boolean
  config?: ConferenceConfig
}

export interface JoinResult {
  conference: Conference
  self: Member
  /** Protocol 1.2: at most MEMBER_PAGE of the others, ADMIN and TALKER first; `membersCursor`
   * is set when there are more (getMembers). */
  members: Member[]
  /** Protocol 1.2: opaque; where getMembers continues. Absent: `members` is everyone. */
  membersCursor?: string
  /** Protocol 1.2: how many are in the conference now. */
  memberCount?: MemberCount
  /** Protocol 1.2: the joiner's play credential for every stream of the conference. */
  media?: MediaCredential
  /** Streams currently carrying media (their play URLs: composed from `media`). */
  streams: Stream[]
  attrs: Attrs
  /** Presents this membership again after a lost socket (method `resume`). */
  resumeToken: string
  /** Send a request (at least `ping`) this often; the server drops silent sockets. */
  heartbeatMs: number
  /** How long the server keeps a disconnected membership. */
  graceMs: number
  /**
   * Protocol 1.1: a joiner whose role may publish gets its first stream slot with the join, so
   * `pubStream` needs no round trip. The slot is claimed by `publish` with its `streamId` (the
   * server checks role and limits then); until claimed it counts toward no limit and the media
   * engine refuses a push to it.
   */
  grant?: PublishResult
  /** Cluster: the signalling URLs of the other servers, where the SDK reconnects when this one
   * goes away. Absent on a single server. */
  nodes?: string[]
  /** Revision 4: the revision the server offers (in a cluster, the lower of the node's and the
   * host's). Absent: 3 (UNSTATED_REVISION). The SDK calls no method newer than it. */
  rev?: number
  /** Revision 6: locked, mute-all and raised hands as they are now. */
  controls?: ConferenceControls
  /** Revision 6: what the host holds you to; absent: nothing. */
  muted?: HostMute
  /** Revision 6: an invitation to speak you have not answered yet (its inviter). */
  invitedBy?: Member
  /** Revision 6: you asked for a role your token does not allow and were given `given`. */
  roleDenied?: RoleDenied
}

export interface ResumeResult extends JoinResult {
  /** Own streams, each with a fresh push URL. */
  published: Array<{ stream: Stream; rtmp: string }>
}

export interface PublishResult {
  stream: Stream
  /** Push URL for live-pusher / ffmpeg. */
  rtmp: string
}

/** A request without params, or a result without fields: `{}` on the wire. */
export type Empty = Record<string, never>

export interface Methods {
  auth: { params: { token: string }; result: { userId: string; appId: string; serverTime: number } }
  createConference: {
    params: {
      type: Numeric<ConfrTypeValue>
      password?: string
      rec?: boolean
      recMerge?: boolean
      config?: ConferenceConfig
    }
    result: Conference
  }
  getConferenceTkt: { params: { confrId: string; password?: string }; result: { ticket: string } }
  getConferenceInfo: {
    params: { confrId: string; password?: string }
    result: Omit<Conference, 'ticket' | 'roleToken' | 'password'> & {
      memberCount: number
      talkerCount: number
      audienceCount: number
      createdAt: number
    }
  }
  join: { params: JoinParams; result: JoinResult }
  resume: {
    params: { confrId: string; memberId: string; resumeToken: string }
    result: ResumeResult
  }
  exit: { params: { confrId: string }; result: Empty }
  destroy: { params: { confrId: string }; result: Empty }
  kick: { params: { confrId: string; memberNames: string[] }; result: { kicked: string[] } }
  grantRole: {
    params: { confrId: string; memberNames: string[]; role: Numeric<RoleValue> }
    /** `refused` (revision 6): the names that were not given the role, and why. When every
     * name is refused the request fails instead (-529, or -523 for the talker limit). */
    result: { granted: string[]; refused?: Refusal[] }
  }
  publish: {
    params: {
      confrId: string
      rtcId: string
      voff?: 0 | 1
      aoff?: 0 | 1
      /** Claim the slot granted at join (JoinResult.grant) instead of a new stream. */
      streamId?: string
      /** A screen share (at most config.maxPubDesktopCount in a conference). */
      type?: 'desktop'
    }
    result: PublishResult
  }
  unpublish: { params: { streamId: string }; result: Empty }
  subscribe: {
    params: { streamId: string }
    /** `media`: a fresh credential too (protocol 1.2), which is how a long member renews it. */
    result: { rtmp: string; flv?: string; ttl?: number; media?: MediaCredential }
  }
  /** Protocol 1.2: the next page of the member list after a cursor (none: the first page). */
  getMembers: {
    params: { confrId: string; cursor?: string; limit?: number }
    result: { members: Member[]; cursor?: string }
  }
  unsubscribe: { params: { streamId: string }; result: Empty }
  setMedia: { params: { streamId: string; voff?: 0 | 1; aoff?: 0 | 1 }; result: { stream: Stream } }
  /** The whole set, only to clients before revision 3 (they have no attrsChanged). */
  setAttrs: { params: { confrId: string; key: string; val: string }; result: { attrs?: Attrs } }
  deleteAttrs: { params: { confrId: string; key: string }; result: { attrs?: Attrs } }
  ping: { params: Empty; result: { t: number } }
  // ---- revision 6: running a meeting (protocol/src/meeting.ts) ----
  /** ADMIN. `audio` / `video` true: off and held off; false: the hold lifted (the member may
   * turn it on again; it is never turned on for it). Absent: unchanged. */
  muteMembers: {
    params: {
      confrId: string
      memberNames: string[]
      audio?: boolean
      video?: boolean
      /** Whether they may turn it back on themselves (default false). */
      allowSelfUnmute?: boolean
    }
    result: { muted: string[]; refused?: Refusal[] }
  }
  /** ADMIN. Everyone but the admins, and everyone who joins while it holds. */
  muteAll: {
    params: { confrId: string; audio?: boolean; video?: boolean; allowSelfUnmute?: boolean }
    result: { muteAll: MuteAll }
  }
  /** ADMIN. Locked: joins are refused with -526 (admins excepted), invitations are not issued. */
  lockConference: { params: { confrId: string; locked: boolean }; result: { locked: boolean } }
  raiseHand: { params: { confrId: string }; result: { hands: Hand[] } }
  /** Your own hand; an ADMIN may lower anyone's (`memberName`: member id or user id). */
  lowerHand: { params: { confrId: string; memberName?: string }; result: { hands: Hand[] } }
  /** ADMIN: ask a member to speak; it answers with answerSpeakInvitation. */
  inviteToSpeak: { params: { confrId: string; memberName: string }; result: Empty }
  /** Accepted: an AUDIENCE member becomes TALKER (within maxTalkerCount), and the host's hold on
   * its audio is lifted. Either answer lowers its hand. */
  answerSpeakInvitation: {
    params: { confrId: string; accept: boolean }
    result: { role: RoleValue }
  }
  /** One of `text` and `custom`, at most MAX_MESSAGE_BYTES; `to`: member ids or user ids. */
  sendMessage: {
    params: { confrId: string; text?: string; custom?: unknown; to?: string[] }
    result: { message: ChatMessage }
  }
  /** The kept messages you may read, up to `limit` (default 20) before message `before`
   * (absent: the latest), oldest first; `more`: earlier ones remain. */
  getMessages: {
    params: { confrId: string; before?: number; limit?: number }
    result: { messages: ChatMessage[]; more: boolean }
  }
  /** A credential anyone may join with until `expiresAt` (ms); refused while locked. */
  createInvitation: {
    params: { confrId: string; ttlSec?: number }
    result: { invitation: string; expiresAt: number }
  }
}
export type MethodName = keyof Methods
