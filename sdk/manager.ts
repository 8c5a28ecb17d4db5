// `emedia.mgr`: the emedia API, names and promise shapes as the reference documents them, plus
// the callback properties and an emitter. Input is checked here; the conference's life is in
// lifecycle.ts.
import { type Emitter } from './emitter'
import { badInput, toEmediaError } from './errors'
import type {
  ConnectionState,
  ControlsState,
  EmediaEvents,
  MediaErrorInfo,
  MediaUpdate,
  MutedByHost,
  Published,
  ReconnectedInfo,
} from './events'
import type { Lifecycle } from './lifecycle'
import {
  CONFR_TYPES,
  ConfrType,
  confrTypeOf,
  Role,
  roleOf,
  ROLES,
  type Attrs,
  type ChatMessage,
  type Conference,
  type ConferenceConfig,
  type ConfrTypeValue,
  type Hand,
  invitationConference,
  MAX_INVITATION_TTL,
  MAX_MEMBER_PAGE,
  MAX_MESSAGE_BYTES,
  MAX_MESSAGE_PAGE,
  MIN_INVITATION_TTL,
  type Member,
  type MemberCount,
  type MemberExitCause,
  type MuteAll,
  type JoinParams,
  type Methods,
  type Numeric,
  type PublishResult,
  type RoleValue,
  type Stream,
} from 'miniprogram-conference-protocol'

export interface JoinRoomConfig extends ConferenceConfig {
  nickName?: string
  rec?: boolean
  recMerge?: boolean
  ext?: Record<string, unknown>
}

export interface JoinRoomOptions {
  roomName: string
  password?: string
  /** A Role value; the document's `{string}` ("3") works too. */
  role?: Numeric<RoleValue>
  /** New: conference type when the room is created (server default otherwise). */
  type?: Numeric<ConfrTypeValue>
  config?: JoinRoomConfig
}

/** New: what emedia's joinConference* could not say (the join request's own fields). */
export type JoinOptions = Pick<JoinParams, 'role' | 'nickName'>

export interface PubStreamResult {
  data: { rtmp: string; streamId: string; stream: Stream }
}

export interface SubStreamResult {
  data: { rtmp: string; flv?: string }
}

export type ConferenceInfo = Methods['getConferenceInfo']['result']

/** What muteMembers / muteAll change: each kind given is held (true) or let go (false). */
export interface MuteOptions {
  audio?: boolean
  video?: boolean
  /** Whether the muted may turn it back on themselves (default false). */
  allowSelfUnmute?: boolean
}

/** A message for sendMessage: text for people, or `custom` (any JSON) for your app's signalling. */
export type MessageContent = { text: string } | { custom: unknown }

export interface MessageOptions {
  /** Member ids or user ids it goes to (default: everyone). */
  to?: string | string[]
}

export type MuteResult = Methods['muteMembers']['result']
export type InvitationResult = Methods['createInvitation']['result']

type StreamRef = Stream | string | undefined

function needString(value: unknown, what: string): string {
  if (typeof value !== 'string' || !value) throw badInput(`${what} must be a non-empty string`)
  return value
}

function needNames(value: unknown): string[] {
  if (!Array.isArray(value) || !value.length || !value.every((v) => typeof v === 'string' && v)) {
    throw badInput('memberNames must be a non-empty array of member names')
  }
  return value
}

// The document types confrType and role as {string}: "3" is accepted and sent as it is; the
// server normalises it (the same rule, protocol.ts). Anything else fails here with -400.
function needRole(value: unknown): Numeric<RoleValue> {
  if (roleOf(value) === null)
    throw badInput(`role must be one of ${ROLES.join(', ')} (a number or a numeric string)`)
  return value as Numeric<RoleValue>
}

function needConfrType(value: unknown): Numeric<ConfrTypeValue> {
  if (confrTypeOf(value) === null)
    throw badInput(
      `confrType must be one of ${CONFR_TYPES.join(', ')} (a number or a numeric string)`,
    )
  return value as Numeric<ConfrTypeValue>
}

/** Bytes of `s` in UTF-8, as the server counts MAX_MESSAGE_BYTES (no Buffer in a mini program). */
function utf8Length(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4
      i++
    } else n += 3
  }
  return n
}

