// A small in-memory emedia for unit tests of the store and the components: it records calls,
// answers like the SDK, and lets a test emit SDK events. Component tests swap it for a real SDK
// on a real server later; nothing else changes (the store is given its emedia).
import type { EmediaEvents } from '../sdk/events'
import {
  invitationConference,
  joinRefusalReason,
  Role,
  type ChatMessage,
  type Conference,
  type Hand,
  type HostMute,
  type MuteAll,
  type Member,
  type RoleValue,
  type Stream,
} from 'miniprogram-conference-protocol'
import type { ControlsState } from '../sdk/events'
import type { EmediaLike, JoinOptions, JoinRoomOptions, MuteOptions } from '../store/types'

type Listener = (...args: never[]) => void

/** The signature of the fake's invitation credentials (the server's is an HMAC). */
export const FAKE_SIGNATURE = 'fake-signature-0000000'

export function makeMember(id: string, name = id, role: RoleValue = Role.TALKER): Member {
  return { id, name, globalName: `app_${name}`, nickName: name, role, ext: {} }
}

export function makeStream(owner: Member, over: Partial<Stream> = {}): Stream {
  return {
    id: `ST_${owner.id}`,
    voff: 0,
    aoff: 0,
    memId: owner.id,
    memName: owner.name,
    owner,
    rtcId: 'wx-1',
    type: 'normal',
    rtmp: `rtmp://media.test/live/ST_${owner.id}?token=play-${owner.id}`,
    ...over,
  }
}

export class FakeEmedia implements EmediaLike {
  readonly calls: Array<{ method: string; args: unknown[] }> = []
  readonly configured: Array<Record<string, unknown>> = []
  /** Members and streams the "server" has, before and after the join. */
  members: Member[] = []
  streams: Stream[] = []
  /** Pages fetchMembers() hands out in turn (a big room's join brings only the first). */
  memberPages: Member[][] = []
  memberCount: { members: number; audience: number } | null = null
  conference: Conference | null = null
  self: Member | null = null
  /** The meeting as the "server" has it (revision 6). */
  controls: ControlsState = {
    locked: false,
    muteAll: { audio: false, video: false, allowSelfUnmute: true },
  }
  hands: Hand[] = []
  muted: HostMute = { audio: false, video: false, allowSelfUnmute: true }
  invitedBy: Member | null = null
  /** The kept chat getMessages pages (oldest first). */
  history: ChatMessage[] = []
  private messageSeq = 0
  /** The next call of this method rejects with this error. */
  readonly failNext = new Map<string, { code: number; message: string }>()
  private readonly listeners = new Map<string, Set<Listener>>()
  private seq = 0
  /** Own streams, as the SDK keeps them (getPublished). */
  private readonly published = new Map<string, { stream: Stream; rtmp: string }>()

  readonly util = { getRtcId: () => `wx-${++this.seq}` }

  config(options: Record<string, unknown>): void {
    this.configured.push(options)
  }

  emit<K extends keyof EmediaEvents>(name: K, ...args: EmediaEvents[K]): void {
    for (const fn of [...(this.listeners.get(name) ?? [])])
      (fn as (...a: unknown[]) => void)(...args)
  }

  listenerCount(): number {
    let n = 0
    for (const set of this.listeners.values()) n += set.size
    return n
  }

