// The conference store: the one listener of the SDK. It turns emedia callbacks into observable
// state and offers the actions the components need. Actions never reject: they resolve true /
// false, and a failure lands in `lastError` and the `error` event, so a tap handler needs no catch.
import { comparer, computed, makeAutoObservable, observable } from 'mobx-miniprogram'
import {
  ConfrType,
  ErrorCode,
  ExitReason,
  Role,
  type Attrs,
  type Conference,
  type ConfrTypeValue,
  type Member,
  type RoleValue,
  type Stream,
} from '../sdk/protocol'
import { Emitter } from '../sdk/emitter'
import { createLogger } from '../sdk/logger'
import type { MediaUpdate, ReconnectedInfo } from '../sdk/events'
import type { PlayerAction, PusherAction } from './media-policy'
import { MediaState, type PusherOptions } from './media-state'
import { canPublishRole, tileIds, tileOf, type TileSource } from './tiles'
import type {
  ConnectionStatus,
  EmediaLike,
  JoinByIdOptions,
  JoinRoomOptions,
  KitError,
  LocalMedia,
  PermissionDenied,
  StoreEventArgs,
  StoreEventName,
  StoreEvents,
  Tile,
} from './types'

type JoinPlan =
  | { kind: 'room'; options: JoinRoomOptions }
  | { kind: 'id'; confrId: string; password: string; options: JoinByIdOptions }
  | { kind: 'ticket'; confrId: string; ticket: string; options: JoinByIdOptions }

export interface CreateOptions {
  type?: ConfrTypeValue
  password?: string
  rec?: boolean
  recMerge?: boolean
  nickName?: string
  ext?: Record<string, unknown>
}

/** Exit codes after which showing the page again should rejoin: the membership was lost, not ended. */
const REJOINABLE = new Set<number>([ErrorCode.NETWORK, ErrorCode.MEMBER_INVALID, ErrorCode.TIMEOUT])

function toKitError(err: unknown, action: string): KitError {
  const e = (err ?? {}) as { code?: unknown; message?: unknown; errMsg?: unknown }
  const code = typeof e.code === 'number' ? e.code : ErrorCode.INTERNAL
  const message =
    typeof e.message === 'string'
      ? e.message
      : typeof e.errMsg === 'string'
        ? e.errMsg
        : String(err)
  return { code, message, action }
}

type PrivateKeys = 'emedia' | 'events' | 'unsubscribers' | 'plan' | 'publishing'

export class ConferenceStore implements TileSource {
  status: ConnectionStatus = 'idle'
  /** emedia `onConferenceExit` reason of the last exit (ExitReason), null before any. */
  exitReason: number | null = null
  /** emedia `failed` code of the last exit (0 for a normal hang-up). */
  exitCode: number | null = null
  conference: Conference | null = null
  self: Member | null = null
  attrs: Attrs = {}
  readonly members = observable.map<string, Member>({}, { deep: false })
  readonly streams = observable.map<string, Stream>({}, { deep: false })
  readonly streamIdByMember = observable.map<string, string>()
  /** Our pusher and the remote players (media-state.ts). */
  readonly media = new MediaState((error, action) => this.fail(action, error))
  /** Publish as soon as the role allows it (after join, after a promotion). */
  autoPublish = false
  lastError: KitError | null = null

  private readonly emedia: EmediaLike
  private readonly events = new Emitter<StoreEventArgs>(createLogger('warn', '[conference-kit]'))
  private readonly unsubscribers: Array<() => void>
  private plan: JoinPlan | null = null
  private publishing = false

