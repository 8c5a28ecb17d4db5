// Where the user token comes from, in order: config.getToken() (called on every connect),
// config.token, or — against a development server — GET /dev/token?userId=… on the same host.
import type { Adapter } from './adapters/types'
import { badInput, emediaError, networkError, toEmediaError } from './errors'
import { ErrorCode } from 'miniprogram-conference-protocol'

export interface TokenSource {
  token?: string
  getToken?: () => Promise<string>
  userId?: string
  host: string
}

/** ws://h:p/ws → http://h:p (wss → https). */
export function httpBase(wsUrl: string): string {
  const m = /^(wss?):\/\/([^/?#]+)/i.exec(wsUrl)
  if (!m) throw badInput(`host must be a ws:// or wss:// URL, got "${wsUrl}"`)
  return `${m[1].toLowerCase() === 'wss' ? 'https' : 'http'}://${m[2]}`
}

interface DevToken {
  key: string
  token: string
  /** ms since epoch; 0 when the server did not say. */
  expiresAt: number
}

/** A dev token is reused until a minute before it expires. */
const RENEW_MARGIN_MS = 60000

export function createTokenProvider(adapter: Adapter, source: () => TokenSource) {
  let cached: DevToken | null = null

  async function devToken(userId: string, host: string): Promise<string> {
    const base = httpBase(host)
    const key = `${base}|${userId}`
    if (
      cached &&
      cached.key === key &&
      (!cached.expiresAt || cached.expiresAt - RENEW_MARGIN_MS > Date.now())
    ) {
      return cached.token
    }
    const url = `${base}/dev/token?userId=${encodeURIComponent(userId)}`
    let res
    try {
      res = await adapter.request({ url, method: 'GET' })
    } catch (err) {
      throw networkError(`dev token: ${toEmediaError(err).message}`)
    }
    const body = (res.data || {}) as {
      token?: unknown
      expiresAt?: unknown
      error?: { message?: string }
    }
    if (res.statusCode !== 200 || typeof body.token !== 'string') {
      const why = (body.error && body.error.message) || `HTTP ${res.statusCode}`
      throw emediaError(ErrorCode.TOKEN, `dev token from ${url} refused: ${why}`)
    }
    const exp = typeof body.expiresAt === 'number' ? body.expiresAt : 0
    // Seconds or milliseconds: a JWT-style `exp` is in seconds.
    cached = { key, token: body.token, expiresAt: exp && exp < 1e12 ? exp * 1000 : exp }
    return body.token
  }

  return async function token(): Promise<string> {
    const s = source()
    if (s.getToken) {
      let t: unknown
      try {
        t = await s.getToken()
      } catch (err) {
        throw toEmediaError(err, ErrorCode.TOKEN)
      }
      if (typeof t !== 'string' || !t)
        throw emediaError(ErrorCode.TOKEN, 'getToken() gave no token')
      return t
    }
    if (s.token) return s.token
    if (s.userId) return devToken(s.userId, s.host)
    throw emediaError(
      ErrorCode.TOKEN,
      'no token: emedia.config({ token }), { getToken }, or { userId } against a development server',
    )
  }
}
