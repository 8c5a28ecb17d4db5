// What the protocol talks about: members, streams, conferences and their media credentials.
import type { ConfrTypeValue, RoleValue } from './roles'

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
