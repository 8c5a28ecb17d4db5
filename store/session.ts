// The membership: where we are (status), the conference, ourselves, the others and their streams;
// joining, leaving, and what an admin does. The SDK's membership callbacks land here (through
// sdk-events.ts); what a stream means for playback is the media store's.
import { makeAutoObservable, observable, runInAction } from 'mobx-miniprogram'
import {
  ConfrType,
  ErrorCode,
  ExitReason,
  Role,
  canPublish,
  type Attrs,
  type Conference,
  type ConfrTypeValue,
  type Member,
  type MemberCount,
  type RoleValue,
  type Stream,
} from 'miniprogram-conference-protocol'
import type { MediaUpdate } from '../sdk/events'
import { toKitError } from './errors'
import type { ConferenceStore } from './root'
import type { EmediaMgrLike, JoinByIdOptions, JoinRoomOptions, SessionStatus } from './types'

export interface CreateOptions {
  type?: ConfrTypeValue
  password?: string
  rec?: boolean
  recMerge?: boolean
  nickName?: string
  ext?: Record<string, unknown>
}

/** How the last join went: rejoin() repeats it. */
export type JoinPlan =
  | { kind: 'room'; options: JoinRoomOptions }
  | { kind: 'id'; confrId: string; password: string; options: JoinByIdOptions }
  | { kind: 'ticket'; confrId: string; ticket: string; options: JoinByIdOptions }
  | { kind: 'invitation'; invitation: string; options: JoinByIdOptions }

/** Exit codes after which showing the page again should rejoin: the membership was lost, not ended. */
export const REJOINABLE = new Set<number>([
  ErrorCode.NETWORK,
  ErrorCode.MEMBER_INVALID,
  ErrorCode.TIMEOUT,
])

export class SessionStore {
  status: SessionStatus = 'idle'
  /** emedia `onConferenceExit` reason of the last exit (ExitReason), null before any. */
  exitReason: number | null = null
  /** emedia `failed` code of the last exit (0 for a normal hang-up). */
  exitCode: number | null = null
  conference: Conference | null = null
  self: Member | null = null
  attrs: Attrs = {}
  /** The others, by id, in join order. */
  readonly members = observable.map<string, Member>({}, { deep: false })
  /** The others' streams, by id, in the order they came. */
  readonly streams = observable.map<string, Stream>({}, { deep: false })
  /** How many are in the conference (you included; HIDING members not counted), and of them
   * audience, as the server says: kept current in LIVE (memberCount events), else as of the
   * join or the last reconnect. */
  memberCount = 0
  audienceCount = 0
  /** The join brought one page of the member list (big rooms): loadMoreMembers() fetches on. */
  hasMoreMembers = false
  /** How the last join went (null after leave): what rejoin() repeats. */
  plan: JoinPlan | null = null
  /** The exit reason the SDK gave a join it refused, until the join's failure records it. */
  private refusalReason: number | null = null
  /** leave() came while a join was on its way (the page closed): its answer is left at once. */
  private leaveOnJoin = false

  constructor(private readonly root: ConferenceStore) {
    makeAutoObservable<SessionStore, 'root' | 'mgr' | 'refusalReason' | 'leaveOnJoin'>(
      this,
      {
        root: false,
        refusalReason: false,
        leaveOnJoin: false,
        // The SDK is not observable: a getter over it, not a computed.
        mgr: false,
        conference: observable.ref,
        self: observable.ref,
        attrs: observable.ref,
        plan: observable.ref,
      },
      { autoBind: true },
    )
  }

  private get mgr(): EmediaMgrLike {
    return this.root.sdk.mgr
  }

  // ---- derived ----

  get inConference(): boolean {
    return this.status === 'joined' || this.status === 'reconnecting'
  }

  /** We are in and our role may publish. */
  get canPublish(): boolean {
    return this.inConference && canPublish(this.self?.role)
  }

  get isAdmin(): boolean {
    return this.self?.role === Role.ADMIN
  }