function needMute(opts: MuteOptions): MuteOptions {
  if (!opts || typeof opts !== 'object') throw badInput('options must be {audio?, video?}')
  const out: MuteOptions = {}
  for (const k of ['audio', 'video', 'allowSelfUnmute'] as const) {
    const v = opts[k]
    if (v === undefined) continue
    if (typeof v !== 'boolean') throw badInput(`${k} must be true or false`)
    out[k] = v
  }
  if (out.audio === undefined && out.video === undefined)
    throw badInput('say what to change: {audio: true|false} and/or {video: true|false}')
  return out
}

function streamIdOf(ref: Stream | string): string {
  return needString(typeof ref === 'string' ? ref : ref && ref.id, 'stream id')
}

export class Manager {
  readonly ConfrType = ConfrType
  readonly Role = Role

  onMemberJoined?: (member: Member) => void
  /** The spelling of the emedia document's prose. */
  onMemberJoin?: (member: Member) => void
  onMemberExited?: (member: Member, reason: MemberExitCause) => void
  onMemberUpdated?: (member: Member) => void
  onStreamAdded?: (stream: Stream) => void
  onStreamRemoved?: (stream: Stream) => void
  onRoleChanged?: (role: RoleValue, roleToken: string) => void
  /** emedia's spelling. */
  onMediaChanaged?: (stream: Stream, update: MediaUpdate) => void
  onMediaChanged?: (stream: Stream, update: MediaUpdate) => void
  onConferenceExit?: (reason: number, failed: number) => void
  onConfrAttrsUpdated?: (attrs: Attrs) => void
  onReconnecting?: () => void
  onReconnected?: (info: ReconnectedInfo) => void
  onMediaError?: (info: MediaErrorInfo) => void
  onStateChanged?: (state: ConnectionState) => void
  onMemberCount?: (count: MemberCount) => void
  onMutedByHost?: (state: MutedByHost) => void
  onHandsChanged?: (hands: Hand[]) => void
  onControlsChanged?: (controls: ControlsState) => void
  onSpeakInvitation?: (from: Member) => void
  onSpeakInvitationAnswered?: (member: Member, accept: boolean) => void
  onMessage?: (message: ChatMessage) => void
  onRoleDenied?: (info: { asked: RoleValue; given: RoleValue; reason: string }) => void

  constructor(
    private readonly life: Lifecycle,
    private readonly emitter: Emitter<EmediaEvents>,
    private readonly setHostUrl: (url: string) => void,
  ) {}

  on<K extends keyof EmediaEvents>(name: K, fn: (...args: EmediaEvents[K]) => void): () => void {
    return this.emitter.on(name, fn)
  }

  off<K extends keyof EmediaEvents>(name: K, fn: (...args: EmediaEvents[K]) => void): void {
    this.emitter.off(name, fn)
  }

  /**
   * New (not in emedia): `run` is called with the callbacks one server message causes (the
   * arrivals of one batch, a join's or a resume's members and streams) and must call `apply()`
   * at once. The kit's store passes MobX's runInAction: N arrivals are one reaction, not N.
   * `null` removes it. The callbacks themselves, their order and their arguments do not change.
   */
  setCallbackBatcher(run: ((apply: () => void) => void) | null): void {
    if (run !== null && typeof run !== 'function')
      throw badInput('setCallbackBatcher: run must be a function or null')
    this.life.batcher = run
  }

  // ---- conferences ----

  createConference(
    confrType: Numeric<ConfrTypeValue> = ConfrType.COMMUNICATION,
    password = '',
    rec = false,
    recMerge = false,
    config?: ConferenceConfig,
  ): Promise<Conference> {
    return this.run(() => {
      return this.life.rpc.call('createConference', {
        type: needConfrType(confrType),
        password,
        rec: !!rec,
        recMerge: !!recMerge,
        config,
      })
    })
  }

  getConferenceTkt(confrId: string, password = ''): Promise<string> {
    return this.run(async () => {
      const res = await this.life.rpc.call('getConferenceTkt', {
        confrId: needString(confrId, 'confrId'),
        password,
      })
      return res.ticket
    })
  }