  constructor(emedia: EmediaLike) {
    if (!emedia || !emedia.mgr || typeof emedia.mgr.on !== 'function') {
      throw new TypeError('createConferenceStore(emedia): emedia with mgr.on(...) is required')
    }
    this.emedia = emedia
    makeAutoObservable<ConferenceStore, PrivateKeys>(
      this,
      {
        emedia: false,
        events: false,
        unsubscribers: false,
        plan: false,
        publishing: false,
        media: false,
        conference: observable.ref,
        self: observable.ref,
        attrs: observable.ref,
        lastError: observable.ref,
        tileIds: computed({ equals: comparer.structural }),
        // Plain methods: called inside bindings' reactions, they must track, not act.
        tileOf: false,
        on: false,
      },
      { autoBind: true },
    )
    const mgr = emedia.mgr
    this.unsubscribers = [
      mgr.on('memberJoined', this.onMemberJoined),
      mgr.on('memberExited', this.onMemberExited),
      mgr.on('memberUpdated', this.onMemberUpdated),
      mgr.on('streamAdded', this.onStreamAdded),
      mgr.on('streamRemoved', this.onStreamRemoved),
      mgr.on('mediaChanged', this.onMediaChanged),
      mgr.on('roleChanged', this.onRoleChanged),
      mgr.on('conferenceExit', this.onConferenceExit),
      mgr.on('confrAttrsUpdated', this.onAttrsUpdated),
      mgr.on('reconnecting', this.onReconnecting),
      mgr.on('reconnected', this.onReconnected),
    ]
  }

  // ---- derived ----

  get local(): LocalMedia {
    return this.media.local
  }

  get plays() {
    return this.media.plays
  }

  get speaking() {
    return this.media.speaking
  }

  get permissionDenied(): PermissionDenied {
    return this.media.permissionDenied
  }

  /** How long a tile waits for media before it re-creates its native component. */
  get stallTimeoutMs(): number {
    return this.media.stallTimeoutMs
  }

  set stallTimeoutMs(ms: number) {
    this.media.stallTimeoutMs = ms
  }

  get inConference(): boolean {
    return this.status === 'joined' || this.status === 'reconnecting'
  }

  get canPublish(): boolean {
    return this.inConference && canPublishRole(this.self?.role)
  }

  get isAdmin(): boolean {
    return this.self?.role === Role.ADMIN
  }

  /** Tile ids in display order; equal arrays keep their identity so the grid does not re-render. */
  get tileIds(): string[] {
    return this.inConference ? tileIds(this) : []
  }

  get tiles(): Tile[] {
    return this.tileIds.map((id) => tileOf(this, id)).filter((t): t is Tile => !!t)
  }

  /** One tile, reading only that member's observables (what a tile component binds). */
  tileOf(memberId: string): Tile | undefined {
    return this.inConference ? tileOf(this, memberId) : undefined
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

  on<K extends StoreEventName>(name: K, fn: (data: StoreEvents[K]) => void): () => void {
    return this.events.on(name, fn as (data: StoreEvents[StoreEventName]) => void)
  }

  // ---- setup ----

  /** Passes server and identity options to the SDK (`emedia.config`); empty values are left out. */
  configure(options: Record<string, unknown>): boolean {
    const clean: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(options)) if (v !== undefined && v !== '') clean[k] = v
    try {
      this.emedia.config(clean)
      return true
    } catch (err) {
      return this.fail('configure', err)
    }
  }

  setAutoPublish(on: boolean): void {
    this.autoPublish = on
  }

  setPusherOptions(options: PusherOptions): void {
    this.media.setPusherOptions(options)
  }

  // ---- joining and leaving ----

  create(options: CreateOptions = {}): Promise<boolean> {
    const { type = ConfrType.COMMUNICATION, password = '', rec, recMerge, ext, nickName } = options
    const joinOptions: JoinByIdOptions = { ext, nickName }
    const mgr = this.emedia.mgr
    return this.enter(null, async () => {
      const created = await mgr.createConference(type, password, rec, recMerge)
      // Rejoining later goes by id and password: a ticket expires.
      const confrId = created.confrId
      this.plan = {
        kind: 'id',
        confrId,
        password: created.password ?? password,
        options: joinOptions,
      }
      return mgr.joinConferenceWithTicket(confrId, created.ticket, ext, { nickName })
    })
  }

