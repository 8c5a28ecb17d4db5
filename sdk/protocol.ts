// The wire contract between the SDK and the server, written once (docs/protocol.md explains it).
// Both sides import this file: the server validates requests against it (server/signal/schemas.ts),
// the SDK builds them from it. Nothing here touches a platform API.

export const PROTOCOL_VERSION = 1
/**
 * The revision of version 1 this SDK speaks, sent as `rev` in the socket URL: from 3 on, the
 * server sends conference attributes as changes (`attrsChanged`) and answers setAttrs /
 * deleteAttrs without the whole set; from 4 on, arrivals in batches (`membersJoined`).
 */
export const PROTOCOL_REVISION = 4 // revision 4: batched arrivals (issue 23)

/** Conference types of emedia (`emedia.mgr.ConfrType`). */
export const ConfrType = {
  COMMUNICATION: 10,
  COMMUNICATION_MIX: 11,
  LIVE: 12,
} as const
export type ConfrTypeValue = (typeof ConfrType)[keyof typeof ConfrType]

/** Roles of emedia (`emedia.mgr.Role`). HIDING: present, watches, invisible to the others. */
export const Role = {
  ADMIN: 7,
  TALKER: 3,
  AUDIENCE: 1,
  HIDING: 9,
} as const
export type RoleValue = (typeof Role)[keyof typeof Role]

/** The emedia document types `confrType` and `role` as `{string}`: "10" is as good as 10. */
export type Numeric<T extends number> = T | `${T}`

/** `value` as one of `allowed`, from a number or a numeric string; null for anything else. */
function oneOf<T extends number>(allowed: readonly T[], value: unknown): T | null {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  return allowed.includes(n as T) ? (n as T) : null
}

export const ROLES: readonly RoleValue[] = Object.values(Role)
export const CONFR_TYPES: readonly ConfrTypeValue[] = Object.values(ConfrType)

/** A role from a number or numeric string ("3"); null when it is no role. */
export const roleOf = (value: unknown): RoleValue | null => oneOf(ROLES, value)

/** A conference type from a number or numeric string ("10"); null when it is no type. */
export const confrTypeOf = (value: unknown): ConfrTypeValue | null => oneOf(CONFR_TYPES, value)

/** Whether a role may publish media (the one home of this rule: SDK, store and server use it). */
export const canPublish = (role: number | undefined): boolean =>
  role === Role.ADMIN || role === Role.TALKER

/**
 * Error codes. The negative emedia server codes keep their emedia meaning (they are what
 * `onConferenceExit(reason, failed)` carries); -400/-404/-413/-429/-1 are ours.
 */
export const ErrorCode = {
  INTERNAL: -1,
  TOKEN: -100,
  NO_RIGHTS: -101,
  NO_SUCH_CONFERENCE: -301,
  /** Only as `failed` of onConferenceExit(11): the conference ended. A late join gets -301. */
  CONFERENCE_DISBANDED: -302,
  BAD_REQUEST: -400,
  UNKNOWN_METHOD: -404,
  TIMEOUT: -408,
  TOO_LARGE: -413,
  RATE_LIMITED: -429,
  TICKET_INVALID: -500,
  /** emedia's other "conference gone" code; this server says -301 instead. */
  CONFERENCE_GONE: -501,
  TICKET_EXPIRED: -502,
  MEMBER_INVALID: -504,
  /** Not produced by this server. */
  CONFERENCE_INVALID: -506,
  WRONG_PASSWORD: -508,
  SERVER_LIMIT: -510,
  TOO_MANY_MEMBERS: -522,
  TOO_MANY_TALKERS: -523,
  TOO_MANY_VIDEOS: -524,
  /** Ours (emedia has none): config.maxPubDesktopCount screen shares are already published. */
  TOO_MANY_DESKTOPS: -525,
  PUBLISH_INACTIVE: -554,
  /** Ours: the cluster's shared store (Redis) is unreachable; the server takes no joins until
   * it is back. Try again later. */
  UNAVAILABLE: -503,
  NETWORK: -9527,
} as const
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode]

/** `reason` of onConferenceExit, as the emedia document numbers them. */
export const ExitReason = {
  HANGUP: 0,
  NO_RESPONSE: 1,
  REFUSED: 2,
  BUSY: 3,
  FAILED: 4,
  NOT_SUPPORTED: 5,
  OTHER_DEVICE: 10,
  CLOSED: 11,
} as const
export type ExitReasonValue = (typeof ExitReason)[keyof typeof ExitReason]

/**
 * The `onConferenceExit` reason a refused join is also reported with, as emedia did: ticket,
 * membership, password and server-limit refusals and network failures are 4 (FAILED) with the
 * code; a conference that is invalid or gone (-501, -506) is 11; any other refusal is 2.
 */
