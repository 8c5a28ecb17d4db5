// The signalling socket: one WebSocket, requests matched to replies by id, a per-request
// timeout, events handed up, an application heartbeat that notices half-open sockets, and a
// hold that makes requests wait while the session is being resumed on a new socket.
// Reconnect policy lives above (reconnect.ts, lifecycle.ts); this file only reports `onDown`.
import type { Adapter, AdapterSocket, TimerHandle } from './adapters/types'
import { type EmediaError, emediaError, networkError, toEmediaError } from './errors'
import type { Logger } from './logger'
import {
  type AnyEventFrame,
  CloseCode,
  ErrorCode,
  knowsMethod,
  METHOD_SINCE,
  PROTOCOL_REVISION,
  PROTOCOL_VERSION,
  type MethodName,
  type Methods,
  type RequestFrame,
} from 'miniprogram-conference-protocol'

export interface RpcOptions {
  adapter: Adapter
  log: Logger
  url(): string
  /** The user token for the next socket (called once per connect). */
  token(): Promise<string>
  timeout(): number
  onEvent(frame: AnyEventFrame): void
  /** An open socket was lost without close() being called (peer closed, network, heartbeat). */
  onDown(reason: string): void
}

export interface CallOptions<R> {
  timeout?: number
  /** Go out even while held (resume and ping). */
  direct?: boolean
  /** Runs synchronously when the result arrives, before the next frame is handled. */
  onResult?: (result: R) => void
}

interface Pending {
  method: string
  resolve(result: unknown): void
  reject(err: EmediaError): void
  timer: TimerHandle
  onResult?: (result: never) => void
}

interface Waiter {
  resolve(): void
  reject(err: EmediaError): void
  timer: TimerHandle
}

const MAX_CONNECT_MS = 10000

/** Adds `v=<protocol version>` and `rev=<revision>` unless the URL already names them. */
export function withVersion(url: string): string {
  let out = url
  const add = (param: string) => (out += `${out.includes('?') ? '&' : '?'}${param}`)
  if (!/[?&]v=/.test(out)) add(`v=${PROTOCOL_VERSION}`)
  if (!/[?&]rev=/.test(out)) add(`rev=${PROTOCOL_REVISION}`)
  return out
}

export class Rpc {
  private socket: AdapterSocket | null = null
  private isOpen = false
  private token = ''
  /** The socket proved its token (a successful reply); until then every request carries it. */
  private authed = false
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private opening: Promise<void> | null = null
  private abortOpening: ((err: EmediaError) => void) | null = null
  /** Bumped by close(): a connect that started before must not install its socket. */
  private epoch = 0
  private heartbeat: TimerHandle | null = null
  private held: Set<Waiter> | null = null
  /** close() once the requests in flight are answered (see closeWhenIdle). */
  private closeWhenDone: string | null = null
  /**
   * The revision the server said it offers (JoinResult.rev; a join reply without it: 3). Until a
   * join says, requests go out and the server itself answers -404 to what it does not know.
   */
  serverRev: number | null = null

  constructor(private readonly opts: RpcOptions) {}

  get open(): boolean {
    return this.isOpen
  }

  /** Opens a socket unless one is open; concurrent callers share one attempt. */
  connect(): Promise<void> {
    if (this.socket && this.isOpen) return Promise.resolve()
    if (!this.opening) {
      const attempt = this.openSocket()
      this.opening = attempt
      const clear = () => {
        if (this.opening === attempt) this.opening = null
      }
      attempt.then(clear, clear)
    }
    return this.opening
  }

  /** Sends a request (connecting first when no socket is open) and resolves with its result. */
  async call<M extends MethodName>(
    method: M,
    params: Methods[M]['params'],
    opts: CallOptions<Methods[M]['result']> = {},
  ): Promise<Methods[M]['result']> {
    if (this.serverRev !== null && !knowsMethod(this.serverRev, method))
      throw emediaError(
        ErrorCode.UNKNOWN_METHOD,
        `${method} needs protocol revision ${METHOD_SINCE[method]}; the server offers ${this.serverRev}`,
      )
    const timeout = opts.timeout ?? this.opts.timeout()
    const deadline = Date.now() + timeout
    while (!opts.direct && this.held) await this.waitHeld(Math.max(1, deadline - Date.now()))
    if (!this.isOpen) await this.connect()
    return this.send(method, params, Math.max(1, deadline - Date.now()), opts.onResult)
  }

