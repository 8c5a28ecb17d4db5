// The state of one conference: members, streams, attributes, and the wire views of them.
// No I/O here; the service (service.ts) decides and sends.
import {
  type ConferenceConfig,
  ConfrType,
  type ConfrTypeValue,
  type EventName,
  type Events,
  type Member,
  type MemberRef,
  Role,
  type RoleValue,
  type Stream,
  canPublish,
} from 'miniprogram-conference-protocol'
import { type MemberCursor } from '../auth/tokens'
import { type ArrivalFrames, type Frame } from './frames'
import { MeetingState } from './meeting-state'

export { canPublish }

/** Where a member's events go: its socket, or nowhere while it is disconnected. */
export interface Peer {
  /** The protocol revision the client declared (`rev` in its socket URL); none: before 3. */
  readonly rev?: number
  send<E extends EventName>(event: E, data: Events[E]): void
  /** An event frame already serialised (the same bytes for every receiver of a broadcast). */
  sendFrame(frame: Frame): void
  /** The arrivals of one turn from index `from` on, in the frames this peer's client takes. */
  sendArrivals(frames: ArrivalFrames, from: number): void
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
  /** Join order within the conference (set by addMember): the member list's paging key. */
  seq: number
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
  /** A mix (mixes.ts): the talker (member id) whose own voice it leaves out; none: the room's. */
  mixFor?: string
  /** A mix: announced to its players (through the gaps of a layout change too). */
  onAir?: boolean
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

/** A page of the member list and where the next one starts (null: it was the last). */
export interface MemberPage {
  members: MemberState[]
  next: MemberCursor | null
}

export class ConferenceState {
  /** Changed only by addMember / deleteMember / setRole, which keep the indexes below. */
  readonly members: ReadonlyMap<string, MemberState> = new Map<string, MemberState>()
  /** userId → their membership (a user is in a conference once). */
  private readonly byUser = new Map<string, MemberState>()
  /** Members who may publish (ADMIN, TALKER): in LIVE they hear of every arrival. */
  readonly stage = new Set<MemberState>()
  /** HIDING members: present, invisible. */
  private hiding = 0
  private lastSeq = 0
  /** LIVE: the pending memberCount send (at most one a second) and when the last went out. */
  countTimer: NodeJS.Timeout | null = null
  countSentAt = 0
  readonly streams = new Map<string, StreamState>()
  readonly attrs = new Map<string, string>()
  /** Revision 6: the lock, the host's mutes, hands, invitations to speak, the kept chat. */
  readonly meeting = new MeetingState()
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

  // ---- membership: the one place members and their indexes change ----

  addMember(m: MemberState): void {
    m.seq = ++this.lastSeq
    ;(this.members as Map<string, MemberState>).set(m.id, m)
    this.byUser.set(m.userId, m)
    this.index(m, 1)
  }

  deleteMember(m: MemberState): void {
    if (this.members.get(m.id) !== m) return
    ;(this.members as Map<string, MemberState>).delete(m.id)
    if (this.byUser.get(m.userId) === m) this.byUser.delete(m.userId)
    this.index(m, -1)
    this.meeting.forget(m.id)
  }

  setRole(m: MemberState, role: RoleValue): void {
    this.index(m, -1)
    m.role = role
    this.index(m, 1)
  }

  private index(m: MemberState, by: 1 | -1) {
    if (canPublish(m.role)) {
      if (by > 0) this.stage.add(m)
      else this.stage.delete(m)
    }
    if (m.role === Role.HIDING) this.hiding += by
  }

  /** Members who may publish (ADMIN, TALKER). */
  get talkerCount(): number {
    return this.stage.size
  }

  /** Members who may not publish (AUDIENCE and HIDING): what maxAudienceCount caps. */
  get listenerCount(): number {
    return this.members.size - this.stage.size
  }

  /** Members the others can see (all but HIDING). */
  get visibleCount(): number {
    return this.members.size - this.hiding
  }

  /** Members with the AUDIENCE role. */
  get audienceCount(): number {
    return this.members.size - this.stage.size - this.hiding
  }

  memberByUser(userId: string): MemberState | undefined {
    return this.byUser.get(userId)
  }

  /**
   * Up to `limit` visible members but `selfId` after `after`: the stage (ADMIN, TALKER) first,
   * then the others, each in join order. A member whose role changes between two pages may be
   * skipped or listed twice; events tell the stage's changes anyway. `stageOnly`: the page
   * ends after the stage (the cursor then points at the others, if any).
   */
  memberPage(
    selfId: string,
    after: MemberCursor | null,
    limit: number,
    stageOnly = false,
  ): MemberPage {
    const out: MemberState[] = []
    let last: MemberCursor | null = null
    // false once the page is full and `m` would have been next: the page ends at `last`.
    const take = (m: MemberState, phase: 0 | 1): boolean => {
      if (m.id === selfId || (after && after.phase === phase && m.seq <= after.seq)) return true
      if (out.length === limit) return false
      out.push(m)
      last = { phase, seq: m.seq }
      return true
    }
    if (!after || after.phase === 0) {
      const stage = [...this.stage].sort((a, b) => a.seq - b.seq)
      for (const m of stage) if (!take(m, 0)) return { members: out, next: last }
      if (stageOnly) {
        const self = this.members.get(selfId)
        const others = this.audienceCount - (self?.role === Role.AUDIENCE ? 1 : 0)
        return { members: out, next: others > 0 ? { phase: 1, seq: 0 } : null }
      }
    }
    for (const m of this.members.values()) {
      if (canPublish(m.role) || m.role === Role.HIDING) continue
      if (!take(m, 1)) return { members: out, next: last }
    }
    return { members: out, next: null }
  }

  /** Resolve kick / grantRole targets: member ids or user names. */
  findMembers(names: string[]): MemberState[] {
    const wanted = new Set(names)
    return [...this.members.values()].filter((m) => wanted.has(m.id) || wanted.has(m.userId))
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
   * Whether members are told about a member's stream when it is live. In COMMUNICATION_MIX they
   * get a mix instead, one player instead of N (mixes.ts); the talkers' own streams feed the
   * mixer only.
   */
  announces(s: StreamState): boolean {
    return this.type !== ConfrType.COMMUNICATION_MIX && s.type !== 'mix'
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

  /** Who did something, in a frame that may go to every member (revision 6). */
  memberRef(m: MemberState): MemberRef {
    return { id: m.id, name: m.userId, nickName: m.nickName }
  }

  /** A stream as the wire shows it: the same for every receiver (each composes its play URLs
   * from its own media credential, JoinResult.media). */
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