  joinRoom(options: JoinRoomOptions): Promise<boolean> {
    if (!options || !options.roomName) return this.reject('join', 'joinRoom: roomName is required')
    return this.enter({ kind: 'room', options })
  }

  joinById(confrId: string, password = '', options: JoinByIdOptions = {}): Promise<boolean> {
    if (!confrId) return this.reject('join', 'joinById: confrId is required')
    return this.enter({ kind: 'id', confrId, password, options })
  }

  joinWithTicket(confrId: string, ticket: string, options: JoinByIdOptions = {}): Promise<boolean> {
    if (!confrId || !ticket) {
      return this.reject('join', 'joinWithTicket: confrId and ticket are required')
    }
    return this.enter({ kind: 'ticket', confrId, ticket, options })
  }

  /** Joins again the way the last join went (after the membership was lost). */
  rejoin(): Promise<boolean> {
    if (!this.plan) return this.reject('join', 'rejoin: nothing to rejoin')
    return this.enter(this.plan)
  }

  async leave(): Promise<boolean> {
    const confrId = this.conference?.confrId
    this.plan = null
    if (!confrId || !this.inConference) return true
    let ok = true
    try {
      await this.emedia.mgr.exitConference(confrId)
    } catch (err) {
      ok = this.fail('leave', err)
    }
    this.applyExit(ExitReason.HANGUP, 0)
    return ok
  }

  private async enter(
    plan: JoinPlan | null,
    attempt: () => Promise<Conference> = () => this.runPlan(plan!),
  ): Promise<boolean> {
    if (this.status === 'joining' || this.inConference) {
      return this.reject('join', 'already in a conference: leave it first')
    }
    this.beginJoin(plan)
    let joined: Conference
    try {
      joined = await attempt()
    } catch (err) {
      this.joinFailed(err)
      return false
    }
    this.applyJoined(joined)
    if (this.autoPublish || this.local.wantPublish) await this.publish()
    return true
  }

  private runPlan(plan: JoinPlan): Promise<Conference> {
    const mgr = this.emedia.mgr
    if (plan.kind === 'room') return mgr.joinRoom(plan.options)
    const { ext, ...opts } = plan.options
    if (plan.kind === 'id') return mgr.joinConference(plan.confrId, plan.password, ext, opts)
    return mgr.joinConferenceWithTicket(plan.confrId, plan.ticket, ext, opts)
  }

  private beginJoin(plan: JoinPlan | null): void {
    this.plan = plan
    this.status = 'joining'
    this.exitReason = null
    this.exitCode = null
    this.lastError = null
  }

  private joinFailed(err: unknown): void {
    const error = toKitError(err, 'join')
    this.clearConference()
    this.status = 'exited'
    this.exitReason = ExitReason.FAILED
    this.exitCode = error.code
    this.lastError = error
    this.events.emit('error', error)
  }

  private applyJoined(joined: Conference): void {
    const mgr = this.emedia.mgr
    this.conference = mgr.getConference() ?? joined
    this.self = mgr.getSelf() ?? this.self
    this.takeSnapshot()
    this.status = 'joined'
    this.events.emit('join', { conference: this.conference, self: this.self })
  }

  /** Members and streams as the SDK holds them now (after join and after a reconnect). */
  private takeSnapshot(): void {
    const mgr = this.emedia.mgr
    const selfId = this.self?.id
    const members = mgr.getMembers().filter((m) => m.id !== selfId && !m.isSelf)
    for (const id of [...this.members.keys()]) {
      if (!members.some((m) => m.id === id)) this.members.delete(id)
    }
    for (const m of members) this.members.set(m.id, m)
    const streams = mgr.getStreams().filter((s) => s.memId !== selfId)
    for (const id of [...this.streams.keys()]) {
      const stream = this.streams.get(id)!
      if (!streams.some((s) => s.id === id)) this.removeStream(stream)
    }
    for (const s of streams) this.addStream(s)
  }

  private applyExit(reason: number, code: number): void {
    if (this.status === 'exited' || this.status === 'idle') return
    this.clearConference()
    this.status = 'exited'
    this.exitReason = reason
    this.exitCode = code
    this.events.emit('exit', { reason, code })
  }