  /** Requests (other than direct ones) wait until release(). */
  hold(): void {
    if (!this.held) this.held = new Set()
  }

  /** Lets waiting requests go, or fails them with `err`. */
  release(err?: EmediaError): void {
    const waiters = this.held
    this.held = null
    for (const w of waiters || []) {
      this.opts.adapter.clearTimeout(w.timer)
      if (err) w.reject(err)
      else w.resolve()
    }
  }

  /** Pings every `ms`; a ping unanswered for `ms` means the socket is dead (half-open). */
  startHeartbeat(ms: number): void {
    this.stopHeartbeat()
    this.heartbeat = this.opts.adapter.setInterval(() => this.probe(ms), ms)
  }

  stopHeartbeat(): void {
    if (this.heartbeat !== null) this.opts.adapter.clearInterval(this.heartbeat)
    this.heartbeat = null
  }

  /** One ping now; drops the socket when it goes unanswered for `ms`. */
  probe(ms: number): void {
    if (!this.isOpen || this.held) return
    const sock = this.socket
    this.send('ping', {}, ms).catch((err: EmediaError) => {
      if (err.code === ErrorCode.TIMEOUT && this.socket === sock) {
        this.drop(`no reply to ping within ${ms} ms`)
      }
    })
  }

  /** Treats the socket as dead: closes it, fails what is in flight and reports onDown. */
  drop(reason: string): void {
    const sock = this.socket
    if (!sock) return
    if (!this.isOpen) {
      this.abortOpening?.(networkError(reason))
      return
    }
    this.detach()
    sock.close(4100, reason)
    this.lost(reason)
  }

  /** Closes on purpose: no onDown. In-flight requests fail with -9527. */
  close(reason = 'client closed'): void {
    this.closeWhenDone = null
    this.epoch++
    this.stopHeartbeat()
    this.abortOpening?.(networkError(`connection closed: ${reason}`))
    const sock = this.socket
    if (sock) {
      this.detach()
      sock.close(1000, reason)
    }
    this.failPending(networkError(`connection closed: ${reason}`))
  }

  /**
   * Closes once nothing is in flight: the server ends a membership with an event that comes just
   * before the reply to the request that caused it (exit, destroy), and that reply must arrive.
   * A new request keeps the socket.
   */
  closeWhenIdle(reason: string): void {
    this.stopHeartbeat()
    if (this.pending.size === 0) this.close(reason)
    else this.closeWhenDone = reason
  }