export function joinRefusalReason(code: number): ExitReasonValue {
  switch (code) {
    case ErrorCode.TICKET_INVALID:
    case ErrorCode.TICKET_EXPIRED:
    case ErrorCode.MEMBER_INVALID:
    case ErrorCode.WRONG_PASSWORD:
    case ErrorCode.SERVER_LIMIT:
    case ErrorCode.NETWORK:
    case ErrorCode.TIMEOUT:
      return ExitReason.FAILED
    case ErrorCode.CONFERENCE_GONE:
    case ErrorCode.CONFERENCE_INVALID:
      return ExitReason.CLOSED
    default:
      return ExitReason.REFUSED
  }
}

/** Why a member left, as others see it in `memberExited`. */
export type MemberExitCause = 'exit' | 'kicked' | 'timeout' | 'destroyed' | 'replaced'

export interface Member {
  /** Member id, unique per membership (a rejoin gets a new one). */
  id: string
  /** The user id from the token. */
  name: string
  /** `<appId>_<userId>`. */
  globalName: string
  nickName: string
  role: RoleValue
  ext: Record<string, unknown>
  /** Set only in what the SDK hands to its own user. */
  isSelf?: boolean
}

export interface Stream {
  id: string
  /** 1: video off. */
  voff: 0 | 1
  /** 1: audio off. */
  aoff: 0 | 1
  memId: string
  memName: string
  owner: Member
  rtcId: string
  /** 'mix': the server's composition of all talkers (COMMUNICATION_MIX); 'desktop': a shared
   * screen (emedia's desktop stream, counted by maxPubDesktopCount). */
  type: 'normal' | 'mix' | 'desktop'
  /**
   * Play URL for live-player (RTMP). Since protocol 1.2 the server sends streams without URLs
   * (one frame for every receiver) and the SDK composes them from the member's media credential
   * (JoinResult.media); `subscribe` still answers a URL signed for one stream.
   */
  rtmp?: string
  /** The same stream as HTTP-FLV, when the media engine serves it. */
  flv?: string
  /** Seconds the play URLs stay valid from when this object was made (protocol 1.1). */
  ttl?: number
}

/**
 * Protocol 1.2: what a member plays every stream of its conference with. A play URL is
 * `${rtmpBase}/${streamId}?token=${token}` (HTTP-FLV: `${flvBase}/${streamId}.flv?token=${token}`);
 * the media engine accepts it while the member is in the conference and `ttl` has not run out.
 */
export interface MediaCredential {
  token: string
  rtmpBase: string
  flvBase?: string
  /** Seconds it stays valid from when it was sent; `subscribe` replies carry a fresh one. */
  ttl: number
}

/** Protocol 1.2: how many are in the conference (LIVE: what the audience hears instead of
 * each arrival). */
export interface MemberCount {
  /** Visible members (HIDING ones are not counted), you included. */
  members: number
  /** Of them, with the AUDIENCE role. */
  audience: number
}

/** Protocol 1.2: at most this many members come with a join or resume reply (getMembers pages
 * the rest), and a getMembers page holds at most MAX_MEMBER_PAGE. */
export const MEMBER_PAGE = 100
export const MAX_MEMBER_PAGE = 500

export interface ConferenceConfig {
  maxTalkerCount?: number
  maxVideoCount?: number
  maxAudienceCount?: number
  maxPubDesktopCount?: number
}

export interface Conference {
  confrId: string
  id: string
  type: ConfrTypeValue
  /** Room name when created by joinRoom. */
  name?: string
  password: string
  /** Signed, expiring, bound to this conference and the user it was issued to. */
  ticket: string
  /** Signed statement of the receiver's role in this conference. */
  roleToken: string
  rec: boolean
  recMerge: boolean
  config: Required<ConferenceConfig>
}

export type Attrs = Record<string, string>

// ---- requests: method → params / result ----

export interface JoinParams {
  /** By id: with password or ticket. */
  confrId?: string
  password?: string
  ticket?: string
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
    result: { granted: string[] }
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
}
export type MethodName = keyof Methods

// ---- server → client events ----

export interface Events {
  memberJoined: { confrId: string; member: Member }
  // ---- revision 4: batched arrivals (issue 23) ----
  /** Revision 4, COMMUNICATION types: the members who arrived in one turn of the server, in
   * join order (those after you when you are one of them): the same as one memberJoined each. */
  membersJoined: { confrId: string; members: Member[] }
  // ---- end of revision 4 ----
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
}
export type EventName = keyof Events

// ---- envelopes ----

export interface RequestFrame<M extends MethodName = MethodName> {
  id: number | string
  method: M
  params?: Methods[M]['params']
  /** Authenticates the socket; needed on the first request of a connection. */
  token?: string
}

export interface ErrorBody {
  code: number
  message: string
}

export type ReplyFrame =
  { id: number | string; result: unknown } | { id: number | string | null; error: ErrorBody }

export interface EventFrame<E extends EventName = EventName> {
  event: E
  data: Events[E]
}

/** WebSocket close codes the server uses (4000–4999 are application codes). */
export const CloseCode = {
  PROTOCOL_VERSION: 4000,
  IDLE: 4001,
  RATE_LIMITED: 4029,
  TOO_LARGE: 1009,
  SHUTDOWN: 1001,
} as const