  getConferenceInfo(confrId: string, password = ''): Promise<ConferenceInfo> {
    return this.run(() =>
      this.life.rpc.call('getConferenceInfo', {
        confrId: needString(confrId, 'confrId'),
        password,
      }),
    )
  }

  joinConference(
    confrId: string,
    password = '',
    ext?: Record<string, unknown>,
    opts: JoinOptions = {},
  ): Promise<Conference> {
    return this.run(() =>
      this.life.join({ confrId: needString(confrId, 'confrId'), password, ext, ...opts }),
    )
  }

  joinConferenceWithTicket(
    confrId: string,
    ticket: string,
    ext?: Record<string, unknown>,
    opts: JoinOptions = {},
  ): Promise<Conference> {
    return this.run(() =>
      this.life.join({
        confrId: needString(confrId, 'confrId'),
        ticket: needString(ticket, 'ticket'),
        ext,
        ...opts,
      }),
    )
  }

  /** Joins the room of that name, creating it when missing. Resolves with `{confrId, ...}`.
   * Like every join, it first leaves the conference you are in (emedia: one at a time). */
  joinRoom(option: JoinRoomOptions): Promise<Conference> {
    return this.run(() => {
      if (!option || typeof option !== 'object') throw badInput('joinRoom needs {roomName, ...}')
      const { nickName, rec, recMerge, ext, ...limits } = option.config || {}
      if (option.role !== undefined) needRole(option.role)
      if (option.type !== undefined) needConfrType(option.type)
      return this.life.join({
        roomName: needString(option.roomName, 'roomName'),
        password: option.password || '',
        role: option.role,
        type: option.type,
        nickName,
        ext,
        rec,
        recMerge,
        config: limits,
      })
    })
  }

  /**
   * Resolves once the server acknowledged (at once without a socket); fires onConferenceExit(0, 0).
   * `confrId` is optional (you are in one conference at most); when given and not the conference
   * you are in, nothing is left.
   */
  exitConference(confrId?: string): Promise<void> {
    return this.run(() => {
      if (confrId && confrId !== this.life.session.confrId) return
      return this.life.exit()
    })
  }

  /** Ends the conference for everyone (admins and its creator, joined or not); resolves with nothing. */
  destroyConference(confrId?: string): Promise<void> {
    return this.run(async () => {
      const id = needString(confrId || this.life.session.confrId, 'confrId')
      await this.life.rpc.call('destroy', { confrId: id })
      this.life.destroyed(id)
    })
  }

  kickMembersById(confrId: string, memberNames: string[]): Promise<{ kicked: string[] }> {
    return this.run(() =>
      this.life.rpc.call('kick', {
        confrId: needString(confrId || this.life.session.confrId, 'confrId'),
        memberNames: needNames(memberNames),
      }),
    )
  }

  grantRole(
    confrId: string,
    memberNames: string[],
    role: Numeric<RoleValue>,
  ): Promise<Methods['grantRole']['result']> {
    return this.run(() =>
      this.life.rpc.call('grantRole', {
        confrId: needString(confrId || this.life.session.confrId, 'confrId'),
        memberNames: needNames(memberNames),
        role: needRole(role),
      }),
    )
  }

  setConferenceAttrs(opts: { key: string; val: string; confrId?: string }): Promise<Attrs> {
    return this.run(async () => {
      if (!opts || typeof opts.val !== 'string') throw badInput('val must be a string')
      const key = needString(opts.key, 'key')
      const res = await this.life.rpc.call('setAttrs', {
        confrId: this.currentOr(opts.confrId),
        key,
        val: opts.val,
      })
      // A server of revision 3 answers without the set: ours, with this change applied now (its
      // event may come a merge window later, after another change of ours has been answered).
      return res.attrs ?? this.life.session.changeAttrs({ [key]: opts.val }, [])
    })
  }

  deleteConferenceAttrs(opts: { key: string; confrId?: string }): Promise<Attrs> {
    return this.run(async () => {
      const key = needString(opts && opts.key, 'key')
      const res = await this.life.rpc.call('deleteAttrs', {
        confrId: this.currentOr(opts && opts.confrId),
        key,
      })
      return res.attrs ?? this.life.session.changeAttrs({}, [key])
    })
  }

