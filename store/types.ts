// What the store needs from the SDK (a structural subset of `emedia`), and the shapes it exposes.
// Typed against the interface rather than the SDK module so that a unit test can hand in a fake
// and a Node bot can hand in an emedia built on the Node adapter.
import type {
  ChatMessage,
  Conference,
  ConferenceConfig,
  ConfrTypeValue,
  Hand,
  Member,
  MemberCount,
  MuteAll,
  RoleDenied,
  RoleValue,
  Stream,
} from 'miniprogram-conference-protocol'
import type { ControlsState, EmediaEvents, MutedByHost } from '../sdk/events'

/** Promise rejections of the SDK. */
export interface SdkError {
  code: number
  message: string
}

export interface JoinRoomOptions {
  roomName: string
  password?: string
  role?: RoleValue
  /** Conference type when the room is created. */
  type?: ConfrTypeValue
  config?: ConferenceConfig & {
    nickName?: string
    rec?: boolean
    recMerge?: boolean
    ext?: Record<string, unknown>
  }
}

type StreamRef = Stream | string

/** Role and nickname for joinConference / joinConferenceWithTicket (not in emedia). */
export interface JoinOptions {
  role?: RoleValue
  nickName?: string
}

/** How to join by id (joinById / joinWithTicket / joinWithInvitation of the store). */
export interface JoinByIdOptions extends JoinOptions {
  ext?: Record<string, unknown>
}

export interface EmediaMgrLike {
  createConference(
    type: ConfrTypeValue,
    password?: string,
    rec?: boolean,
    recMerge?: boolean,
  ): Promise<Conference>
  joinRoom(options: JoinRoomOptions): Promise<Conference>
  joinConference(
    confrId: string,
    password?: string,
    ext?: Record<string, unknown>,
    opts?: JoinOptions,
  ): Promise<Conference>
  joinConferenceWithTicket(
    confrId: string,
    ticket: string,
    ext?: Record<string, unknown>,
    opts?: JoinOptions,
  ): Promise<Conference>
  joinConferenceWithInvitation(
    invitation: string,
    ext?: Record<string, unknown>,
    opts?: JoinOptions,
  ): Promise<Conference>
  exitConference(confrId: string): Promise<unknown>
  destroyConference(confrId: string): Promise<unknown>
  kickMembersById(confrId: string, memberNames: string[]): Promise<unknown>
  grantRole(confrId: string, memberNames: string[], role: RoleValue): Promise<unknown>
  /** `media`: the mic / camera state to publish with (reported to the others at once). */
  pubStream(
    rtcId?: string,
    media?: { voff?: 0 | 1; aoff?: 0 | 1 },
  ): Promise<{ data: { rtmp: string; streamId: string; stream: Stream } }>
  subStream(
    streamId: string,
    opts?: { refresh?: boolean },
  ): Promise<{ data: { rtmp: string; flv?: string } }>
  unpubStream(stream: StreamRef): Promise<unknown>
  pauseVideo(stream?: StreamRef): Promise<unknown>
  resumeVideo(stream?: StreamRef): Promise<unknown>
  pauseAudio(stream?: StreamRef): Promise<unknown>
  resumeAudio(stream?: StreamRef): Promise<unknown>
  getConference(): Conference | null | undefined
  getSelf(): Member | null | undefined
  getMembers(): Member[]
  /** The next page of the member list (a big room's join brings one page). */
  fetchMembers(): Promise<{ members: Member[]; cursor?: string }>
  hasMoreMembers(): boolean
  getMemberCount(): MemberCount | null | undefined
  getStreams(): Stream[]
  getPublished(): Array<{ stream: Stream; rtmp: string }>
  on<K extends keyof EmediaEvents>(name: K, fn: (...args: EmediaEvents[K]) => void): () => void
  /** Runs the callbacks of one server message together (an SDK without it: one by one). */
  setCallbackBatcher?(run: ((apply: () => void) => void) | null): void
  // ---- running a meeting (protocol revision 6) ----
  muteMembers(confrId: string, memberNames: string[], opts: MuteOptions): Promise<unknown>
  muteAll(confrId: string, opts: MuteOptions): Promise<MuteAll>
  lockConference(confrId: string, locked: boolean): Promise<unknown>
  raiseHand(): Promise<Hand[]>
  lowerHand(memberName?: string): Promise<Hand[]>
  inviteToSpeak(confrId: string, memberName: string): Promise<unknown>
  answerSpeakInvitation(accept: boolean): Promise<{ role: RoleValue }>
  sendMessage(
    content: { text: string } | { custom: unknown },
    opts?: { to?: string | string[] },
  ): Promise<ChatMessage>
  getMessages(opts?: {
    before?: number
    limit?: number
  }): Promise<{ messages: ChatMessage[]; more: boolean }>
  createInvitation(
    confrId: string,
    opts?: { ttlSec?: number },
  ): Promise<{ invitation: string; expiresAt: number }>
  getControls(): ControlsState
  getHands(): Hand[]
  getMutedByHost(): MutedByHost
  getSpeakInvitation(): Member | null
}

