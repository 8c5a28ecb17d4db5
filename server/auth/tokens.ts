// Every signed thing the server hands out: user tokens (minted by the app's backend), conference
// tickets, media URL tokens and role tokens. HMAC-SHA256 JWTs with a `typ` claim, so that one
// kind can never be presented as another. Media URL tokens have a compact format of their own.
import { createHmac, createSecretKey, type KeyObject } from 'crypto'
import jwt from 'jsonwebtoken'
import { ErrorCode, type RoleValue } from 'miniprogram-conference-protocol'
import { RpcError } from '../rpc-error'
import { sameSecret } from '../security/secret'

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

/** Where a member's page of the member list ended (getMembers): stage first, then the rest. */
export interface MemberCursor {
  /** 0: ADMIN and TALKER members; 1: the others. */
  phase: 0 | 1
  /** Join sequence number of the last member handed out in that phase. */
  seq: number
}

const ALG = 'HS256' as const

/** User ids and app ids: what fits in URLs and logs without escaping. */
export const ID_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/

/** Mint a user token for `userId`. This is what an app's backend calls (or POST /api/tokens). */
export function mintUserToken(opts: {
  /** The server secret (a string, or a KeyObject made from it once for speed). */
  secret: string | KeyObject
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
  /**
   * A KeyObject made once: given a string, jsonwebtoken tries to parse it as a PEM key on every
   * call first (measured ~20x slower: 500 µs against 25 µs per sign or verify).
   */
  private readonly key: KeyObject

  constructor(
    private readonly secret: string,
    private readonly appId: string,
  ) {
    this.key = createSecretKey(Buffer.from(secret))
  }

  private verify(token: string, typ: string): jwt.JwtPayload {
    const payload = jwt.verify(token, this.key, { algorithms: [ALG] })
    if (typeof payload !== 'object' || payload.typ !== typ) throw new Error(`not a ${typ} token`)
    return payload
  }

  mintUser(userId: string, ttlSec: number, maxRole?: RoleValue): string {
    return mintUserToken({ secret: this.key, appId: this.appId, userId, ttlSec, maxRole })
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
    return jwt.sign({ typ: 'tkt', app: this.appId, c: confrId }, this.key, {
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

  /**
   * Media URL tokens are CDN-style signed strings, not JWTs: nginx-rtmp keeps only 255 bytes of
   * `name?query`, and a JWT URL came within two bytes of that. `<kind>.<confrId>.<memberId>.<exp>.<sig>`
   * with a 128-bit HMAC-SHA256 over the same fields plus the stream id (~75 bytes).
   */
  mintMedia(c: MediaClaims, ttlSec: number): string {
    const exp = (Math.floor(Date.now() / 1000) + ttlSec).toString(36)
    const kind = c.kind === 'pub' ? 'p' : 'v'
    return [kind, c.confrId, c.memberId, exp, this.mediaSig(kind, c, exp)].join('.')
  }

  private mediaSig(kind: string, c: Omit<MediaClaims, 'kind'>, exp: string): string {
    return createHmac('sha256', this.secret)
      .update(['media', kind, c.confrId, c.memberId, c.streamId, exp].join('|'))
      .digest('base64url')
      .slice(0, 22)
  }

  /**
   * A member's play credential (protocol 1.2): `m.<confrId>.<memberId>.<exp>.<sig>`, the same
   * shape as a stream's play token but signed without a stream id, so one credential plays every
   * stream of its conference and a stream announcement is one frame for all. What bounds it is
   * checked by the media gate: the member must still be in the conference.
   */
  mintMemberMedia(confrId: string, memberId: string, ttlSec: number): string {
    const exp = (Math.floor(Date.now() / 1000) + ttlSec).toString(36)
    const c = { confrId, memberId, streamId: '' }
    return ['m', confrId, memberId, exp, this.mediaSig('m', c, exp)].join('.')
  }

  /**
   * Throws (a plain Error with the reason) unless valid for this kind and stream. A play may
   * present a stream's own token or its member's credential (then the claims are the member's:
   * the gate checks the stream belongs to `confrId`).
   */
  verifyMedia(token: string, kind: 'pub' | 'play', streamId: string): MediaClaims {
    const parts = token.split('.')
    if (parts.length !== 5) throw new Error('malformed token')
    const [k, confrId, memberId, exp, sig] = parts
    const member = k === 'm' && kind === 'play'
    if (k !== (kind === 'pub' ? 'p' : 'v') && !member) throw new Error(`not a ${kind} token`)
    const expected = this.mediaSig(k, { confrId, memberId, streamId: member ? '' : streamId }, exp)
    if (!sameSecret(expected, sig)) throw new Error('bad signature (or a token for another stream)')
    if (parseInt(exp, 36) * 1000 < Date.now()) throw new Error('token expired')
    return { kind, confrId, memberId, streamId }
  }

  /** A getMembers cursor, bound to the member paging and its conference. */
  mintCursor(confrId: string, memberId: string, at: MemberCursor): string {
    const pos = `${at.phase}${at.seq.toString(36)}`
    return `${pos}.${this.cursorSig(confrId, memberId, pos)}`
  }

  /** -400 for anything but a cursor this server gave this member for this conference. */
  verifyCursor(cursor: string, confrId: string, memberId: string): MemberCursor {
    const m = /^([01])([0-9a-z]{1,11})\.([A-Za-z0-9_-]{16})$/.exec(cursor)
    if (!m || !sameSecret(this.cursorSig(confrId, memberId, m[1] + m[2]), m[3]))
      throw new RpcError(
        ErrorCode.BAD_REQUEST,
        'cursor is not one this server gave you for this conference: start again without one',
      )
    return { phase: m[1] === '0' ? 0 : 1, seq: parseInt(m[2], 36) }
  }

  private cursorSig(confrId: string, memberId: string, pos: string): string {
    return createHmac('sha256', this.secret)
      .update(['cursor', confrId, memberId, pos].join('|'))
      .digest('base64url')
      .slice(0, 16)
  }

  /**
   * An invitation (revision 6): `<confrId>.<exp>.<sig>`, short enough for a share card's path,
   * bound to the conference alone — any user who holds it may join until it expires (no
   * password in it; a locked conference refuses it, and a kicked user stays out).
   */
  mintInvitation(confrId: string, ttlSec: number): { invitation: string; expiresAt: number } {
    const expSec = Math.floor(Date.now() / 1000) + ttlSec
    const exp = expSec.toString(36)
    return {
      invitation: [confrId, exp, this.invitationSig(confrId, exp)].join('.'),
      expiresAt: expSec * 1000,
    }
  }

  /** -502 expired, -500 anything else (forged, for another conference). */
  verifyInvitation(invitation: string, confrId: string): void {
    const [c, exp, sig, ...rest] = invitation.split('.')
    if (rest.length || !exp || !sig || c !== confrId || !/^[0-9a-z]{1,11}$/.test(exp))
      throw new RpcError(ErrorCode.TICKET_INVALID, 'invitation is not one for this conference')
    if (!sameSecret(this.invitationSig(c, exp), sig))
      throw new RpcError(ErrorCode.TICKET_INVALID, 'invitation rejected: bad signature')
    if (parseInt(exp, 36) * 1000 < Date.now())
      throw new RpcError(ErrorCode.TICKET_EXPIRED, 'invitation expired')
  }

  private invitationSig(confrId: string, exp: string): string {
    return createHmac('sha256', this.secret)
      .update(['invite', confrId, exp].join('|'))
      .digest('base64url')
      .slice(0, 22)
  }

  mintRole(confrId: string, memberId: string, role: RoleValue): string {
    return jwt.sign({ typ: 'role', c: confrId, m: memberId, role }, this.key, {
      algorithm: ALG,
    })
  }
}
