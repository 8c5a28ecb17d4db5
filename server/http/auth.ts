// How HTTP routes check the server's secrets. Every guess (a bearer secret, a console sign-in) is
// counted against the client's address when it arrives, before a body is read or a secret
// compared, and given back only when it succeeds: parallel guesses are counted, and a backend that
// knows the secret is never slowed by its own requests. Every comparison is sameSecret.
import { type IncomingMessage } from 'http'
import { ErrorCode } from 'miniprogram-conference-protocol'
import { type ServerConfig } from '../config'
import { type SecretAttempt, SecretGuard } from '../security/attempts'
import { clientAddress, trustedProxies } from '../security/client-address'
import { sameSecret } from '../security/secret'
import { checkOrigin, ConsoleSessions } from './console-sessions'
import { HttpError } from './http-error'

export class SecretChecks {
  readonly sessions: ConsoleSessions
  private readonly guard: SecretGuard

  constructor(private readonly config: ServerConfig) {
    this.guard = new SecretGuard(() => config)
    this.sessions = new ConsoleSessions(() => trustedProxies(config))
  }

  /** One guess from the request's address, counted now: 429 with Retry-After when locked out. */
  attempt(req: IncomingMessage): SecretAttempt {
    return this.guard.begin(
      clientAddress(req, trustedProxies(this.config)),
      (sec) =>
        new HttpError(
          429,
          ErrorCode.RATE_LIMITED,
          `too many wrong secrets from your address: try again in ${sec} s`,
          { 'retry-after': String(sec) },
        ),
    )
  }

  /** `Authorization: Bearer <secret>`; a request without one makes no guess and is not counted. */
  bearer(req: IncomingMessage, secret: string, what: string): void {
    const refused = new HttpError(
      401,
      ErrorCode.NO_RIGHTS,
      `${what} required as Authorization: Bearer`,
    )
    const header = req.headers.authorization
    if (header === undefined) throw refused
    const attempt = this.attempt(req)
    const given = /^Bearer (.+)$/.exec(header)?.[1] ?? ''
    if (secret === '' || !sameSecret(secret, given)) throw refused
    attempt.succeeded()
  }

  /**
   * An operator route: the admin secret as a bearer, or a console session. `changes`: a request the
   * session authenticates must come from this server's own page (same Origin).
   */
  operator(req: IncomingMessage, changes: boolean): 'session' | 'bearer' {
    if (req.headers.authorization === undefined && this.sessions.of(req)) {
      if (changes) checkOrigin(req)
      return 'session'
    }
    this.bearer(req, this.config.adminSecret, 'the admin secret (or a console session)')
    return 'bearer'
  }

  /** A console sign-in: counted before the body is read; true when `given` is the admin secret. */
  async signIn(req: IncomingMessage, read: () => Promise<unknown>): Promise<boolean> {
    const attempt = this.attempt(req)
    const given = await read()
    const secret = this.config.adminSecret
    if (secret === '' || typeof given !== 'string' || !sameSecret(secret, given)) return false
    attempt.succeeded()
    return true
  }
}