  /** New: joins with an invitation credential (createInvitation; a share card carries it). */
  joinConferenceWithInvitation(
    invitation: string,
    ext?: Record<string, unknown>,
    opts: JoinOptions = {},
  ): Promise<Conference> {
    return this.run(() => {
      const confrId = invitationConference(needString(invitation, 'invitation'))
      if (!confrId) throw badInput('invitation: not an invitation (createInvitation gives one)')
      return this.life.join({ confrId, invitation, ext, ...opts })
    })
  }

  // ---- running a meeting (revision 6) ----

  /**
   * New (ADMIN): holds the members' microphone and/or camera off (`true`) or lets go (`false`:
   * they may turn it on again; it is never turned on for them). Their SDK hears onMutedByHost;
   * everyone's players follow the server's flags. Resolves `{muted, refused?}`.
   */
  muteMembers(confrId: string, memberNames: string[], opts: MuteOptions): Promise<MuteResult> {
    return this.run(() =>
      this.life.rpc.call('muteMembers', {
        confrId: this.currentOr(confrId),
        memberNames: needNames(memberNames),
        ...needMute(opts),
      }),
    )
  }

  /** New (ADMIN): everyone but the admins, now and as they join. Resolves with mute-all. */
  muteAll(confrId: string, opts: MuteOptions): Promise<MuteAll> {
    return this.run(async () => {
      const res = await this.life.rpc.call('muteAll', {
        confrId: this.currentOr(confrId),
        ...needMute(opts),
      })
      return res.muteAll
    })
  }

  /** New (ADMIN): a locked conference refuses new joins (-526), admins excepted. */
  lockConference(confrId: string, locked: boolean): Promise<{ locked: boolean }> {
    return this.run(() => {
      if (typeof locked !== 'boolean') throw badInput('locked must be true or false')
      return this.life.rpc.call('lockConference', { confrId: this.currentOr(confrId), locked })
    })
  }

  /** New: raises your hand in the current conference; resolves with the queue. */
  raiseHand(): Promise<Hand[]> {
    return this.run(async () => {
      const res = await this.life.rpc.call('raiseHand', {
        confrId: this.requireConference('raiseHand'),
      })
      return this.handsNow(res.hands)
    })
  }

  /** New: lowers your hand, or (ADMIN) another member's (member id or user id). */
  lowerHand(memberName?: string): Promise<Hand[]> {
    return this.run(async () => {
      const confrId = this.requireConference('lowerHand')
      const res = await this.life.rpc.call('lowerHand', {
        confrId,
        ...(memberName !== undefined ? { memberName: needString(memberName, 'memberName') } : {}),
      })
      return this.handsNow(res.hands)
    })
  }

  /** New (ADMIN): invites a member to speak; it hears onSpeakInvitation. */
  inviteToSpeak(confrId: string, memberName: string): Promise<void> {
    return this.run(async () => {
      await this.life.rpc.call('inviteToSpeak', {
        confrId: this.currentOr(confrId),
        memberName: needString(memberName, 'memberName'),
      })
    })
  }

  /**
   * New: answers the invitation to speak. Accepted, an audience member becomes TALKER (its
   * roleChanged follows; then pubStream) and the host's hold on its microphone is lifted.
   * Resolves with your role.
   */
  answerSpeakInvitation(accept: boolean): Promise<{ role: RoleValue }> {
    return this.run(async () => {
      if (typeof accept !== 'boolean') throw badInput('accept must be true or false')
      const res = await this.life.rpc.call('answerSpeakInvitation', {
        confrId: this.requireConference('answerSpeakInvitation'),
        accept,
      })
      this.life.session.meeting.invitedBy = null
      return res
    })
  }

