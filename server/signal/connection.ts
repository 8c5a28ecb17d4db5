// One signalling socket: parse, validate, rate-limit, authenticate, dispatch, reply. Nothing a
// client sends can change state unless it is a well-formed, authorised request.
import { randomBytes } from 'crypto'
import { type Socket } from 'net'
import WebSocket from 'ws'
import {
  CloseCode,
  ErrorCode,
  knowsMethod,
  METHOD_SINCE,
  type EventName,
  type Events,
  type MethodName,
} from 'miniprogram-conference-protocol'
import { type Tokens } from '../auth/tokens'
import { type ServerConfig } from '../config'
import { type LocalSocket, type Router } from '../routing/router'
import { type Caller, type ConferenceService } from '../conference/service'
import { type Logger } from '../log'
import { RpcError } from '../rpc-error'
import { TokenBucket } from '../security/bucket'
import { socketsOf } from '../security/sockets'
import { isServiceMethod } from '../conference/methods'
import { type ArrivalFrames, Frame } from '../conference/frames'
import { type Corking } from './corking'
import { describeIssues, isMethod, type Params, paramSchemas, requestSchema } from './schemas'

/** A client that stops reading gets cut off before it costs the server memory. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024

/** The params of `method`, validated and normalised, or -400 saying what is wrong. */
function validate<M extends MethodName>(method: M, raw: unknown): Params<M> {
  const parsed = paramSchemas[method].safeParse(raw)
  if (!parsed.success)
    throw new RpcError(ErrorCode.BAD_REQUEST, describeIssues(parsed.error, 'params'))
  return parsed.data as Params<M>
}

export interface ConnectionDeps {
  service: ConferenceService
  tokens: Tokens
  config: ServerConfig
  log: Logger
  /** Where requests are done: this node (LocalRouter), or their conference's host (cluster). */
  router: Router
  /** The server's writes held to the end of each turn (one per server). */
  corking: Corking
}

/** How long a moved client has to reconnect by itself before its socket is closed. */
const MOVE_CLOSE_MS = 1000