  private clearConference(): void {
    this.members.clear()
    this.streams.clear()
    this.streamIdByMember.clear()
    this.media.clear()
    this.conference = null
    this.publishing = false
  }

  // ---- publishing ----

  async publish(): Promise<boolean> {
    if (!this.canPublish) {
      return this.reject('publish', 'this role cannot publish', ErrorCode.NO_RIGHTS)
    }
    this.local.wantPublish = true
    if (this.local.streamId || this.publishing) return true
    this.publishing = true
    this.local.pushState = 'starting'
    // Published with the current mic / camera state, so that nobody sees a muted mic as live.
    const media = { voff: this.local.cameraOn ? 0 : 1, aoff: this.local.micOn ? 0 : 1 } as const
    let published: { rtmp: string; streamId: string; stream: Stream }
    try {
      published = (await this.emedia.mgr.pubStream(this.emedia.util.getRtcId(), media)).data
    } catch (err) {
      this.publishFailed(err)
      return false
    }
    this.applyPublished(published.stream?.id ?? published.streamId, published.rtmp)
    // Toggled while pubStream was on its way: report the difference.
    const { micOn, cameraOn } = this.local
    let ok = true
    if (micOn !== (media.aoff === 0)) ok = (await this.reportMedia('audio', micOn)) && ok
    if (cameraOn !== (media.voff === 0)) ok = (await this.reportMedia('video', cameraOn)) && ok
    return ok
  }

  async unpublish(): Promise<boolean> {
    const streamId = this.local.streamId
    this.media.stopped(false)
    if (!streamId) return true
    try {
      await this.emedia.mgr.unpubStream(streamId)
      return true
    } catch (err) {
      return this.fail('unpublish', err)
    }
  }

  /** A fresh push URL (the old one was refused or expired): unpublish, publish again. */
  /** A fresh URL for the same stream: the others keep their tile (pubStream is idempotent). */
  async refreshPushUrl(): Promise<boolean> {
    const streamId = this.local.streamId
    const own = this.emedia.mgr.getPublished().find((p) => p.stream.id === streamId)
    if (!own) return this.publish()
    this.media.stopped(true)
    try {
      const { data } = await this.emedia.mgr.pubStream(own.stream.rtcId)
      this.applyPublished(data.streamId, data.rtmp)
      return true
    } catch (err) {
      this.publishFailed(err)
      return false
    }
  }

  private publishFailed(err: unknown): void {
    this.publishing = false
    this.local.pushState = 'failed'
    this.fail('publish', err)
  }

  private applyPublished(streamId: string, rtmp: string): void {
    this.publishing = false
    this.media.published(streamId, rtmp)
  }

  // ---- local media ----

  /** Mic on/off; reported to the others (pauseAudio / resumeAudio) when publishing. */
  toggleMic(on: boolean = !this.local.micOn): Promise<boolean> {
    this.local.micOn = on
    return this.reportMedia('audio', on)
  }

  /** Camera on/off; reported to the others (pauseVideo / resumeVideo) when publishing. */
  toggleCamera(on: boolean = !this.local.cameraOn): Promise<boolean> {
    this.local.cameraOn = on
    return this.reportMedia('video', on)
  }

  /** Front/back camera. A second tap within 600 ms is ignored (the camera is still switching). */
  switchCamera(now: number = Date.now()): boolean {
    return this.media.switchCamera(now)
  }

  private async reportMedia(kind: 'audio' | 'video', on: boolean): Promise<boolean> {
    const streamId = this.local.streamId
    if (!streamId) return true
    const mgr = this.emedia.mgr
    try {
      if (kind === 'audio') await (on ? mgr.resumeAudio(streamId) : mgr.pauseAudio(streamId))
      else await (on ? mgr.resumeVideo(streamId) : mgr.pauseVideo(streamId))
      return true
    } catch (err) {
      return this.fail(kind === 'audio' ? 'toggleMic' : 'toggleCamera', err)
    }
  }