  /**
   * New: a chat message to everyone or to `to`; at most 1 KB (UTF-8; `custom` as JSON). Resolves
   * with the message as the others get it (its `id`, `at`; a text the server's check rewrote).
   */
  sendMessage(content: MessageContent, opts: MessageOptions = {}): Promise<ChatMessage> {
    return this.run(async () => {
      const confrId = this.requireConference('sendMessage')
      if (!content || typeof content !== 'object') throw badInput('sendMessage({text} or {custom})')
      const text = (content as { text?: unknown }).text
      const custom = (content as { custom?: unknown }).custom
      if ((text === undefined) === (custom === undefined))
        throw badInput('sendMessage: exactly one of text and custom')
      if (text !== undefined && (typeof text !== 'string' || !text.trim()))
        throw badInput('text must be a non-empty string')
      const size =
        text !== undefined ? utf8Length(text as string) : utf8Length(JSON.stringify(custom) ?? '')
      if (size > MAX_MESSAGE_BYTES)
        throw badInput(`a message holds at most ${MAX_MESSAGE_BYTES} bytes (this one ${size})`)
      const to = opts && opts.to !== undefined ? [].concat(opts.to as never) : undefined
      if (to) needNames(to)
      const res = await this.life.rpc.call('sendMessage', {
        confrId,
        ...(text !== undefined ? { text: text as string } : { custom }),
        ...(to ? { to } : {}),
      })
      return res.message
    })
  }

  /**
   * New: the kept chat (the last 100 texts to everyone), `limit` (default 20) before message
   * `before` (default: the latest), oldest first; `more`: earlier ones remain.
   */
  getMessages(
    opts: { before?: number; limit?: number } = {},
  ): Promise<{ messages: ChatMessage[]; more: boolean }> {
    return this.run(() => {
      const { before, limit } = opts || {}
      if (before !== undefined && !(Number.isInteger(before) && before >= 0))
        throw badInput('before must be a message id')
      if (
        limit !== undefined &&
        !(Number.isInteger(limit) && limit >= 1 && limit <= MAX_MESSAGE_PAGE)
      )
        throw badInput(`limit must be an integer from 1 to ${MAX_MESSAGE_PAGE}`)
      return this.life.rpc.call('getMessages', {
        confrId: this.requireConference('getMessages'),
        ...(before !== undefined ? { before } : {}),
        ...(limit !== undefined ? { limit } : {}),
      })
    })
  }

  /**
   * New: a credential anyone may join with (joinConferenceWithInvitation) for `ttlSec` (default a
   * day; 60 s to 7 days). Refused while locked; in a conference with a password, admins only.
   */
  createInvitation(confrId: string, opts: { ttlSec?: number } = {}): Promise<InvitationResult> {
    return this.run(() => {
      const ttlSec = opts && opts.ttlSec
      if (
        ttlSec !== undefined &&
        !(Number.isInteger(ttlSec) && ttlSec >= MIN_INVITATION_TTL && ttlSec <= MAX_INVITATION_TTL)
      )
        throw badInput(
          `ttlSec must be whole seconds from ${MIN_INVITATION_TTL} to ${MAX_INVITATION_TTL}`,
        )
      return this.life.rpc.call('createInvitation', {
        confrId: this.currentOr(confrId),
        ...(ttlSec !== undefined ? { ttlSec } : {}),
      })
    })
  }

  /** Points the SDK at another server (used from the next connection on). */
  setHost(url: string): void {
    this.setHostUrl(url)
  }

  // ---- streams ----

  /**
   * Publishes; `res.data.rtmp` is the push URL for live-pusher. Publishing an `rtcId` you already
   * publish returns the same stream with a fresh URL (no unpublish, the others see no change).
   */
  pubStream(
    rtcId?: string,
    media: { voff?: 0 | 1; aoff?: 0 | 1; type?: 'desktop' } = {},
  ): Promise<PubStreamResult> {
    return this.run(async () => {
      const confrId = this.requireConference('pubStream')
      const params = { confrId, rtcId: rtcId || newRtcId(), ...media }
      const grant = this.life.session.grant
      if (grant) return this.claim(grant, params)
      const res = await this.life.rpc.call('publish', params, {
        onResult: (r) => this.life.session.published.set(r.stream.id, r),
      })
      return { data: { rtmp: res.rtmp, streamId: res.stream.id, stream: res.stream } }
    })
  }

