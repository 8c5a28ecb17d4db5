// What the service's parts share: the socket-side Caller, what they need of the media engine, and
// the context object every operation module (views, lifecycle, membership, streams...) receives.
import { randomBytes, timingSafeEqual } from 'crypto'
import { Methods } from '../../sdk/protocol'
import { Tokens, UserClaims } from '../auth/tokens'
import { ServerConfig } from '../config'
import { Logger } from '../log'
import { PasswordGuard } from '../security/attempts'
import { Conference, Peer } from './conference'

export type P<M extends keyof Methods> = Methods[M]['params']
export type R<M extends keyof Methods> = Methods[M]['result']

/** What the service needs from the media engine. */
export interface MediaUrls {
  rtmpBase(): string
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
  reason: number
  failed: number
  message: string
}

/** The service's state and dependencies, as its operation modules see them. */
export interface ServiceContext {
  readonly config: ServerConfig
  readonly tokens: Tokens
  readonly media: MediaUrls
  readonly log: Logger
  readonly conferences: Map<string, Conference>
  /** Room name → confrId of the conferences joined by roomName. */
  readonly byRoom: Map<string, string>
  readonly passwords: PasswordGuard
  /** The service's own EventEmitter.emit (see ConferenceService for the events). */
  emit(event: string, ...args: unknown[]): boolean
}

export const newId = (prefix: string) => prefix + randomBytes(12).toString('base64url')

/** Constant-time compare; byte lengths, not string lengths: 'é' and 'ab' must not throw. */
export const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