/** What a host mute changes: each kind given is held (true) or let go (false). */
export interface MuteOptions {
  audio?: boolean
  video?: boolean
  allowSelfUnmute?: boolean
}

export interface EmediaLike {
  config(options: Record<string, unknown>): unknown
  mgr: EmediaMgrLike
  util: { getRtcId(): string }
}

// ---- state the store exposes ----

/** Where our membership is (the SDK's own, finer `ConnectionState` is about the socket). */
export type SessionStatus = 'idle' | 'joining' | 'joined' | 'reconnecting' | 'exited'

/** Where our own live-pusher is, as its events tell it. */
export type PushState = 'idle' | 'starting' | 'pushing' | 'retrying' | 'suspended' | 'failed'

/** Where one live-player is, as its events tell it. */
export type PlayState = 'loading' | 'playing' | 'retrying' | 'failed'

export interface LocalMedia {
  /** Push URL for live-pusher; '' while not published. */
  pushUrl: string
  streamId: string
  /** The user wants to publish (kept across reconnects and rejoins). */
  wantPublish: boolean
  pushState: PushState
  lastCode: number
  micOn: boolean
  cameraOn: boolean
  devicePosition: 'front' | 'back'
  beauty: number
  whiteness: number
  minBitrate: number
  maxBitrate: number
  aspect: '3:4' | '9:16'
  /** Shown to the others while we are in the background (live-pusher waiting-image). */
  waitingImage: string
  /** Bumped to re-create the native live-pusher (it is the tile's wx:key). */
  mountKey: number
  /** The page is hidden: the pusher is paused. */
  background: boolean
  /** The camera was refused (live-pusher 10001): we publish audio only. */
  cameraDenied: boolean
}

export interface Playback {
  url: string
  state: PlayState
  lastCode: number
  mountKey: number
}

/** Network quality of one tile from its netstatus events: 0 unknown, 1 bad … 5 excellent. */
export type NetQuality = 0 | 1 | 2 | 3 | 4 | 5

/** A tile's sound meter: 0 silent, 1–4 bars (soundLevel in media-policy.ts). */
export type SoundLevel = 0 | 1 | 2 | 3 | 4

/** What a tile shows: 'camera' (or the microphone alone), 'desktop' (a shared screen), or 'mix'
 * (COMMUNICATION_MIX: the server's picture of all talkers, named after the room). */
export type TileKind = 'camera' | 'desktop' | 'mix'

export interface Tile {
  /** Our member id for our own tile; a stream id for each remote stream; a member id for a
   * member who may publish but has no stream yet. */
  id: string
  memberId: string
  /** '' for our own tile and a member with no stream. */
  streamId: string
  kind: TileKind
  name: string
  isSelf: boolean
  /** Push URL for our own tile, play URL for the others; '' when there is nothing to show. */
  url: string
  voff: 0 | 1
  aoff: 0 | 1
  /** Heard now (its sound level is above 0). */
  speaking: boolean
  soundLevel: SoundLevel
  quality: NetQuality
  /** Changes when the native component must be re-created: use it as its wx:key. */
  key: string
}

export type PermissionDenied = '' | 'camera' | 'microphone'

export interface KitError {
  code: number
  message: string
  /** The store action or media event that failed. */
  action: string
}

/** One member as the member panel lists it (store.meeting.roster). */
export interface RosterEntry {
  /** Member id. */
  id: string
  /** The user id. */
  userId: string
  /** What to show (displayName: nickname, else the user id). */
  name: string
  role: RoleValue
  isSelf: boolean
  /** It publishes a camera stream (or, for ourselves, our pusher has a URL). */
  publishing: boolean
  /** Its microphone / camera as the others get them (the server's flags; ours: our toggles). */
  micOn: boolean
  cameraOn: boolean
  handRaised: boolean
}

/** A raised hand as the queue shows it (store.meeting.handQueue). */
/** A chat message as the chat panel shows it. */
export interface ChatLine {
  id: number
  /** Who sent it (displayName). */
  from: string
  text: string
  /** Ours. */
  own: boolean
  /** Sent to some members only. */
  private: boolean
  /** Local time it was accepted, HH:MM. */
  time: string
}

export interface QueuedHand extends Hand {
  /** What to show for the member. */
  displayName: string
  isSelf: boolean
}

export interface StoreEvents {
  join: { conference: Conference; self: Member | null }
  exit: { reason: number; code: number }
  memberjoin: { member: Member }
  memberexit: { member: Member; reason: unknown }
  error: KitError
  reconnected: Record<string, never>
  /** The host's hold on us changed (the "host muted you" prompt: meeting.mutedNotice). */
  mutedbyhost: MutedByHost
  /** An admin invites us to speak (meeting.invitation: accept / decline). */
  speakinvitation: { from: Member }
  /** Admins: an invited member answered. */
  invitationanswer: { member: Member; accept: boolean }
  /** A chat message from someone else. */
  message: ChatMessage
  /** The join gave us a lower role than we asked for (meeting.roleDenied). */
  roledenied: RoleDenied
}
export type StoreEventName = keyof StoreEvents
/** StoreEvents in the argument-tuple form of the SDK's Emitter. */
export type StoreEventArgs = { [K in StoreEventName]: [StoreEvents[K]] }