  /**
   * The first pubStream answers from the slot the join granted (protocol 1.1): the claim goes to
   * the server, which checks role and limits, and the push URL is returned without waiting. The
   * claim is sent before this resolves, so it reaches the server before any push can.
   */
  private claim(grant: PublishResult, params: Methods['publish']['params']): PubStreamResult {
    const session = this.life.session
    session.grant = null
    const { rtcId, voff = 0, aoff = 0 } = params
    const stream: Stream = { ...grant.stream, rtcId, voff, aoff }
    session.published.set(stream.id, { stream, rtmp: grant.rtmp })
    this.life.rpc
      .call(
        'publish',
        { ...params, streamId: stream.id },
        {
          onResult: (r) =>
            session.published.set(r.stream.id, { stream: r.stream, rtmp: grant.rtmp }),
        },
      )
      .catch((err: unknown) => {
        // Refused (limits, role): the slot is gone on the server and a push to it is refused.
        session.published.delete(stream.id)
        this.life.claimRefused(params.confrId, toEmediaError(err))
      })
    return { data: { rtmp: grant.rtmp, streamId: stream.id, stream } }
  }

  unpubStream(stream?: StreamRef): Promise<void> {
    return this.run(async () => {
      const streamId = this.ownStreamId(stream)
      await this.life.rpc.call('unpublish', { streamId })
      this.life.session.published.delete(streamId)
    })
  }

  /**
   * Play URL of a remote stream: from what the server already sent; asks only when missing, when
   * it is (nearly) expired (the server says how long it lasts), or when `refresh` is set (a URL
   * the engine refused).
   */
  subStream(stream: Stream | string, opts: { refresh?: boolean } = {}): Promise<SubStreamResult> {
    return this.run(async () => {
      const streamId = streamIdOf(stream)
      const session = this.life.session
      const known = session.streams.get(streamId)
      const fresh = known && known.rtmp && !session.playUrlsExpired(streamId)
      if (fresh && !opts.refresh) return { data: { rtmp: known.rtmp!, flv: known.flv } }
      const res = await this.life.rpc.call('subscribe', { streamId })
      // Every subscribe renews the credential all the other streams' URLs are composed from.
      if (res.media) session.renewMedia(res.media)
      const current = session.streams.get(streamId)
      if (current) {
        session.streams.set(streamId, { ...current, rtmp: res.rtmp, flv: res.flv, ttl: res.ttl })
        session.notePlayUrls(streamId, res.ttl)
      }
      return { data: { rtmp: res.rtmp, flv: res.flv } }
    })
  }

  unsubscribe(stream: Stream | string): Promise<void> {
    return this.run(async () => {
      await this.life.rpc.call('unsubscribe', { streamId: streamIdOf(stream) })
    })
  }

  pauseVideo(stream?: StreamRef): Promise<Stream> {
    return this.setMedia(stream, { voff: 1 })
  }

  resumeVideo(stream?: StreamRef): Promise<Stream> {
    return this.setMedia(stream, { voff: 0 })
  }

  pauseAudio(stream?: StreamRef): Promise<Stream> {
    return this.setMedia(stream, { aoff: 1 })
  }

  resumeAudio(stream?: StreamRef): Promise<Stream> {
    return this.setMedia(stream, { aoff: 0 })
  }

  // ---- state ----

  getConference(): Conference | null {
    const c = this.life.session.conference
    return c ? { ...c } : null
  }

  getSelf(): Member | null {
    return this.life.session.self
  }

  /** The other members (yourself: getSelf()). */
  getMembers(): Member[] {
    return Array.from(this.life.session.members.values())
  }

