// The membership over time: join, events, loss of the socket, resume on a new one, exit. It owns
// the Rpc and the Session and decides what the user is told; the mgr façade (manager.ts) only
// validates input and shapes results.
import type { Adapter } from './adapters/types'
import { badInput, networkError, toEmediaError, type EmediaError } from './errors'
import { change, type Change, type ConnectionState } from './events'
import type { Logger } from './logger'
import {
  ErrorCode,
  ExitReason,
  joinRefusalReason,
  type AnyEventFrame,
  type Conference,
  type Events,
  type JoinParams,
  type JoinResult,
  type ResumeResult,
  UNSTATED_REVISION,
} from 'miniprogram-conference-protocol'
import { Reconnector, type AttemptOutcome, type ReconnectPolicy } from './reconnect'
import { Rpc } from './rpc'
import { Session } from './session'

export interface LifecycleOptions {
  adapter: Adapter
  log: Logger
  host(): string
  token(): Promise<string>
  requestTimeout(): number
  /** 0: use the server's value from the join reply. */
  heartbeatMs(): number
  reconnect(): ReconnectPolicy
  /** Tells the user (emitter + callbacks); must not throw. */
  fire(c: Change): void
}

const DEFAULT_HEARTBEAT_MS = 10000

/** Codes after which another resume attempt can succeed. */
const TRANSIENT: number[] = [
  ErrorCode.NETWORK,
  ErrorCode.TIMEOUT,
  ErrorCode.RATE_LIMITED,
  ErrorCode.INTERNAL,
  ErrorCode.UNAVAILABLE,
]

export class Lifecycle {
  readonly session = new Session()
  readonly rpc: Rpc
  private state: ConnectionState = 'idle'
  private readonly reconnector: Reconnector
  private watchingNetwork = false
  /** Cluster: the other servers (JoinResult.nodes), where a lost socket may resume instead. */
  private nodes: string[] = []
  /** The server this client talks to when not its configured host (moved, or failed over). */
  private target: string | null = null
  /** Where the server's `move` event asked us to go, for the next attempt. */
  private moveTo: string | null = null
  /** Runs the callbacks of one server message together (mgr.setCallbackBatcher). */
  batcher: ((apply: () => void) => void) | null = null

  constructor(private readonly opts: LifecycleOptions) {
    this.rpc = new Rpc({
      adapter: opts.adapter,
      log: opts.log,
      url: () => this.target ?? opts.host(),
      token: opts.token,
      timeout: opts.requestTimeout,
      onEvent: (frame) => this.onEvent(frame),
      onDown: (reason) => this.onDown(reason),
    })
    this.reconnector = new Reconnector(
      opts.adapter,
      opts.reconnect,
      (n) => this.attempt(n),
      () => this.end(ExitReason.FAILED, ErrorCode.NETWORK, 'reconnect attempts exhausted'),
    )
  }

  get connectionState(): ConnectionState {
    return this.state
  }

  /** One request: auth, create-if-missing, admit, snapshot. Callbacks fire before it resolves. */
  async join(params: JoinParams): Promise<Conference> {
    if (this.state === 'connecting') throw badInput('a join is already in progress')
    // emedia holds one conference at a time: joining another leaves the current one first.
    if (this.session.conference) {
      this.opts.log.info(`leaving ${this.session.confrId} to join another conference`)
      await this.exit()
    }
    this.watchNetwork()
    const before = this.state
    this.setState('connecting')
    let conference: Conference | null = null
    try {
      await this.rpc.call('join', params, {
        onResult: (res) => {
          conference = { ...res.conference }
          this.joined(res)
        },
      })
    } catch (err) {
      if (this.connectionState === 'connecting') this.setState(before)
      this.refused(toEmediaError(err))
      throw err
    }
    return conference as unknown as Conference
  }