  /** The membership was lost (network, grace window) rather than ended: join again on show. */
  get needsRejoin(): boolean {
    return (
      this.status === 'exited' &&
      this.plan !== null &&
      this.exitReason === ExitReason.FAILED &&
      REJOINABLE.has(this.exitCode ?? 0)
    )
  }

  /** Callbacks count while we join and while we are in: a late one must not refill an exited store. */
  get listening(): boolean {
    return this.status === 'joining' || this.inConference
  }

  // ---- joining and leaving ----

  create(options: CreateOptions = {}): Promise<boolean> {
    const { type = ConfrType.COMMUNICATION, password = '', rec, recMerge, ext, nickName } = options
    return this.enter(null, async () => {
      const created = await this.mgr.createConference(type, password, rec, recMerge)
      // Rejoining later goes by id and password: a ticket expires.
      runInAction(() => {
        this.plan = {
          kind: 'id',
          confrId: created.confrId,
          password: created.password ?? password,
          options: { ext, nickName },
        }
      })
      return this.mgr.joinConferenceWithTicket(created.confrId, created.ticket, ext, { nickName })
    })
  }

  joinRoom(options: JoinRoomOptions): Promise<boolean> {
    if (!options || !options.roomName) {
      return this.root.reject('join', 'joinRoom: roomName is required')
    }
    return this.enter({ kind: 'room', options })
  }

  joinById(confrId: string, password = '', options: JoinByIdOptions = {}): Promise<boolean> {
    if (!confrId) return this.root.reject('join', 'joinById: confrId is required')
    return this.enter({ kind: 'id', confrId, password, options })
  }

  joinWithTicket(confrId: string, ticket: string, options: JoinByIdOptions = {}): Promise<boolean> {
    if (!confrId || !ticket) {
      return this.root.reject('join', 'joinWithTicket: confrId and ticket are required')
    }
    return this.enter({ kind: 'ticket', confrId, ticket, options })
  }

  /** Joins with an invitation credential (a share card's `invite`; it names its conference). */
  joinWithInvitation(invitation: string, options: JoinByIdOptions = {}): Promise<boolean> {
    if (!invitation) return this.root.reject('join', 'joinWithInvitation: invitation is required')
    return this.enter({ kind: 'invitation', invitation, options })
  }

  /** Joins again the way the last join went (after the membership was lost). */
  rejoin(): Promise<boolean> {
    if (!this.plan) return this.root.reject('join', 'rejoin: nothing to rejoin')
    return this.enter(this.plan)
  }

  async leave(): Promise<boolean> {
    const confrId = this.conference?.confrId
    this.plan = null
    if (this.status === 'joining') this.leaveOnJoin = true
    if (!confrId || !this.inConference) return true
    let ok = true
    try {
      await this.mgr.exitConference(confrId)
    } catch (err) {
      ok = this.root.fail('leave', err)
    }
    this.exited(ExitReason.HANGUP, 0)
    return ok
  }

  private async enter(
    plan: JoinPlan | null,
    attempt: () => Promise<Conference> = () => this.runPlan(plan!),
  ): Promise<boolean> {
    if (this.status === 'joining' || this.inConference) {
      return this.root.reject('join', 'already in a conference: leave it first')
    }
    this.plan = plan
    this.status = 'joining'
    this.leaveOnJoin = false
    this.refusalReason = null
    this.exitReason = null
    this.exitCode = null
    this.root.lastError = null
    let joined: Conference
    try {
      joined = await attempt()
    } catch (err) {
      this.joinFailed(err)
      return false
    }
    if (this.leaveOnJoin) {
      await this.mgr.exitConference(joined.confrId).catch((err) => this.root.fail('leave', err))
      this.abandoned()
      return false
    }
    this.joined(joined)
    // Only a role that may publish tries: an audience member joins without an error.
    const { media } = this.root
    if (this.canPublish && (media.autoPublish || media.local.wantPublish)) await media.publish()
    return true
  }

