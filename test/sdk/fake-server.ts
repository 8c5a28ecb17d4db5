// A scripted signalling server for the SDK's unit tests: a real `ws` server on a free port that
// answers per docs/protocol.md from per-method handlers the test sets, records every request,
// and can push events, drop sockets or go silent. GET /dev/token answers on the same port.
import { createServer, type Server } from 'http'
import type { AddressInfo } from 'net'
import WebSocket, { WebSocketServer } from 'ws'
import type {
  Conference,
  JoinResult,
  Member,
  PublishResult,
  ResumeResult,
  Stream,
} from 'miniprogram-conference-protocol'

export interface Received {
  id: number | string
  method: string
  params: any
  token?: string
  socket: WebSocket
  /** Index of this request among those of its socket (0: the first). */
  nth: number
}

/** A handler returns a result, throws {code, message} for an error reply, or returns SILENT. */
export type Handler = (req: Received) => unknown
export const SILENT = Symbol('silent')

export class FakeServer {
  readonly received: Received[] = []
  readonly sockets = new Set<WebSocket>()
  readonly devTokenRequests: string[] = []
  /** Every socket's URL as the client asked for it. */
  readonly urls: string[] = []
  private handlers: Record<string, Handler> = {}
  private muted = false
  private waiters: Array<{ pred: (r: Received) => boolean; resolve: (r: Received) => void }> = []

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly port: number,
  ) {
    this.handlers = defaultHandlers()
  }

  static async start(): Promise<FakeServer> {
    let fake: FakeServer | null = null
    const http = createServer((req, res) => {
      const url = new URL(req.url || '/', 'http://x')
      if (url.pathname !== '/dev/token') return res.writeHead(404).end()
      const userId = url.searchParams.get('userId') || ''
      fake!.devTokenRequests.push(userId)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          token: `dev-${userId}`,
          userId,
          appId: 'dev',
          expiresAt: Date.now() + 3600e3,
        }),
      )
    })
    const wss = new WebSocketServer({ server: http, path: '/ws' })
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
    fake = new FakeServer(http, wss, (http.address() as AddressInfo).port)
    wss.on('connection', (ws, req) => fake!.accept(ws, req.url || ''))
    return fake
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/ws`
  }

  handle(method: string, fn: Handler): void {
    this.handlers[method] = fn
  }

  /** Stop answering anything (pings included) while keeping sockets open: a half-open link. */
  mute(on: boolean): void {
    this.muted = on
  }

  push(event: string, data: unknown, to?: WebSocket): void {
    const frame = JSON.stringify({ event, data })
    for (const ws of to ? [to] : this.sockets) if (ws.readyState === WebSocket.OPEN) ws.send(frame)
  }

  /** Cuts every socket without a close handshake (a lost network, seen from the server). */
  dropAll(): void {
    for (const ws of this.sockets) ws.terminate()
  }

  requests(method: string): Received[] {
    return this.received.filter((r) => r.method === method)
  }

  /** Resolves with the next request (from now, or already received if `seen`) matching. */
  next(method: string, seen = 0): Promise<Received> {
    const done = this.requests(method)
    if (done.length > seen) return Promise.resolve(done[seen])
    return new Promise((resolve) =>
      this.waiters.push({ pred: (r) => r.method === method, resolve }),
    )
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate()
    await new Promise<void>((r) => this.wss.close(() => r()))
    await new Promise<void>((r) => this.http.close(() => r()))
  }

  private accept(ws: WebSocket, url: string): void {
    this.sockets.add(ws)
    this.urls.push(url)
    let nth = 0
    ws.on('close', () => this.sockets.delete(ws))
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString())
      const req: Received = { ...frame, socket: ws, nth: nth++ }
      this.received.push(req)
      for (const w of this.waiters.slice()) {
        if (w.pred(req)) {
          this.waiters.splice(this.waiters.indexOf(w), 1)
          w.resolve(req)
        }
      }
      if (this.muted) return
      const handler = this.handlers[req.method] as Handler | undefined
      let reply: object = {
        id: req.id,
        error: { code: -404, message: `unknown method ${req.method}` },
      }
      try {
        if (handler) {
          const result = handler(req)
          if (result === SILENT) return
          reply = { id: req.id, result: result ?? {} }
        }
      } catch (err: any) {
        reply = { id: req.id, error: { code: err.code ?? -1, message: err.message ?? 'error' } }
      }
      ws.send(JSON.stringify(reply))
    })
  }
}

// ---- fixtures ----

export const CONFR = 'C1'

export function member(id: string, role = 3, extra: Partial<Member> = {}): Member {
  return {
    id,
    name: id.toLowerCase(),
    globalName: `dev_${id.toLowerCase()}`,
    nickName: id,
    role: role as Member['role'],
    ext: {},
    ...extra,
  }
}

export function stream(id: string, owner: Member, extra: Partial<Stream> = {}): Stream {
  return {
    id,
    voff: 0,
    aoff: 0,
    memId: owner.id,
    memName: owner.name,
    owner,
    rtcId: `rtc-${id}`,
    type: 'normal',
    rtmp: `rtmp://media/live/${id}?token=play`,
    ...extra,
  }
}

export function conference(extra: Partial<Conference> = {}): Conference {
  return {
    confrId: CONFR,
    id: CONFR,
    type: 10,
    password: '',
    ticket: 'ticket-1',
    roleToken: 'role-token-3',
    rec: false,
    recMerge: false,
    config: { maxTalkerCount: 9, maxVideoCount: 9, maxAudienceCount: 100, maxPubDesktopCount: 1 },
    ...extra,
  }
}

export function joinResult(extra: Partial<JoinResult> = {}): JoinResult {
  const bob = member('BOB')
  return {
    conference: conference(),
    self: member('ME'),
    members: [member('ME'), bob],
    streams: [stream('S-BOB', bob)],
    attrs: { topic: 'weekly' },
    resumeToken: 'resume-1',
    heartbeatMs: 10000,
    graceMs: 30000,
    ...extra,
  }
}

export function publishResult(rtcId: string, n = 1): PublishResult {
  const s = stream(`S-ME-${n}`, member('ME'), { rtcId, rtmp: undefined })
  return { stream: s, rtmp: `rtmp://media/live/${s.id}?token=push${n}` }
}

function defaultHandlers(): Record<string, Handler> {
  let published = 0
  return {
    ping: () => ({ t: Date.now() }),
    join: () => joinResult(),
    exit: () => ({}),
    publish: (req) => publishResult(req.params.rtcId, ++published),
    unpublish: () => ({}),
    subscribe: (req) => ({ rtmp: `rtmp://media/live/${req.params.streamId}?token=sub` }),
    unsubscribe: () => ({}),
    resume: (): ResumeResult => ({ ...joinResult(), published: [] }),
  }
}
