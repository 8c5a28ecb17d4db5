// The operator console's sessions: sign-in trades the admin secret for a random session id in an
// HttpOnly, SameSite=Strict cookie, so the secret is never in a URL or in the page's storage. The
// cookie is Secure when the browser came over TLS. A request the cookie authenticates that changes
// something must also carry an Origin equal to this server's (SameSite stops cross-site cookies;
// the Origin check stops the rest, e.g. a sibling site on the same registrable domain).
import { randomBytes } from 'crypto'
import { type IncomingMessage } from 'http'
import { ErrorCode } from 'miniprogram-conference-protocol'
import { HttpError } from './http-error'
import { type TrustedProxies } from '../security/client-address'
import { cameOverTls } from './tls'

export const CONSOLE_COOKIE = 'ck_console'
const SESSION_MS = 12 * 3600_000

function cookieOf(req: IncomingMessage, name: string): string {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return v.join('=')
  }
  return ''
}

/** Same origin: the Origin header names this very host (the Host the browser used). */
export function checkOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin
  const host = req.headers.host
  const ok = !!origin && !!host && (origin === `http://${host}` || origin === `https://${host}`)
  if (!ok) throw new HttpError(403, ErrorCode.NO_RIGHTS, 'cross-origin request refused')
}

export class ConsoleSessions {
  private readonly sessions = new Map<string, number>()

  /** `trusted`: the proxies of --trust-proxy, whose X-Forwarded-Proto says TLS. */
  constructor(private readonly trusted: () => TrustedProxies) {}

  /** The request's live session id, or '' (no cookie, unknown or expired). */
  of(req: IncomingMessage): string {
    const sid = cookieOf(req, CONSOLE_COOKIE)
    const expires = sid ? this.sessions.get(sid) : undefined
    if (expires && expires >= Date.now()) return sid
    if (sid) this.sessions.delete(sid)
    return ''
  }

  /** A new session: the Set-Cookie header that carries it. */
  open(req: IncomingMessage): string {
    const now = Date.now()
    for (const [sid, expires] of this.sessions) if (expires < now) this.sessions.delete(sid)
    const sid = randomBytes(24).toString('base64url')
    this.sessions.set(sid, now + SESSION_MS)
    return this.cookie(req, sid, SESSION_MS / 1000)
  }

  /** Ends the request's session: the Set-Cookie header that clears it. */
  close(req: IncomingMessage): string {
    this.sessions.delete(this.of(req))
    return this.cookie(req, '', 0)
  }

  // Path=/: the console page signs in here and then calls the operator routes under /api.
  private cookie(req: IncomingMessage, sid: string, maxAge: number): string {
    const secure = cameOverTls(req, this.trusted()) ? '; Secure' : ''
    return `${CONSOLE_COOKIE}=${sid}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}${secure}`
  }
}
