// Every signed thing the server hands out: user tokens (minted by the app's backend), conference
// tickets, media URL tokens and role tokens. HMAC-SHA256 JWTs with a `typ` claim, so that one
// kind can never be presented as another.
import jwt from 'jsonwebtoken'
import { ErrorCode, RoleValue } from '../../sdk/protocol'
import { RpcError } from '../rpc-error'

export interface UserClaims {
  appId: string
  userId: string
  /** The highest role this user may take when joining (default TALKER). */
  maxRole?: RoleValue
}

export interface TicketClaims {
  confrId: string
  userId: string
  /** Seconds since epoch, when it was issued (a kick invalidates older tickets). */
  iat: number
}

export interface MediaClaims {
  kind: 'pub' | 'play'
  confrId: string
  /** Member id, or 'sys' for the server's own media jobs. */
  memberId: string
  streamId: string
}

const ALG = 'HS256' as const

/** User ids and app ids: what fits in URLs and logs without escaping. */
export const ID_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/

/** Mint a user token for `userId`. This is what an app's backend calls (or POST /api/tokens). */
export function mintUserToken(opts: {
  secret: string
  appId: string
  userId: string
  ttlSec?: number
  maxRole?: RoleValue
}): string {
  if (!ID_PATTERN.test(opts.userId)) throw new Error(`invalid userId "${opts.userId}"`)
  const claims: Record<string, unknown> = { typ: 'user', app: opts.appId }
  if (opts.maxRole !== undefined) claims.maxRole = opts.maxRole
  return jwt.sign(claims, opts.secret, {
    algorithm: ALG,
    subject: opts.userId,
    expiresIn: opts.ttlSec ?? 86400,
  })
}

export class Tokens {
  constructor(
    private readonly secret: string,
    private readonly appId: string,
  ) {}

  private verify(token: string, typ: string): jwt.JwtPayload {
    const payload = jwt.verify(token, this.secret, { algorithms: [ALG] })
    if (typeof payload !== 'object' || payload.typ !== typ) throw new Error(`not a ${typ} token`)
    return payload
  }

  mintUser(userId: string, ttlSec: number, maxRole?: RoleValue): string {
    return mintUserToken({ secret: this.secret, appId: this.appId, userId, ttlSec, maxRole })
  }

  /** -100 for anything but a valid, unexpired user token of this app. */
  verifyUser(token: string): UserClaims {
    let p: jwt.JwtPayload
    try {
      p = this.verify(token, 'user')
    } catch (e) {
      throw new RpcError(ErrorCode.TOKEN, `token rejected: ${(e as Error).message}`)
    }
    if (p.app !== this.appId) throw new RpcError(ErrorCode.TOKEN, 'token is for another app')
    if (typeof p.sub !== 'string' || !ID_PATTERN.test(p.sub))
      throw new RpcError(ErrorCode.TOKEN, 'token has no valid user')
    return { appId: p.app, userId: p.sub, maxRole: p.maxRole }
  }

  mintTicket(confrId: string, userId: string, ttlSec: number): string {
    return jwt.sign({ typ: 'tkt', app: this.appId, c: confrId }, this.secret, {
      algorithm: ALG,
      subject: userId,
      expiresIn: ttlSec,
    })
  }

  /** -502 expired, -500 anything else wrong (forged, another conference, another user). */
  verifyTicket(ticket: string, confrId: string, userId: string): TicketClaims {
    let p: jwt.JwtPayload
    try {
      p = this.verify(ticket, 'tkt')
    } catch (e) {
      if (e instanceof jwt.TokenExpiredError)
        throw new RpcError(ErrorCode.TICKET_EXPIRED, 'ticket expired')
      throw new RpcError(ErrorCode.TICKET_INVALID, `ticket rejected: ${(e as Error).message}`)
    }
    if (p.app !== this.appId || p.c !== confrId)
      throw new RpcError(ErrorCode.TICKET_INVALID, 'ticket is for another conference')
    if (p.sub !== userId) throw new RpcError(ErrorCode.TICKET_INVALID, 'ticket is for another user')
    return { confrId, userId, iat: p.iat ?? 0 }
  }

  mintMedia(c: MediaClaims, ttlSec: number): string {
    const body = { typ: c.kind, c: c.confrId, m: c.memberId, s: c.streamId }
    return jwt.sign(body, this.secret, { algorithm: ALG, expiresIn: ttlSec, noTimestamp: true })
  }

  /** Throws (a plain Error with the reason) unless valid for this kind and stream. */
  verifyMedia(token: string, kind: 'pub' | 'play', streamId: string): MediaClaims {
    const p = this.verify(token, kind)
    if (p.s !== streamId) throw new Error('token is for another stream')
    return { kind, confrId: String(p.c), memberId: String(p.m), streamId }
  }

  mintRole(confrId: string, memberId: string, role: RoleValue): string {
    return jwt.sign({ typ: 'role', c: confrId, m: memberId, role }, this.secret, {
      algorithm: ALG,
    })
  }
}