export class Connection implements LocalSocket {
  readonly id = randomBytes(9).toString('base64url')
  private _caller: Caller | null = null
  private readonly bucket: TokenBucket
  private strikes = 0
  private idleTimer: NodeJS.Timeout | null = null
  /** Until a valid token arrives: a socket that never authenticates holds no place for long. */
  private authTimer: NodeJS.Timeout | null = null
  /** Requests answered asynchronously (cluster) not answered yet. */
  private inFlight = 0
  /**
   * Events that came while such a request was in flight: sent after its reply, so that a client
   * never hears of a conference before the reply that put it there.
   */
  private held: Frame[] = []

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: ConnectionDeps,
    readonly ip: string,
    /** The protocol revision the client declared (`rev` in the socket URL). */
    readonly rev = 0,
  ) {
    this.bucket = new TokenBucket(
      () => deps.config.msgRate,
      () => deps.config.msgBurst,
    )
    this.touch()
    if (deps.config.authTimeoutMs > 0) {
      this.authTimer = setTimeout(() => {
        this.deps.log.info({ ip }, 'socket never authenticated; closing')
        this.ws.close(CloseCode.IDLE, 'authenticate first: no valid token in time')
        setTimeout(() => this.ws.terminate(), 2000).unref()
      }, deps.config.authTimeoutMs)
      this.authTimer.unref()
    }
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary))
    ws.on('close', () => this.onClose())
    ws.on('error', (e) => deps.log.debug({ ip, err: e.message }, 'socket error'))
    deps.router.sockets.set(this.id, this)
  }

  get caller(): Caller | null {
    return this._caller
  }

  /** confrId → memberId of what this socket holds (for invariant checks). */
  get memberships(): ReadonlyMap<string, string> {
    return this._caller?.memberships ?? new Map()
  }

  // ---- Peer ----

  send<E extends EventName>(event: E, data: Events[E]) {
    this.sendFrame(Frame.of(event, data))
  }

  sendFrame(frame: Frame) {
    if (this.inFlight > 0) this.held.push(frame)
    else this.writeFrame(frame)
  }

  sendArrivals(frames: ArrivalFrames, from: number) {
    for (const frame of frames.framesFor(this.rev, from)) this.sendFrame(frame)
  }

  left(confrId: string) {
    this._caller?.memberships.delete(confrId)
  }

  /** Cluster: reconnect (to `url`) and resume; the socket closes shortly after in any case. */
  move(reason: string, url?: string) {
    this.send('move', url ? { reason, url } : { reason })
    setTimeout(() => this.ws.close(CloseCode.SHUTDOWN, reason), MOVE_CLOSE_MS).unref()
  }

  // ---- internals ----

  private write(frame: unknown) {
    this.writeText(JSON.stringify(frame))
  }

  /** A reply's JSON, framed by ws. */
  private writeText(text: string) {
    if (!this.writable()) return
    this.ws.send(text, { binary: false })
    this.cork()
  }

  /** An event frame: its bytes, framed once for all receivers, written as they are. ws frames
   * nothing of its own in between (no compression, nothing queued), so this keeps the order. */
  private writeFrame(frame: Frame) {
    const socket = this.socket
    if (!socket || !this.writable()) return
    socket.write(frame.wire)
    this.cork()
  }

  private writable(): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return false
    if (this.ws.bufferedAmount <= MAX_BUFFERED_BYTES) return true
    this.deps.log.warn({ ip: this.ip }, 'client not reading; closing')
    this.ws.terminate()
    return false
  }

  private get socket(): Socket | undefined {
    return (this.ws as unknown as { _socket?: Socket })._socket
  }

  /** The turn's first frame to this socket has left; what follows in this turn waits and leaves
   * in one write with the rest (a burst of events: one system call, not one per event). */
  private cork() {
    const socket = this.socket
    if (socket) this.deps.corking.hold(socket)
  }

  private reply(id: number | string | null, result: unknown) {
    this.write({ id, result })
  }

  private fail(id: number | string | null, code: number, message: string) {
    this.deps.service.emit('request-failed', code)
    this.write({ id, error: { code, message } })
  }

  /** Any frame proves the client alive; three silent heartbeats close the socket. */
  private touch() {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => {
      this.deps.log.info({ ip: this.ip }, 'socket silent; closing')
      this.ws.close(CloseCode.IDLE, 'no heartbeat')
      // A half-open TCP connection may never finish the close handshake.
      setTimeout(() => this.ws.terminate(), 2000).unref()
    }, this.deps.config.heartbeatMs * 3)
    this.idleTimer.unref()
  }

  /** Why a frame is refused by a rate limit, the socket's or its address's ('' when it is not). */
  private limited(): string {
    if (!this.bucket.take()) return 'too many requests; slow down'
    if (socketsOf(this.deps.service)?.take(this.ip) === false)
      return 'too many requests from your address; slow down'
    this.strikes = 0
    return ''
  }

  private onFrame(data: WebSocket.RawData, isBinary: boolean) {
    this.touch()
    const limited = this.limited()
    if (limited) {
      if (++this.strikes > this.deps.config.msgBurst)
        this.ws.close(CloseCode.RATE_LIMITED, 'rate limit')
      else this.fail(null, ErrorCode.RATE_LIMITED, limited)
      return
    }
    if (isBinary) return this.fail(null, ErrorCode.BAD_REQUEST, 'binary frames are not accepted')
    let json: unknown
    try {
      json = JSON.parse(data.toString())
    } catch {
      return this.fail(null, ErrorCode.BAD_REQUEST, 'frame is not JSON')
    }
    const frame = requestSchema.safeParse(json)
    if (!frame.success) {
      const id = (json as { id?: unknown })?.id
      const echo = typeof id === 'number' || (typeof id === 'string' && id.length <= 64) ? id : null
      return this.fail(echo, ErrorCode.BAD_REQUEST, describeIssues(frame.error, 'frame'))
    }
    const { id, method, params, token } = frame.data
    const failed = (e: unknown) => {
      if (e instanceof RpcError) return this.fail(id, e.code, e.message)
      this.deps.log.error({ err: e, method }, 'request failed')
      this.fail(id, ErrorCode.INTERNAL, 'internal error')
    }
    try {
      const out = this.dispatch(method, params ?? {}, token)
      if (!(out instanceof Promise)) return this.reply(id, out)
      this.inFlight++
      out
        .then((r) => this.reply(id, r), failed)
        .finally(() => {
          if (--this.inFlight > 0) return
          const held = this.held
          this.held = []
          for (const frame of held) this.writeFrame(frame)
        })
    } catch (e) {
      failed(e)
    }
  }

  private dispatch(method: string, rawParams: unknown, token?: string): unknown {
    if (!isMethod(method))
      throw new RpcError(ErrorCode.UNKNOWN_METHOD, `unknown method "${method}"`)
    const offered = this.deps.config.protocolRevision
    if (!knowsMethod(offered, method))
      throw new RpcError(
        ErrorCode.UNKNOWN_METHOD,
        `"${method}" needs protocol revision ${METHOD_SINCE[method]}; this server offers ${offered}`,
      )
    const params = validate(method, rawParams)
    if (method === 'ping') return { t: Date.now() }
    const presented = method === 'auth' ? (params as Params<'auth'>).token : token
    if (presented) this.authenticate(presented)
    const caller = this._caller
    if (!caller) throw new RpcError(ErrorCode.TOKEN, 'authenticate first: send token')
    if (!isServiceMethod(method)) {
      return { userId: caller.userId, appId: caller.appId, serverTime: Date.now() }
    }
    return this.deps.router.request(method, caller, params as Params<typeof method>, this.id)
  }

  private authenticate(token: string) {
    const claims = this.deps.tokens.verifyUser(token)
    if (this.authTimer) clearTimeout(this.authTimer)
    this.authTimer = null
    if (this._caller && this._caller.userId !== claims.userId)
      throw new RpcError(ErrorCode.TOKEN, 'this socket belongs to another user')
    if (this._caller) this._caller.maxRole = claims.maxRole
    else this._caller = { ...claims, peer: this, memberships: new Map(), address: this.ip }
  }

  private onClose() {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    if (this.authTimer) clearTimeout(this.authTimer)
    this.deps.router.detach(this._caller, this.id)
  }
}
