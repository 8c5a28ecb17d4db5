// The state of one conference: members, streams, attributes, and the wire views of them.
// No I/O here; the service (service.ts) decides and sends.
import {
  type ConferenceConfig,
  ConfrType,
  type ConfrTypeValue,
  type Member,
  Role,
  type RoleValue,
  type Stream,
} from '../../sdk/protocol'

export { canPublish } from '../../sdk/protocol'

/** Where a member's events go: its socket, or nowhere while it is disconnected. */
export interface Peer {
  send(event: string, data: unknown): void
  /** An event frame already serialised (the same bytes for every receiver of a broadcast). */
  sendFrame(text: string): void
  /** The membership in `confrId` no longer belongs to this socket. */
  left(confrId: string): void
}

export interface MemberState {
  id: string
  userId: string
  globalName: string
  nickName: string
  role: RoleValue
  /** The highest role the member's user token allows: every role change stays under it. */
  maxRole: RoleValue | undefined
  ext: Record<string, unknown>
  joinedAt: number
  resumeToken: string
  /** null while the socket is gone (grace window). */
  peer: Peer | null
  graceTimer: NodeJS.Timeout | null
  /** Media-engine sessions in which this member plays something. */
  playSessions: Map<string, string>
}

export interface StreamState {
  id: string
  memberId: string
  rtcId: string
  voff: 0 | 1
  aoff: 0 | 1
  type: 'normal' | 'mix' | 'desktop'
  /** The engine session currently publishing it; null until media flows. */
  publishSession: string | null
  /**
   * A slot granted with the join (JoinResult.grant) and not yet claimed by `publish`: it counts
   * toward no limit and the media engine refuses a push to it.
   */
  reserved: boolean
}

/** Media jobs of the server itself (mixer, recorder) act as this member id. */
export const SYSTEM_MEMBER = 'sys'

/** What a conference is made with (createConference, or the first join of a room name). */
export interface ConferenceOptions {
  id: string
  type: ConfrTypeValue
  password: string
  /** The creator: ADMIN when it joins, and an admin's rights before it does. */
  ownerUserId: string
  config: Required<ConferenceConfig>
  rec: boolean
  recMerge: boolean
  /** Room name when created by joinRoom. */
  name?: string
  /** When it was made (ms); a conference taken over by another cluster node keeps its own. */
  createdAt?: number
}

export class ConferenceState {
  readonly members = new Map<string, MemberState>()
  readonly streams = new Map<string, StreamState>()
  readonly attrs = new Map<string, string>()
  /**
   * userId → time (s) of their last kick: tickets issued before it are void, and joins are
   * refused for the server's kickBanSec after it (0: for the rest of the conference).
   */
  readonly kickedAt = new Map<string, number>()
  emptyTimer: NodeJS.Timeout | null = null
  readonly createdAt: number
  readonly id: string
  readonly type: ConfrTypeValue
  readonly password: string
  readonly ownerUserId: string
  readonly config: Required<ConferenceConfig>
  readonly rec: boolean
  readonly recMerge: boolean
  readonly name?: string

  constructor(o: ConferenceOptions) {
    this.id = o.id
    this.type = o.type
    this.password = o.password
    this.ownerUserId = o.ownerUserId
    this.config = o.config
    this.rec = o.rec
    this.recMerge = o.recMerge
    this.name = o.name
    this.createdAt = o.createdAt ?? Date.now()
  }

  memberByUser(userId: string): MemberState | undefined {
    for (const m of this.members.values()) if (m.userId === userId) return m
    return undefined
  }

  /** Resolve kick / grantRole targets: member ids or user names. */
  findMembers(names: string[]): MemberState[] {
    const wanted = new Set(names)
    return [...this.members.values()].filter((m) => wanted.has(m.id) || wanted.has(m.userId))
  }

  count(pred: (m: MemberState) => boolean): number {
    let n = 0
    for (const m of this.members.values()) if (pred(m)) n++
    return n
  }

  streamsOf(memberId: string): StreamState[] {
    return [...this.streams.values()].filter((s) => s.memberId === memberId)
  }

  /** Streams that count toward maxVideoCount: members' claimed camera streams (not screen
   * shares, mixes or slots). */
  videoCount(): number {
    return this.countStreams((s) => s.type === 'normal' && !s.reserved)
  }

  /** Screen shares, capped by maxPubDesktopCount. */
  desktopCount(): number {
    return this.countStreams((s) => s.type === 'desktop')
  }

  private countStreams(which: (s: StreamState) => boolean): number {
    let n = 0
    for (const s of this.streams.values()) if (which(s)) n++
    return n
  }

  liveStreams(): StreamState[] {
    return [...this.streams.values()].filter((s) => s.publishSession !== null)
  }

  /**
   * Whether members are told about a stream. In COMMUNICATION_MIX they get the mix, one player
   * instead of N; the talkers' own streams feed the mixer only.
   */
  announces(s: StreamState): boolean {
    return this.type !== ConfrType.COMMUNICATION_MIX || s.type === 'mix'
  }

  /** Members the others can see (HIDING members watch unseen). */
  visibleMembers(): MemberState[] {
    return [...this.members.values()].filter((m) => m.role !== Role.HIDING)
  }

  memberView(m: MemberState): Member {
    return {
      id: m.id,
      name: m.userId,
      globalName: m.globalName,
      nickName: m.nickName,
      role: m.role,
      ext: m.ext,
    }
  }

  /** A stream as the wire shows it; play URLs are added per receiver by the service. */
  streamView(s: StreamState): Stream {
    const owner = this.members.get(s.memberId)
    const ownerView: Member = owner
      ? this.memberView(owner)
      : {
          id: s.memberId,
          name: 'server',
          globalName: 'server',
          nickName: '',
          role: Role.ADMIN,
          ext: {},
        }
    return {
      id: s.id,
      voff: s.voff,
      aoff: s.aoff,
      memId: s.memberId,
      memName: ownerView.name,
      owner: ownerView,
      rtcId: s.rtcId,
      type: s.type,
    }
  }

  attrsObject(): Record<string, string> {
    return Object.fromEntries(this.attrs)
  }
}
