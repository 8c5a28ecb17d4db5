// nginx-rtmp's on_publish / on_play / *_done callbacks arrive at a small HTTP listener of ours on
// loopback, which turns each into a session and hands it to the engine to decide on.
import { randomBytes } from 'crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http'
import { frontDoor, type FrontDoorLog } from '../../http/front-door'
import { type AddressInfo } from 'net'
import { type MediaSession } from '../engine'
import { CALLBACKS } from './config'
import { readText } from '../../http/body'
import { sameSecret } from '../../security/secret'

export type CallName = keyof typeof CALLBACKS
const CALL_NAMES = Object.keys(CALLBACKS) as CallName[]

/** nginx's request: 2xx allows (or acknowledges), any other status refuses. */
export type CallbackAnswer = (status: number, text: string) => void

/** One callback; `nameAndQueryLength` as of parseCallback. */
export type CallbackHandler = (
  call: CallName,
  session: MediaSession,
  nameAndQueryLength: number,
  answer: CallbackAnswer,
) => void

/**
 * A callback body: nginx-rtmp sends its session fields (app, flashver, swfurl, tcurl, pageurl,
 * addr, clientid), then call=… with that call's own fields, then the client's query string as
 * it was. Fields and query are told apart by position, so that a query key named like a field
 * (`?name=x`) cannot pose as one.
 */
export function parseCallback(body: string): {
  call: string
  fields: Record<string, string>
  query: Record<string, string>
  /** Length of "name?query" as nginx received it, to detect its 255-byte cut. */
  nameAndQueryLength: number
} {
  const pairs = [...new URLSearchParams(body)]
  const callAt = pairs.findIndex(([key]) => key === 'call')
  const fields: Record<string, string> = {}
  const query: Record<string, string> = {}
  if (callAt < 0) return { call: '', fields, query, nameAndQueryLength: 0 }
  const call = pairs[callAt][1]
  for (const [key, value] of pairs.slice(0, callAt)) fields[key] = value
  const own =
    call === 'publish'
      ? ['name', 'type']
      : call === 'play'
        ? ['name', 'start', 'duration', 'reset']
        : call.startsWith('update')
          ? ['time', 'timestamp', 'name']
          : ['name']
  let i = callAt + 1
  for (const key of own) {
    if (pairs[i]?.[0] !== key) break
    fields[key] = pairs[i][1]
    i++
  }
  const rest = pairs.slice(i)
  for (const [key, value] of rest) if (!(key in query)) query[key] = value
  const rawQuery = new URLSearchParams(rest).toString()
  const nameAndQueryLength = (fields.name ?? '').length + (rest.length ? 1 + rawQuery.length : 0)
  return { call, fields, query, nameAndQueryLength }
}

async function onRequest(
  secret: string,
  handle: CallbackHandler,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const answer: CallbackAnswer = (status, text) => {
    res.writeHead(status, { 'Content-Type': 'text/plain', Connection: 'close' })
    res.end(text)
  }
  // The secret path keeps other local processes from posting fake starts and stops.
  const m = url.search ? null : /^\/([0-9a-f]+)\/([a-z_]+)$/.exec(url.pathname)
  const name = CALL_NAMES.find((c) => m && sameSecret(secret, m[1]) && CALLBACKS[c] === m[2])
  if (!name || req.method !== 'POST') return answer(404, 'not found')
  let body: string
  try {
    body = await readText(req, 16384)
  } catch (err) {
    return answer(400, (err as Error).message)
  }
  const parsed = parseCallback(body)
  const f = parsed.fields
  const session: MediaSession = {
    sessionId: f.clientid ?? '',
    app: f.app ?? '',
    stream: f.name ?? '',
    query: parsed.query,
    ip: f.addr ?? '',
  }
  handle(name, session, parsed.nameAndQueryLength, answer)
}

/** The listener, on a free loopback port, at a fresh secret path. */
export class CallbackListener {
  private constructor(
    private readonly server: Server,
    /** The config's callbackBase: http://127.0.0.1:port/secret. */
    readonly base: string,
  ) {}

  static async open(handle: CallbackHandler, log: FrontDoorLog): Promise<CallbackListener> {
    const secret = randomBytes(16).toString('hex')
    const server = frontDoor(createServer(), {
      log,
      request: (req, res, url) => onRequest(secret, handle, req, res, url),
    })
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
    })
    return new CallbackListener(server, `http://127.0.0.1:${port}/${secret}`)
  }

  /** Stop listening, ending any callback connection still open. */
  close(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((r) => this.server.close(() => r()))
  }
}