  private runPlan(plan: JoinPlan): Promise<Conference> {
    if (plan.kind === 'room') return this.mgr.joinRoom(plan.options)
    const { ext, ...opts } = plan.options
    if (plan.kind === 'id') return this.mgr.joinConference(plan.confrId, plan.password, ext, opts)
    if (plan.kind === 'invitation')
      return this.mgr.joinConferenceWithInvitation(plan.invitation, ext, opts)
    return this.mgr.joinConferenceWithTicket(plan.confrId, plan.ticket, ext, opts)
  }

  // joinFailed, joined and exited run after an await (exited also from the SDK's conferenceExit):
  // each is an action of its own, one batch for the components' bindings.

  private joinFailed(err: unknown): void {
    this.clear()
    this.status = 'exited'
    this.exitReason = this.refusalReason ?? ExitReason.FAILED
    this.refusalReason = null
    const error = toKitError(err, 'join')
    this.exitCode = error.code
    this.root.fail('join', error)
  }

  private joined(joined: Conference): void {
    this.conference = this.mgr.getConference() ?? joined
    this.self = this.mgr.getSelf() ?? this.self
    this.takeSnapshot()
    this.root.meeting.takeSnapshot(true)
    this.status = 'joined'
    this.root.emit('join', { conference: this.conference, self: this.self })
  }

  /** Left before the join was answered: out, as after leave(), without having been in. */
  private abandoned(): void {
    this.leaveOnJoin = false
    this.clear()
    this.status = 'exited'
    this.exitReason = ExitReason.HANGUP
    this.exitCode = 0
    this.root.emit('exit', { reason: ExitReason.HANGUP, code: 0 })
  }

  /** We are out: by leave(), or the SDK's conferenceExit. */
  exited(reason: number, code: number): void {
    if (this.status === 'exited' || this.status === 'idle') return
    // A refused join (the SDK tells it as an exit too): the join's own failure reports it, once,
    // as an error; we keep the SDK's reason.
    if (this.status === 'joining') {
      this.refusalReason = reason
      return
    }
    this.clear()
    this.status = 'exited'
    this.exitReason = reason
    this.exitCode = code
    this.root.emit('exit', { reason, code })
  }

  private clear(): void {
    this.memberCount = 0
    this.audienceCount = 0
    this.hasMoreMembers = false
    this.members.clear()
    this.streams.clear()
    this.root.media.clear()
    this.root.meeting.clear()
    this.conference = null
  }

  /**
   * The next page of the member list into `members` (a join into a big room brings the first
   * 100, ADMIN and TALKER first). Resolves false on an error (lastError), true otherwise.
   */
  async loadMoreMembers(): Promise<boolean> {
    if (!this.inConference) return this.root.reject('loadMoreMembers', 'not in a conference')
    try {
      const page = await this.mgr.fetchMembers()
      runInAction(() => {
        if (!this.listening) return
        for (const m of page.members)
          if (m.id !== this.self?.id && !this.members.has(m.id)) this.members.set(m.id, m)
        this.hasMoreMembers = this.mgr.hasMoreMembers()
      })
      return true
    } catch (err) {
      return this.root.fail('loadMoreMembers', err)
    }
  }

  /** LIVE: the server's member count (at most once a second). */
  countChanged(count: MemberCount): void {
    if (!this.listening) return
    this.memberCount = count.members
    this.audienceCount = count.audience
  }

  // ---- admin: the server decides whether we may; its refusal is the action's error ----

  kick(memberNames: string[]): Promise<boolean> {
    return this.adminCall('kick', (id) => this.mgr.kickMembersById(id, memberNames))
  }

  grantRole(memberNames: string[], role: RoleValue): Promise<boolean> {
    return this.adminCall('grantRole', (id) => this.mgr.grantRole(id, memberNames, role))
  }

  destroy(): Promise<boolean> {
    return this.adminCall('destroy', (id) => this.mgr.destroyConference(id))
  }

