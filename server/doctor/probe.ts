// The doctor's ways of looking at the network: an HTTP GET, a WebSocket upgrade, a listen and a
// connect, each with a deadline, each answering what happened instead of throwing.
import net from 'net'
import WebSocket from 'ws'
import { type ServerConfig } from '../config'
import { type RequestFacts } from '../http/diagnostics'

export interface HttpAnswer {
  status: number
  body: unknown
}

/** Why a request failed, as an operator would search for it (ECONNREFUSED, a TLS error…). */
export function why(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } }
  if (e.name === 'TimeoutError') return 'no answer in time'
  return e.cause?.code ?? e.cause?.message ?? e.message
}

/** GET `url`: its status and JSON body (null when it is not JSON), or why not. */
export async function getJson(
  url: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<HttpAnswer | { error: string }> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) })
    const text = await res.text()
    let body: unknown = null
    try {
      body = JSON.parse(text)
    } catch {
      // not JSON: what answered is not the server
    }
    return { status: res.status, body }
  } catch (err) {
    return { error: why(err) }
  }
}

export type UpgradeAnswer =
  { facts: RequestFacts } | { status: number } | { error: string; status?: undefined }

/** A WebSocket upgrade of `url`: the server's one message, or the HTTP status that refused it. */
export function upgrade(
  url: string,
  timeoutMs: number,
  headers: Record<string, string>,
): Promise<UpgradeAnswer> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers, handshakeTimeout: timeoutMs })
    const timer = setTimeout(() => done({ error: 'no answer in time' }), timeoutMs)
    const done = (answer: UpgradeAnswer) => {
      clearTimeout(timer)
      ws.removeAllListeners()
      ws.on('error', () => undefined)
      ws.terminate()
      resolve(answer)
    }
    ws.on('message', (data) => {
      try {
        done({ facts: JSON.parse(String(data)) as RequestFacts })
      } catch {
        done({ error: 'the answer was not the server’s' })
      }
    })
    ws.on('unexpected-response', (_req, res) => done({ status: res.statusCode ?? 0 }))
    ws.on('close', (code) => done({ error: `closed (${code}) without an answer` }))
    ws.on('error', (err) => done({ error: why(err) }))
  })
}

export type ListenResult = 'free' | 'EADDRINUSE' | 'EACCES' | 'EADDRNOTAVAIL' | string

/** Listens on host:port for a moment: whether the server could. `hold` runs while listening. */
export function tryListen(
  host: string,
  port: number,
  hold: (server: net.Server) => Promise<void> = async () => undefined,
): Promise<ListenResult> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => socket.destroy())
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
    server.listen({ host, port, exclusive: true }, () => {
      void hold(server).finally(() => server.close(() => resolve('free')))
    })
  })
}

/** Connects to host:port: null when it worked, else why not. */
export function connect(host: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (result: string | null) => {
      socket.destroy()
      resolve(result)
    }
    socket.setTimeout(timeoutMs, () => done('no answer in time (a firewall dropping it?)'))
    socket.once('connect', () => done(null))
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message))
  })
}

/** The address to reach a server listening on `host` from this machine. */
export function loopbackOf(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1'
  if (host === '::') return '::1'
  return host
}

export const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host)

/** What the running server told about itself (GET /api/doctor with the admin secret). */
export interface RunningServer {
  /** http://<loopback>:<port> */
  url: string
  version: string
  engine: string
  /** From /api/doctor: null without an admin secret, or when it refused ours. */
  media: { rtmpBase: string; flvBase: string | null } | null
  /** /api/doctor refused the admin secret: it runs with another configuration. */
  refusedSecret: boolean
}

/** The conference server on --port of this machine, if one runs there. */
export async function runningServer(
  config: ServerConfig,
  timeoutMs: number,
): Promise<RunningServer | null> {
  if (config.port === 0) return null
  const url = `http://${urlHost(loopbackOf(config.host))}:${config.port}`
  const health = await getJson(`${url}/healthz`, timeoutMs)
  const body = 'body' in health ? (health.body as { version?: string; engine?: string }) : null
  if (!body?.version || !body.engine) return null
  const running: RunningServer = {
    url,
    version: body.version,
    engine: body.engine,
    media: null,
    refusedSecret: false,
  }
  if (!config.adminSecret) return running
  const auth = { authorization: `Bearer ${config.adminSecret}` }
  const facts = await getJson(`${url}/api/doctor`, timeoutMs, auth)
  if ('status' in facts && facts.status === 200)
    running.media = (facts.body as { media: RunningServer['media'] }).media
  else running.refusedSecret = 'status' in facts && facts.status === 401
  return running
}