  /**
   * The server refused the claim of the stream slot the join granted (a limit reached since):
   * pubStream had already resolved, so the app hears it as a mediaError of job 'publish'.
   */
  claimRefused(confrId: string, err: EmediaError): void {
    if (this.session.confrId !== confrId) return // the conference ended meanwhile
    this.opts.log.warn(`first stream refused: ${err.code} ${err.message}`)
    const message = `publish refused (${err.code}): ${err.message}`
    this.opts.fire(change('mediaError', { confrId, job: 'publish', message }))
  }

  /** A refused join is also told as onConferenceExit(reason, code), as emedia did. */
  private refused(err: EmediaError): void {
    // A join that raced a newer one, or a join that got in after all: not a refusal.
    if (this.session.conference) return
    const reason = joinRefusalReason(err.code)
    this.opts.log.info(`join refused ${reason}/${err.code}: ${err.message}`)
    this.opts.fire(change('conferenceExit', reason, err.code))
  }

  /** Leaves: tells the server when a socket is there, then ends locally either way. */
  async exit(): Promise<void> {
    const confrId = this.session.confrId
    if (!confrId) return
    if (this.state === 'joined' && this.rpc.open) {
      try {
        await this.rpc.call('exit', { confrId })
      } catch (err) {
        this.opts.log.warn('exit was not acknowledged:', toEmediaError(err).message)
      }
    }
    this.end(ExitReason.HANGUP, 0, 'you left')
  }

  /** Your conference was destroyed (by you): end it here even if the server's event lags. */
  destroyed(confrId: string): void {
    if (this.session.confrId === confrId)
      this.end(ExitReason.CLOSED, ErrorCode.CONFERENCE_DISBANDED, 'conference destroyed')
  }

  /** Leaves any conference and closes the socket (bots and tests: lets the process end). */
  async disconnect(): Promise<void> {
    await this.exit()
    this.reconnector.stop()
    this.rpc.close('disconnect')
    if (this.state !== 'exited') this.setState('idle')
  }

  /** Subscribed on the first join, not at creation: making a client touches no platform API. */
  private watchNetwork(): void {
    if (this.watchingNetwork) return
    this.watchingNetwork = true
    try {
      this.opts.adapter.onNetworkChange((up) => this.onNetwork(up))
    } catch (err) {
      this.opts.log.warn('no network-status events:', toEmediaError(err).message)
    }
  }

  private heartbeatMs(): number {
    return this.opts.heartbeatMs() || this.session.heartbeatMs || DEFAULT_HEARTBEAT_MS
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return
    this.state = state
    this.opts.fire(change('stateChanged', state))
  }

  private joined(res: JoinResult): void {
    this.nodes = res.nodes ?? []
    this.rpc.serverRev = res.rev ?? UNSTATED_REVISION
    const changes = this.session.join(res)
    this.setState('joined')
    this.rpc.startHeartbeat(this.heartbeatMs())
    this.tell(changes)
  }

  private onEvent(frame: AnyEventFrame): void {
    switch (frame.event) {
      case 'conferenceExit': {
        const e = frame.data
        if (e && e.confrId === this.session.confrId) this.end(e.reason, e.failed, e.message)
        return
      }
      case 'move':
        return this.moved(frame.data)
      case 'nodesChanged': {
        const nodes = frame.data?.nodes
        if (Array.isArray(nodes)) this.nodes = nodes.filter((n) => typeof n === 'string')
        return
      }
      default:
        this.tell(this.session.event(frame))
    }
  }

  /**
   * What one server message changed, told together: inside the batcher when one is set
   * (mgr.setCallbackBatcher; the store's makes them one MobX action). The callbacks run even
   * when the batcher fails to call them. The mgr tells what it learnt from a reply (its own
   * raised hand, say) the same way.
   */
  tell(changes: Change[]): void {
    let told = false
    const apply = () => {
      if (told) return
      told = true
      changes.forEach(this.opts.fire)
    }
    const batcher = this.batcher
    if (changes.length > 1 && batcher) {
      try {
        batcher(apply)
      } catch (err) {
        this.opts.log.error('callback batcher threw:', err)
      }
    }
    apply()
  }