  private async adminCall(
    name: string,
    call: (confrId: string) => Promise<unknown>,
  ): Promise<boolean> {
    const confrId = this.conference?.confrId
    if (!confrId) return this.root.reject(name, 'not in a conference', ErrorCode.CONFERENCE_INVALID)
    try {
      await call(confrId)
      return true
    } catch (err) {
      return this.root.fail(name, err)
    }
  }

  // ---- the SDK's membership callbacks (sdk-events.ts) ----

  /** Members and streams as the SDK holds them now (after join and after a reconnect). */
  takeSnapshot(): void {
    const selfId = this.self?.id
    const members = this.mgr.getMembers().filter((m) => m.id !== selfId && !m.isSelf)
    const present = new Set(members.map((m) => m.id))
    for (const id of [...this.members.keys()]) if (!present.has(id)) this.members.delete(id)
    for (const m of members) this.members.set(m.id, m)
    this.hasMoreMembers = this.mgr.hasMoreMembers()
    const count = this.mgr.getMemberCount()
    if (count) this.countChanged(count)
    const streams = this.mgr.getStreams().filter((s) => s.memId !== selfId)
    for (const id of [...this.streams.keys()]) {
      if (!streams.some((s) => s.id === id)) this.streamRemoved(id)
    }
    for (const s of streams) this.streamAdded(s)
  }

  memberJoined(member: Member): void {
    if (!this.listening) return
    if (member.isSelf || member.id === this.self?.id) {
      this.self = member
      return
    }
    const known = this.members.has(member.id)
    this.members.set(member.id, member)
    // The SDK reports the members already there through memberJoined while we join: they come
    // with `join`; only later arrivals are `memberjoin`.
    if (!known && this.status !== 'joining') this.root.emit('memberjoin', { member })
  }

  memberExited(member: Member, reason?: unknown): void {
    if (!this.listening || !this.members.has(member.id)) return
    for (const stream of [...this.streams.values()]) {
      if (stream.memId === member.id) this.streamRemoved(stream.id)
    }
    this.members.delete(member.id)
    this.root.emit('memberexit', { member, reason })
  }

  /** Another member's role or nickname changed (our own role comes through roleChanged). */
  memberUpdated(member: Member): void {
    if (this.listening && this.members.has(member.id)) this.members.set(member.id, member)
  }

  streamAdded(stream: Stream): void {
    if (!this.listening || stream.memId === this.self?.id) return
    this.streams.set(stream.id, stream)
    this.root.media.addPlayback(stream)
  }

  streamRemoved(streamId: string): void {
    if (!this.streams.has(streamId)) return
    this.streams.delete(streamId)
    this.root.media.dropPlayback(streamId)
  }

  mediaChanged(stream: Stream, update?: MediaUpdate): void {
    const known = this.streams.get(stream.id)
    if (!this.listening || !known) return
    const voff = update?.voff ?? stream.voff ?? known.voff
    const aoff = update?.aoff ?? stream.aoff ?? known.aoff
    if (voff !== known.voff || aoff !== known.aoff) {
      this.streams.set(stream.id, { ...known, voff, aoff })
    }
  }

  /** Our role changed: true when it may publish. */
  roleChanged(role: RoleValue, roleToken?: string): void {
    if (!this.listening || !this.self) return
    this.self = { ...this.self, role }
    if (roleToken && this.conference) this.conference = { ...this.conference, roleToken }
  }

  attrsUpdated(attrs: Attrs): void {
    if (this.listening) this.attrs = { ...attrs }
  }

  reconnecting(): void {
    if (this.status === 'joined') this.status = 'reconnecting'
  }

  /** Back in after a reconnect: false when we were not in (nothing to restore). */
  reconnected(): boolean {
    if (!this.inConference) return false
    this.status = 'joined'
    this.self = this.mgr.getSelf() ?? this.self
    this.takeSnapshot()
    this.root.meeting.takeSnapshot(false)
    return true
  }
}