  /**
   * New: the next page of the member list (a join brings at most 100 members, ADMIN and TALKER
   * first). Without `cursor` it continues where the join or the last call left off and resolves
   * `{members: []}` once the list is complete; `cursor: null` starts again from the first page;
   * a cursor from an earlier result pages by hand. The members are added to getMembers().
   */
  fetchMembers(
    opts: { cursor?: string | null; limit?: number } = {},
  ): Promise<{ members: Member[]; cursor?: string }> {
    return this.run(async () => {
      const confrId = this.requireConference('fetchMembers')
      const session = this.life.session
      const limit = opts && opts.limit
      if (
        limit !== undefined &&
        !(Number.isInteger(limit) && limit >= 1 && limit <= MAX_MEMBER_PAGE)
      )
        throw badInput(`limit must be an integer from 1 to ${MAX_MEMBER_PAGE}`)
      const continuing = !opts || opts.cursor === undefined
      const cursor = continuing ? session.membersCursor : opts.cursor
      if (continuing && !cursor) return { members: [] }
      const res = await this.life.rpc.call('getMembers', {
        confrId,
        ...(cursor ? { cursor } : {}),
        ...(limit !== undefined ? { limit } : {}),
      })
      if (session.confrId !== confrId) return { members: [], cursor: undefined }
      session.addMembers(res.members)
      if (continuing) session.membersCursor = res.cursor || null
      return { members: res.members, cursor: res.cursor }
    })
  }

  /** New: whether fetchMembers() has more to give (a join into a big room brings one page). */
  hasMoreMembers(): boolean {
    return !!this.life.session.membersCursor
  }

  /** New: how many are in the conference (members, audience), as the server last said. */
  getMemberCount(): MemberCount | null {
    const c = this.life.session.memberCount
    return c ? { ...c } : null
  }

  /** Remote streams currently carrying media. */
  getStreams(): Stream[] {
    return Array.from(this.life.session.streams.values())
  }

  /** Your streams with their push URLs. */
  getPublished(): Published[] {
    return Array.from(this.life.session.published.values())
  }

  getConferenceAttrs(): Attrs {
    return { ...this.life.session.attrs }
  }

  /** New: the lock and mute-all as the server last said (revision 6). */
  getControls(): ControlsState {
    return this.life.session.meeting.controlsCopy()
  }

  /** New: the raised hands, oldest first. */
  getHands(): Hand[] {
    return this.life.session.meeting.hands.slice()
  }

  /** New: what the host holds you to (all false: nothing). */
  getMutedByHost(): MutedByHost {
    return { ...this.life.session.meeting.muted }
  }

  /** New: who invited you to speak, while you have not answered (else null). */
  getSpeakInvitation(): Member | null {
    return this.life.session.meeting.invitedBy
  }

  getConnectionState(): ConnectionState {
    return this.life.connectionState
  }

  /** New: leaves any conference and closes the socket, so a Node process can end. */
  disconnect(): Promise<void> {
    return this.run(() => this.life.disconnect())
  }

  // ---- helpers ----

  private setMedia(stream: StreamRef, media: { voff?: 0 | 1; aoff?: 0 | 1 }): Promise<Stream> {
    return this.run(async () => {
      const res = await this.life.rpc.call('setMedia', {
        streamId: stream ? streamIdOf(stream) : this.ownStreamId(undefined),
        ...media,
      })
      this.life.session.updateOwnStream(res.stream)
      return res.stream
    })
  }

  /** A queue a reply gave: held now, and told as handsChanged (its event then changes nothing). */
  private handsNow(hands: Hand[]): Hand[] {
    this.life.tell(this.life.session.meeting.setHands(hands))
    return hands.slice()
  }

  private ownStreamId(stream: StreamRef): string {
    if (stream) return streamIdOf(stream)
    const own = this.life.session.published.keys().next()
    if (own.done) throw badInput('no published stream: pubStream first')
    return own.value
  }

  private requireConference(method: string): string {
    const id = this.life.session.confrId
    if (!id) throw badInput(`${method}: not in a conference (join first)`)
    return id
  }

  private currentOr(confrId: string | undefined): string {
    return needString(confrId || this.life.session.confrId, 'confrId')
  }

  /** Every API call: synchronous throws become rejections, anything odd becomes {code, message}. */
  private run<T>(fn: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve) => resolve(fn())).catch((err: unknown) => {
      throw toEmediaError(err)
    })
  }
}

let rtcSeq = 0

/** A fresh local stream id such as `wx-3-k2j1h` (emedia.util.getRtcId). */
export function newRtcId(): string {
  rtcSeq += 1
  return `wx-${rtcSeq}-${Math.random().toString(36).slice(2, 7)}`
}