  /** The membership is over: stop everything, clear state, tell the user once. */
  private end(reason: number, failed: number, message: string): void {
    if (!this.session.conference) return
    const level = reason === ExitReason.FAILED ? 'warn' : 'info'
    this.opts.log[level](`conference exit ${reason}/${failed}: ${message}`)
    this.reconnector.stop()
    this.rpc.release(networkError(`conference ended: ${message}`))
    this.rpc.closeWhenIdle('conference ended')
    this.session.clear()
    this.setState('exited')
    this.opts.fire(change('conferenceExit', reason, failed))
  }

  private onDown(reason: string): void {
    // Outside a conference nothing is lost: the next request opens a socket.
    if (this.state !== 'joined') return
    this.opts.log.info('signalling lost, resuming:', reason)
    this.rpc.hold()
    this.setState('reconnecting')
    this.opts.fire(change('reconnecting'))
    this.reconnector.start()
  }

  /** Cluster: this server goes away or no longer hosts our conference: resume elsewhere now. */
  private moved(e: Events['move']): void {
    if (this.state !== 'joined') return
    this.opts.log.info('server asks us to move:', e?.reason ?? '', e?.url ?? '')
    this.moveTo = typeof e?.url === 'string' ? e.url : null
    this.rpc.drop('moved by the server')
    this.reconnector.nudge()
  }

  /** The first attempt goes where we were moved (or back where we were); later ones rotate
   * through the configured host and the cluster's other servers. */
  private pickServer(n: number): void {
    const all = [this.opts.host(), ...this.nodes]
    if (n === 1 && this.moveTo) this.target = this.moveTo
    else if (n > 1) this.target = all[(n - 1) % all.length]
    this.moveTo = null
  }

  private onNetwork(up: boolean): void {
    this.opts.log.info('network', up ? 'up' : 'down')
    if (!up) {
      if (this.state === 'joined') this.rpc.drop('network lost')
    } else if (this.state === 'reconnecting') {
      this.reconnector.nudge()
    } else if (this.state === 'joined') {
      // A switch (wifi → 4G) can leave a socket that looks open but is dead: check now.
      this.rpc.probe(this.heartbeatMs())
    }
  }

  private async attempt(n: number): Promise<AttemptOutcome> {
    const { conference, self, resumeToken } = this.session
    if (!conference || !self) return 'stop'
    this.pickServer(n)
    try {
      await this.rpc.connect()
    } catch (err) {
      this.opts.log.info(`reconnect attempt ${n}:`, toEmediaError(err).message)
      return 'retry'
    }
    try {
      await this.rpc.call(
        'resume',
        { confrId: conference.confrId, memberId: self.id, resumeToken },
        { direct: true, onResult: (res) => this.resumed(res) },
      )
      return 'ok'
    } catch (err) {
      return this.resumeFailed(toEmediaError(err))
    }
  }

  private resumed(res: ResumeResult): void {
    this.nodes = res.nodes ?? this.nodes
    const changes = this.session.resume(res)
    this.setState('joined')
    this.rpc.release()
    this.rpc.startHeartbeat(this.heartbeatMs())
    this.tell(changes)
    this.opts.fire(change('reconnected', { published: res.published.slice() }))
  }

  private resumeFailed(err: EmediaError): AttemptOutcome {
    if (TRANSIENT.includes(err.code)) {
      // The socket answered nothing useful: start the next attempt on a fresh one.
      this.rpc.drop(`resume failed: ${err.message}`)
      return 'retry'
    }
    // The membership is gone (grace window over, server restarted): to the user that is a
    // network failure (4, -9527). A refused token is reported as itself so the app can renew it.
    const failed = err.code === ErrorCode.TOKEN ? ErrorCode.TOKEN : ErrorCode.NETWORK
    this.end(ExitReason.FAILED, failed, `resume refused (${err.code} ${err.message})`)
    return 'stop'
  }
}