  // ---- administration ----

  kick(memberNames: string[]): Promise<boolean> {
    return this.adminCall('kick', (id) => this.emedia.mgr.kickMembersById(id, memberNames))
  }

  grantRole(memberNames: string[], role: RoleValue): Promise<boolean> {
    return this.adminCall('grantRole', (id) => this.emedia.mgr.grantRole(id, memberNames, role))
  }

  destroy(): Promise<boolean> {
    return this.adminCall('destroy', (id) => this.emedia.mgr.destroyConference(id))
  }

  private async adminCall(action: string, call: (confrId: string) => Promise<unknown>) {
    const confrId = this.conference?.confrId
    if (!confrId) return this.reject(action, 'not in a conference', ErrorCode.CONFERENCE_INVALID)
    try {
      await call(confrId)
      return true
    } catch (err) {
      return this.fail(action, err)
    }
  }

  // ---- events of the native components (state in media-state.ts) ----

  onPusherState(code: number): PusherAction {
    return this.media.onPusherState(code)
  }

  onPusherNetStatus(info: { videoBitrate?: number; audioBitrate?: number }): void {
    this.media.onPusherNetStatus(info)
  }

  onPusherError(errCode: number, errMsg = ''): void {
    this.media.onPusherError(errCode, errMsg)
  }

  /** A permission check outside the pusher (wx.authorize before publishing) was refused. */
  setPermissionDenied(kind: PermissionDenied): void {
    this.media.setPermissionDenied(kind)
  }

  /** The user granted what was refused (after wx.openSetting): re-create the pusher. */
  clearPermissionDenied(): void {
    this.media.setPermissionDenied('')
    this.media.remountPusher()
  }

  onPlayerState(memberId: string, code: number): PlayerAction {
    const streamId = this.streamIdByMember.get(memberId)
    return streamId ? this.media.onPlayerState(streamId, code) : 'none'
  }

  onPlayerNetStatus(memberId: string, info: { videoBitrate?: number; audioBitrate?: number }) {
    const streamId = this.streamIdByMember.get(memberId)
    if (streamId) this.media.onPlayerNetStatus(streamId, info)
  }

  /** audiovolumenotify of a pusher or a player. */
  onVolume(memberId: string, volume: number): void {
    this.media.onVolume(memberId, volume)
  }

  /** Re-create a tile's native component (it is black or stuck). */
  remount(memberId: string): void {
    if (this.self && memberId === this.self.id) return this.media.remountPusher()
    const streamId = this.streamIdByMember.get(memberId)
    if (streamId) this.media.remountPlayer(streamId)
  }

  /** A fresh play URL for a member's stream (the one held was refused or expired). */
  async refreshPlayUrl(memberId: string): Promise<boolean> {
    const streamId = this.streamIdByMember.get(memberId)
    if (!streamId) return false
    try {
      const { data } = await this.emedia.mgr.subStream(streamId, { refresh: true })
      this.applyPlayUrl(streamId, data.rtmp)
      return true
    } catch (err) {
      return this.fail('subscribe', err)
    }
  }

  private applyPlayUrl(streamId: string, url: string): void {
    if (this.streams.has(streamId)) this.media.setPlayUrl(streamId, url)
  }

  /** The page was hidden / shown (pageLifetimes): the pusher pauses and resumes. */
  setBackground(hidden: boolean): void {
    this.media.setBackground(hidden)
  }

  // ---- SDK callbacks ----

  private get listening(): boolean {
    return this.status === 'joining' || this.inConference
  }

  private onMemberJoined(member: Member): void {
    if (!this.listening) return
    if (member.isSelf || member.id === this.self?.id) {
      this.self = member
      return
    }
    const known = this.members.has(member.id)
    this.members.set(member.id, member)
    // The SDK reports the members already there through memberJoined while we join: they come
    // with `join`; only later arrivals are `memberjoin`.
    if (!known && this.status !== 'joining') this.events.emit('memberjoin', { member })
  }

