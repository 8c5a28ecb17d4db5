// What the service's parts share: the socket-side Caller, what they need of the media engine, and
// the context object every operation module (views, conferences, membership, streams...) receives.
import { randomBytes } from 'crypto'
import { type ExitReasonValue, type Methods } from 'miniprogram-conference-protocol'
import { type Tokens, type UserClaims } from '../auth/tokens'
import { type ServerConfig } from '../config'
import { type Logger } from '../log'
import { type PasswordGuard } from '../security/attempts'
import type { Params } from '../signal/schemas'
import { type ConferenceState, type MemberState, type Peer, type StreamState } from './state'

/** A request's params as handlers get them: validated and normalised (signal/schemas.ts). */
export type P<M extends keyof Methods> = Params<M>
export type R<M extends keyof Methods> = Methods[M]['result']

/** What the service needs from the media engine. */
export interface MediaUrls {
  rtmpBase(): string
  playBase(): string
  flvBase(): string | null
  closeSession(sessionId: string): void
}

/** One authenticated socket, as the service sees it. */
export interface Caller extends UserClaims {
  peer: Peer
  /** confrId → memberId of the memberships this socket holds. */
  memberships: Map<string, string>
  /** Remote address of the socket (per-address limits). */
  address?: string
}

export interface ExitNotice {
  reason: ExitReasonValue
  failed: number
  message: string
}

/** The service's state and dependencies, as its operation modules see them. */
export interface ServiceContext {
  readonly config: ServerConfig
  readonly tokens: Tokens
  readonly media: MediaUrls
  readonly log: Logger
  readonly conferences: Map<string, ConferenceState>
  /** Room name → confrId of the conferences joined by roomName. */
  readonly byRoom: Map<string, string>
  /**
   * Room name → the id its conference must take when this node creates it (a cluster claims the
   * name in Redis first, with that id, so that racing nodes agree on one conference).
   */
  readonly claimedRooms: Map<string, string>
  readonly passwords: PasswordGuard
  /** The service's own EventEmitter.emit. */
  emit<K extends keyof ServiceEvents>(event: K, ...args: ServiceEvents[K]): boolean
}

/** The service's internal events, for media jobs and operators: a misspelled one does not compile. */
export interface ServiceEvents {
  'conference-created': [conf: ConferenceState]
  /** pubStream claimed the stream slot a join granted (its push URL may now be used). */
  'stream-claimed': [conf: ConferenceState, stream: StreamState]
  /** Media of a stream reached the engine. */
  'stream-live': [conf: ConferenceState, stream: StreamState]
  /** Media of a stream stopped (or the stream was removed while live). */
  'stream-idle': [conf: ConferenceState, stream: StreamState]
  'member-joined': [conf: ConferenceState, member: MemberState]
  'member-left': [conf: ConferenceState, member: MemberState]
  'conference-end': [conf: ConferenceState]
  /** Cluster: another node hosts the conference now; its jobs and media here stop, nobody is told. */
  'conference-released': [conf: ConferenceState]
  /** A request answered with an error (signal/connection.ts), for /metrics. */
  'request-failed': [code: number]
}

export const newId = (prefix: string) => prefix + randomBytes(12).toString('base64url')
