// The state of one conference: members, streams, attributes, and the wire views of them.
// No I/O here; the service (service.ts) decides and sends.
import {
  ConferenceConfig,
  ConfrType,
  ConfrTypeValue,
  Member,
  Role,
  RoleValue,
  Stream,
} from '../../sdk/protocol'

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
}

/** Media jobs of the server itself (mixer, recorder) act as this member id. */
export const SYSTEM_MEMBER = 'sys'

export const canPublish = (role: RoleValue) => role === Role.ADMIN || role === Role.TALKER

export class Conference {
  readonly members = new Map<string, MemberState>()
  readonly streams = new Map<string, StreamState>()
  readonly attrs = new Map<string, string>()
  /** userId → time (s) of their last kick: tickets issued before it are void. */
  readonly kickedAt = new Map<string, number>()
  emptyTimer: NodeJS.Timeout | null = null
  readonly createdAt = Date.now()

  constructor(
    readonly id: string,
    readonly type: ConfrTypeValue,
    readonly password: string,
    readonly ownerUserId: string,
    readonly config: Required<ConferenceConfig>,
    readonly rec: boolean,
    readonly recMerge: boolean,
    readonly name?: string,
  ) {}

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