  private waitHeld(ms: number): Promise<void> {
    const held = this.held
    if (!held) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: this.opts.adapter.setTimeout(() => {
          held.delete(waiter)
          reject(networkError(`not reconnected within ${ms} ms`))
        }, ms),
      }
      held.add(waiter)
    })
  }

  private async openSocket(): Promise<void> {
    const epoch = this.epoch
    const token = await this.opts.token()
    if (epoch !== this.epoch) throw networkError('connection closed while fetching the token')
    const url = withVersion(this.opts.url())
    // A blackholed connect must not eat the server's grace window (30 s) in one reconnect try.
    const timeout = Math.min(this.opts.timeout(), MAX_CONNECT_MS)
    const { adapter, log } = this.opts
    await new Promise<void>((resolve, reject) => {
      const sock = adapter.connect(url)
      this.socket = sock
      this.isOpen = false
      this.authed = false
      this.token = token
      const fail = (err: EmediaError) => {
        adapter.clearTimeout(timer)
        if (this.socket === sock) {
          this.detach()
          sock.close(1000, err.message)
        }
        this.abortOpening = null
        reject(err)
      }
      const timer = adapter.setTimeout(
        () => fail(networkError(`no connection to ${url} within ${timeout} ms`)),
        timeout,
      )
      this.abortOpening = fail
      sock.onOpen = () => {
        if (this.socket !== sock) return
        adapter.clearTimeout(timer)
        this.abortOpening = null
        this.isOpen = true
        log.debug('socket open', url)
        resolve()
      }
      sock.onMessage = (text) => {
        if (this.socket === sock) this.handleMessage(text)
      }
      sock.onError = (message) => {
        log.debug('socket error:', message)
        if (this.socket === sock && !this.isOpen)
          fail(networkError(`cannot connect to ${url}: ${message}`))
      }
      sock.onClose = (code, reason) => {
        if (this.socket !== sock) return
        if (this.isOpen) return this.lost(`socket closed (${code} ${reason})`, code)
        fail(
          code === CloseCode.PROTOCOL_VERSION
            ? emediaError(
                ErrorCode.SERVER_LIMIT,
                `server refused protocol v${PROTOCOL_VERSION}: ${reason}`,
              )
            : networkError(`socket closed before it opened (${code} ${reason})`),
        )
      }
    })
  }

  private send(
    method: string,
    params: unknown,
    timeout: number,
    onResult?: (result: never) => void,
  ): Promise<never> {
    const sock = this.socket
    if (!sock || !this.isOpen) return Promise.reject(networkError('not connected'))
    this.closeWhenDone = null
    const id = this.nextId++
    const frame = { id, method, params } as RequestFrame
    if (!this.authed) frame.token = this.token
    return new Promise((resolve, reject) => {
      const timer = this.opts.adapter.setTimeout(() => {
        this.pending.delete(id)
        reject(emediaError(ErrorCode.TIMEOUT, `${method}: no reply within ${timeout} ms`))
      }, timeout)
      this.pending.set(id, {
        method,
        resolve: resolve as (r: unknown) => void,
        reject,
        timer,
        onResult,
      })
      this.opts.log.debug('->', id, method)
      try {
        sock.send(JSON.stringify(frame))
      } catch (err) {
        this.settle(id)
        reject(networkError(`send failed: ${toEmediaError(err).message}`))
      }
    })
  }

  private handleMessage(text: string): void {
    let msg: { id?: unknown; event?: unknown; data?: unknown; result?: unknown; error?: unknown }
    try {
      msg = JSON.parse(text)
    } catch {
      this.opts.log.warn('ignored a frame that is not JSON')
      return
    }
    if (!msg || typeof msg !== 'object') return
    if (typeof msg.event === 'string') {
      this.opts.log.debug('<- event', msg.event)
      this.opts.onEvent(msg as AnyEventFrame)
      return
    }
    const p = typeof msg.id === 'number' ? this.settle(msg.id) : undefined
    if (!p) {
      if (msg.error) this.opts.log.warn('server error without a request:', msg.error)
      else this.opts.log.debug('late reply ignored, id', msg.id)
      return
    }
    this.opts.log.debug('<-', msg.id, p.method, msg.error ? 'error' : 'ok')
    if (msg.error) {
      const e = msg.error as { code?: unknown; message?: unknown }
      const code = typeof e.code === 'number' ? e.code : ErrorCode.INTERNAL
      p.reject(emediaError(code, typeof e.message === 'string' ? e.message : `${p.method} failed`))
      return
    }
    this.authed = true
    try {
      p.onResult?.(msg.result as never)
    } catch (err) {
      this.opts.log.error(`handling the ${p.method} result threw:`, err)
      p.reject(toEmediaError(err))
      return
    }
    p.resolve(msg.result)
  }

  /** Removes a pending request and stops its timer. */
  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id)
    if (!p) return undefined
    this.pending.delete(id)
    this.opts.adapter.clearTimeout(p.timer)
    const reason = this.closeWhenDone
    if (reason !== null && this.pending.size === 0) {
      this.closeWhenDone = null
      // After the caller has seen its result, unless a new request went out meanwhile.
      const next = this.nextId
      void Promise.resolve().then(() => {
        if (this.nextId === next && this.pending.size === 0) this.close(reason)
      })
    }
    return p
  }

  private detach(): void {
    this.socket = null
    this.isOpen = false
    this.authed = false
  }

  private lost(reason: string, code = 0): void {
    this.detach()
    this.stopHeartbeat()
    // 1009: the server closed on a frame over its size limit, i.e. on our own request; 4029: on
    // a rate or connection limit. Neither is the network's fault.
    this.failPending(
      code === CloseCode.TOO_LARGE
        ? emediaError(ErrorCode.TOO_LARGE, 'request too large for the server (frame limit)')
        : code === CloseCode.RATE_LIMITED
          ? emediaError(ErrorCode.RATE_LIMITED, `connection lost: ${reason}`)
          : networkError(`connection lost: ${reason}`),
    )
    this.opts.log.info('connection lost:', reason)
    this.opts.onDown(reason)
  }

  private failPending(err: EmediaError): void {
    for (const id of Array.from(this.pending.keys())) this.settle(id)?.reject(err)
  }
}