  called(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args)
  }

  /** A remote member joins (and publishes unless told otherwise), as the SDK would report it. */
  addRemote(name: string, options: { publish?: boolean; role?: RoleValue } = {}) {
    const member = makeMember(`MS_${name}`, name, options.role ?? Role.TALKER)
    this.members.push(member)
    this.emit('memberJoined', member)
    let stream: Stream | undefined
    if (options.publish !== false) {
      stream = makeStream(member)
      this.streams.push(stream)
      this.emit('streamAdded', stream)
    }
    return { member, stream }
  }

  private record(method: string, args: unknown[]): Promise<void> {
    this.calls.push({ method, args })
    const err = this.failNext.get(method)
    if (err) {
      this.failNext.delete(method)
      // As the real SDK: a refused join is also told as onConferenceExit(reason, code) first.
      if (method.startsWith('join'))
        this.emit('conferenceExit', joinRefusalReason(err.code), err.code)
      return Promise.reject(err)
    }
    return Promise.resolve()
  }

  private admit(
    confrId: string,
    role: RoleValue,
    nickName?: string,
    room?: Pick<JoinRoomOptions, 'roomName' | 'type'>,
  ): Conference {
    this.conference = {
      confrId,
      id: confrId,
      type: room?.type ?? 10,
      ...(room ? { name: room.roomName } : {}),
      password: '',
      ticket: `ticket-${confrId}`,
      roleToken: 'rt',
      rec: false,
      recMerge: false,
      config: { maxTalkerCount: 9, maxVideoCount: 9, maxAudienceCount: 100, maxPubDesktopCount: 1 },
    }
    this.self = { ...makeMember('MS_self', 'me', role), nickName: nickName ?? 'me', isSelf: true }
    // As the real SDK does, before the join resolves: yourself, then who is there, then streams.
    this.emit('memberJoined', this.self)
    for (const m of this.members) this.emit('memberJoined', m)
    for (const st of this.streams) this.emit('streamAdded', st)
    return this.conference
  }

  readonly mgr = {
    createConference: async (type: number, password?: string) => {
      await this.record('createConference', [type, password])
      return { ...this.admit('C_new', Role.ADMIN), password: password ?? '' }
    },
    joinRoom: async (options: JoinRoomOptions) => {
      await this.record('joinRoom', [options])
      return this.admit(
        `C_${options.roomName}`,
        options.role ?? Role.TALKER,
        options.config?.nickName,
        options,
      )
    },
    joinConference: async (
      confrId: string,
      password = '',
      ext?: object,
      opts: JoinOptions = {},
    ) => {
      await this.record('joinConference', [confrId, password, ext, opts])
      return this.admit(confrId, opts.role ?? Role.TALKER, opts.nickName)
    },
    joinConferenceWithTicket: async (
      confrId: string,
      ticket: string,
      ext?: object,
      opts: JoinOptions = {},
    ) => {
      await this.record('joinConferenceWithTicket', [confrId, ticket, ext, opts])
      return this.admit(confrId, opts.role ?? this.self?.role ?? Role.TALKER, opts.nickName)
    },
    joinConferenceWithInvitation: async (
      invitation: string,
      ext?: object,
      opts: JoinOptions = {},
    ) => {
      await this.record('joinConferenceWithInvitation', [invitation, ext, opts])
      // As the SDK: the credential names its conference.
      return this.admit(
        invitationConference(invitation) ?? '',
        opts.role ?? Role.TALKER,
        opts.nickName,
      )
    },
    exitConference: async (confrId: string) => this.record('exitConference', [confrId]),
    destroyConference: async (confrId: string) => this.record('destroyConference', [confrId]),
    kickMembersById: async (confrId: string, names: string[]) =>
      this.record('kickMembersById', [confrId, names]),
    grantRole: async (confrId: string, names: string[], role: RoleValue) =>
      this.record('grantRole', [confrId, names, role]),
    pubStream: async (rtcId?: string, media: { voff?: 0 | 1; aoff?: 0 | 1 } = {}) => {
      await this.record('pubStream', [rtcId, media])
      const n = ++this.seq
      // Like the server: the same rtcId is the same stream, with a fresh URL.
      const known = [...this.published.values()].find((p) => p.stream.rtcId === rtcId)
      const stream =
        known?.stream ??
        makeStream(this.self!, {
          id: `ST_self_${n}`,
          rtcId,
          rtmp: undefined,
          ...media,
        })
      const rtmp = `rtmp://media.test/live/${stream.id}?token=push-${n}`
      this.published.set(stream.id, { stream, rtmp })
      return { data: { rtmp, streamId: stream.id, stream } }
    },
    subStream: async (streamId: string, opts?: { refresh?: boolean }) => {
      await this.record('subStream', opts ? [streamId, opts] : [streamId])
      return { data: { rtmp: `rtmp://media.test/live/${streamId}?token=fresh-${++this.seq}` } }
    },
    unpubStream: async (s: Stream | string) => this.record('unpubStream', [s]),
    pauseVideo: async (s?: Stream | string) => this.record('pauseVideo', [s]),
    resumeVideo: async (s?: Stream | string) => this.record('resumeVideo', [s]),
    pauseAudio: async (s?: Stream | string) => this.record('pauseAudio', [s]),
    resumeAudio: async (s?: Stream | string) => this.record('resumeAudio', [s]),
    getConference: () => this.conference,
    getSelf: () => this.self,
    getMembers: () => this.members,
    fetchMembers: async () => {
      await this.record('fetchMembers', [])
      const members = this.memberPages.shift() ?? []
      this.members.push(...members)
      return { members }
    },
    hasMoreMembers: () => this.memberPages.length > 0,
    getMemberCount: () => this.memberCount,
    getStreams: () => this.streams,
    getPublished: () => [...this.published.values()],
    muteMembers: async (confrId: string, names: string[], opts: MuteOptions) =>
      this.record('muteMembers', [confrId, names, opts]),
    muteAll: async (confrId: string, opts: MuteOptions): Promise<MuteAll> => {
      await this.record('muteAll', [confrId, opts])
      const muteAll = { ...this.controls.muteAll, ...opts, allowSelfUnmute: !!opts.allowSelfUnmute }
      this.controls = { ...this.controls, muteAll }
      return muteAll
    },
    lockConference: async (confrId: string, locked: boolean) => {
      await this.record('lockConference', [confrId, locked])
      this.controls = { ...this.controls, locked }
      return { locked }
    },
    raiseHand: async () => {
      await this.record('raiseHand', [])
      const self = this.self!
      if (!this.hands.some((h) => h.memberId === self.id))
        this.hands = [
          ...this.hands,
          { memberId: self.id, name: self.name, nickName: self.nickName, at: ++this.seq },
        ]
      return this.hands
    },
    lowerHand: async (memberName?: string) => {
      await this.record('lowerHand', memberName === undefined ? [] : [memberName])
      const id = memberName ?? this.self!.id
      this.hands = this.hands.filter((h) => h.memberId !== id && h.name !== id)
      return this.hands
    },
    inviteToSpeak: async (confrId: string, memberName: string) =>
      this.record('inviteToSpeak', [confrId, memberName]),
    answerSpeakInvitation: async (accept: boolean) => {
      await this.record('answerSpeakInvitation', [accept])
      this.invitedBy = null
      if (accept && this.self!.role === Role.AUDIENCE) {
        // As the server: the role change comes before the reply.
        this.self = { ...this.self!, role: Role.TALKER }
        this.emit('roleChanged', Role.TALKER, 'rt-talker')
      }
      return { role: this.self!.role }
    },
    sendMessage: async (
      content: { text: string } | { custom: unknown },
      opts: { to?: string | string[] } = {},
    ) => {
      await this.record('sendMessage', [content, opts])
      const self = this.self!
      const message: ChatMessage = {
        id: 1000 + ++this.messageSeq,
        from: { id: self.id, name: self.name, nickName: self.nickName },
        ...content,
        at: Date.now(),
      }
      return message
    },
    getMessages: async (opts: { before?: number; limit?: number } = {}) => {
      await this.record('getMessages', [opts])
      const end =
        opts.before === undefined
          ? this.history.length
          : this.history.findIndex((m) => m.id >= opts.before!)
      const stop = end < 0 ? this.history.length : end
      const start = Math.max(0, stop - (opts.limit ?? 20))
      return { messages: this.history.slice(start, stop), more: start > 0 }
    },
    createInvitation: async (confrId: string, opts: { ttlSec?: number } = {}) => {
      await this.record('createInvitation', [confrId, opts])
      // Shaped as the server's (`<confrId>.<expiry in base 36>.<signature>`), signed by nobody.
      const expSec = Math.floor(Date.now() / 1000) + (opts.ttlSec ?? 86400)
      return {
        invitation: `${confrId}.${expSec.toString(36)}.${FAKE_SIGNATURE}`,
        expiresAt: expSec * 1000,
      }
    },
    getControls: () => ({ ...this.controls }),
    getHands: () => this.hands.slice(),
    getMutedByHost: () => ({ ...this.muted }),
    getSpeakInvitation: () => this.invitedBy,
    on: <K extends keyof EmediaEvents>(name: K, fn: (...args: EmediaEvents[K]) => void) => {
      const set = this.listeners.get(name) ?? new Set<Listener>()
      this.listeners.set(name, set)
      set.add(fn as Listener)
      return () => set.delete(fn as Listener)
    },
  }
}
