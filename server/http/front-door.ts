// The one way into an HTTP port of ours: every request and every upgrade has its target parsed
// once here (a malformed one is a 400, never a throw further in), and every handler runs inside
// one error boundary (a throw or a rejection is a 5xx with a request id in the log). Handlers get
// the parsed URL and never call `new URL` on a request themselves.
import { randomBytes } from 'crypto'
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'http'
import { type Duplex } from 'stream'
import { ErrorCode } from 'miniprogram-conference-protocol'
import { HttpError } from './http-error'

/** Longer targets are refused (414) before any handler sees them. */
export const MAX_TARGET = 8192

export type RequestHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) => void | Promise<void>
export type UpgradeHandler = (
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: URL,
) => void | Promise<void>

/** Where a 5xx is reported (a pino logger is one). */
export interface FrontDoorLog {
  error(fields: Record<string, unknown>, message: string): void
}

export interface FrontDoorOptions {
  log: FrontDoorLog
  request: RequestHandler
  /** Without one, every upgrade is refused. */
  upgrade?: UpgradeHandler
}

/**
 * The request target as a URL, or why not. Origin-form (`/path?query`) only: this is no proxy,
 * so absolute-form, authority-form and `*` are refused, and `//host` stays a path (the base is
 * never taken from the request).
 */
export function parseTarget(target: string | undefined): URL | { status: number; why: string } {
  if (!target || target[0] !== '/') return { status: 400, why: 'origin-form target only' }
  if (target.length > MAX_TARGET) return { status: 414, why: `target over ${MAX_TARGET} bytes` }
  try {
    return new URL(`http://localhost${target}`)
  } catch {
    return { status: 400, why: 'malformed target' }
  }
}

/** A JSON answer (a reply already under way can only be cut). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  if (res.headersSent) return void res.destroy()
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(JSON.stringify(body))
}

/** An upgrade that will not happen: a plain HTTP answer on the raw socket, then close. */
export function refuseUpgrade(socket: Duplex, status: number) {
  if (socket.destroyed) return
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
  )
  // A peer that never closes its side does not keep the socket.
  setTimeout(() => socket.destroy(), 1000).unref()
}

/** Installs the front door on `server` (which must have no request/upgrade listeners yet). */
export function frontDoor(server: Server, opts: FrontDoorOptions): Server {
  const { log } = opts
  const failed = (err: unknown, req: IncomingMessage, url: URL | null) => {
    const requestId = randomBytes(6).toString('hex')
    log.error({ err, requestId, method: req.method, path: url?.pathname }, 'http 5xx')
    return requestId
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = parseTarget(req.url)
    if (!(url instanceof URL)) {
      const error = { code: ErrorCode.BAD_REQUEST, message: url.why }
      return sendJson(res, url.status, { error }, { connection: 'close' })
    }
    // A 5xx a handler chose (an HttpError) keeps its status and words; anything else is 500.
    const fail = (err: unknown) => {
      const requestId = failed(err, req, url)
      const { status, code, message } =
        err instanceof HttpError && err.status >= 500
          ? err
          : { status: 500, code: ErrorCode.INTERNAL, message: 'internal error' }
      sendJson(res, status, { error: { code, message, requestId } })
    }
    try {
      void Promise.resolve(opts.request(req, res, url)).catch(fail)
    } catch (err) {
      fail(err)
    }
  })

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A reset while the handshake is pending must not become an unhandled 'error'.
    socket.on('error', () => socket.destroy())
    const url = parseTarget(req.url)
    if (!(url instanceof URL)) return refuseUpgrade(socket, url.status)
    if (!opts.upgrade) return refuseUpgrade(socket, 404)
    const fail = (err: unknown) => {
      failed(err, req, url)
      refuseUpgrade(socket, 500)
    }
    try {
      void Promise.resolve(opts.upgrade(req, socket, head, url)).catch(fail)
    } catch (err) {
      fail(err)
    }
  })
  return server
}