  private onMemberExited(member: Member, reason?: unknown): void {
    if (!this.listening || !this.members.has(member.id)) return
    const streamId = this.streamIdByMember.get(member.id)
    const stream = streamId ? this.streams.get(streamId) : undefined
    if (stream) this.removeStream(stream)
    this.members.delete(member.id)
    this.media.forgetMember(member.id)
    this.events.emit('memberexit', { member, reason })
  }

  /** Another member's role or nickname changed (our own role comes through roleChanged). */
  private onMemberUpdated(member: Member): void {
    if (this.listening && this.members.has(member.id)) this.members.set(member.id, member)
  }

  private onStreamAdded(stream: Stream): void {
    if (this.listening && stream.memId !== this.self?.id) this.addStream(stream)
  }

  private onStreamRemoved(stream: Stream): void {
    const known = this.streams.get(stream.id)
    if (this.listening && known) this.removeStream(known)
  }

  private onMediaChanged(stream: Stream, update?: MediaUpdate): void {
    const known = this.streams.get(stream.id)
    if (!this.listening || !known) return
    const voff = update?.voff ?? stream.voff ?? known.voff
    const aoff = update?.aoff ?? stream.aoff ?? known.aoff
    if (voff !== known.voff || aoff !== known.aoff)
      this.streams.set(stream.id, { ...known, voff, aoff })
  }

  private onRoleChanged(role: RoleValue, roleToken?: string): void {
    if (!this.listening || !this.self) return
    this.self = { ...this.self, role }
    if (roleToken && this.conference) this.conference = { ...this.conference, roleToken }
    if (!canPublishRole(role)) {
      // The server withdrew our stream with the role.
      this.media.stopped(false)
    } else if (this.autoPublish && !this.local.streamId) {
      void this.publish()
    }
  }

  private onConferenceExit(reason: number, failed: number): void {
    this.applyExit(reason, failed)
  }

  private onAttrsUpdated(attrs: Attrs): void {
    if (this.listening) this.attrs = { ...attrs }
  }

  private onReconnecting(): void {
    if (this.status === 'joined') this.status = 'reconnecting'
  }

  private onReconnected(info?: ReconnectedInfo): void {
    if (!this.inConference) return
    this.status = 'joined'
    this.self = this.emedia.mgr.getSelf() ?? this.self
    this.takeSnapshot()
    const mine =
      info?.published?.find((p) => p.stream.id === this.local.streamId) ?? info?.published?.[0]
    if (mine) {
      // A fresh push URL; the native pusher is re-created so no stale session lingers.
      this.media.published(mine.stream.id, mine.rtmp, true)
    } else if (this.local.wantPublish && this.local.streamId) {
      this.media.stopped(true)
      void this.publish()
    }
    this.events.emit('reconnected', {})
  }

  private addStream(stream: Stream): void {
    this.streams.set(stream.id, stream)
    this.streamIdByMember.set(stream.memId, stream.id)
    this.media.addPlayback(stream.id, stream.rtmp ?? '')
    if (!stream.rtmp) void this.refreshPlayUrl(stream.memId)
  }

  private removeStream(stream: Stream): void {
    this.streams.delete(stream.id)
    this.media.dropPlayback(stream.id)
    if (this.streamIdByMember.get(stream.memId) === stream.id) {
      this.streamIdByMember.delete(stream.memId)
    }
  }

  // ---- errors ----

  private fail(action: string, err: unknown): false {
    const error = toKitError(err, action)
    this.lastError = error
    this.events.emit('error', error)
    return false
  }

  private reject(action: string, message: string, code: number = ErrorCode.BAD_REQUEST) {
    return Promise.resolve(this.fail(action, { code, message }))
  }

  /** Stops listening to the SDK (a store made for one page). */
  dispose(): void {
    for (const off of this.unsubscribers) off()
    this.unsubscribers.length = 0
  }
}

export type { PusherOptions }

export function createConferenceStore(emedia: EmediaLike): ConferenceStore {
  return new ConferenceStore(emedia)
}
