// createEmedia: one independent client (config, util, mgr) on a platform adapter. The mini
// program entry (index.ts) and the Node entry (sdk/node.ts) each make a default one.
import type { Adapter } from './adapters/types'
import { Emitter } from './emitter'
import { badInput } from './errors'
import { callbackNames, type Change, type EmediaEvents } from './events'
import { Lifecycle } from './lifecycle'
import { createLogger, isLogLevel, type LogLevel, type Logger } from './logger'
import { Manager, newRtcId } from './manager'
import { ConfrType, ErrorCode, ExitReason, Role } from 'miniprogram-conference-protocol'
import type { ReconnectPolicy } from './reconnect'
import { createTokenProvider } from './token'

export interface EmediaConfig {
  /** Signalling URL, e.g. ws://127.0.0.1:8080/ws. */
  host: string
  /** User token minted by your backend. */
  token: string
  /** Called on every connect when set (wins over `token`). */
  getToken?: () => Promise<string>
  /** Development: with no token, fetch one from GET <host>/dev/token?userId=… */
  userId: string
  requestTimeout: number
  reconnect: ReconnectPolicy
  /** 0: the server's value from the join reply. */
  heartbeatMs: number
  logLevel: LogLevel
}

export type EmediaConfigInput = Partial<Omit<EmediaConfig, 'reconnect'>> & {
  reconnect?: Partial<ReconnectPolicy>
}

export interface Emedia {
  /** Merges options and returns the resulting configuration. */
  config(opts?: EmediaConfigInput): EmediaConfig
  util: { getRtcId(): string }
  mgr: Manager
  ConfrType: typeof ConfrType
  Role: typeof Role
  ErrorCode: typeof ErrorCode
  ExitReason: typeof ExitReason
  /** The SDK's logger (level follows config.logLevel). */
  logger: Logger
}

export interface CreateEmediaOptions {
  adapter: Adapter
  config?: EmediaConfigInput
}

const defaults: EmediaConfig = {
  host: '',
  token: '',
  userId: '',
  requestTimeout: 20000,
  // emedia retried 13 times 3 s apart. Ours keeps trying through the server's 30 s grace window
  // (0.25 + 0.5 + 1 + 22 × 1.5 s ≈ 35 s) and, when no network event tells it, notices a return
  // within 1.5 s: the 2 s "publishing again" target holds without one.
  reconnect: { retries: 25, delayMs: 1500, firstDelayMs: 250 },
  heartbeatMs: 0,
  logLevel: 'warn',
}

function positive(value: unknown, name: string, allowZero = false): void {
  if (value === undefined) return
  if (typeof value !== 'number' || !isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw badInput(`config: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`)
  }
}

function checkConfig(opts: EmediaConfigInput): void {
  if (opts.host !== undefined && opts.host !== '' && !/^wss?:\/\//i.test(opts.host)) {
    throw badInput(`config: host must be a ws:// or wss:// URL, got "${opts.host}"`)
  }
  if (opts.getToken !== undefined && typeof opts.getToken !== 'function') {
    throw badInput('config: getToken must be a function returning a Promise of the token')
  }
  if (opts.logLevel !== undefined && !isLogLevel(opts.logLevel)) {
    throw badInput('config: logLevel must be debug, info, warn, error or silent')
  }
  positive(opts.requestTimeout, 'requestTimeout')
  positive(opts.heartbeatMs, 'heartbeatMs', true)
  const r = opts.reconnect || {}
  positive(r.retries, 'reconnect.retries', true)
  positive(r.delayMs, 'reconnect.delayMs', true)
  positive(r.firstDelayMs, 'reconnect.firstDelayMs', true)
}

export function createEmedia(options: CreateEmediaOptions): Emedia {
  if (!options || !options.adapter)
    throw new TypeError('createEmedia({ adapter }): adapter is required')
  const { adapter } = options
  let cfg: EmediaConfig = { ...defaults, reconnect: { ...defaults.reconnect } }
  const logger = createLogger(cfg.logLevel)
  const emitter = new Emitter<EmediaEvents>(logger)
  // Assigned below; fire() only runs after construction.
  // eslint-disable-next-line prefer-const -- declared before fire(), which closes over it
  let mgr: Manager

  function fire(c: Change): void {
    ;(emitter.emit as (name: string, ...args: unknown[]) => void).call(emitter, c.name, ...c.args)
    const target = mgr as unknown as Record<string, unknown>
    for (const name of callbackNames[c.name]) {
      const fn = target[name]
      if (typeof fn !== 'function') continue
      try {
        fn.apply(mgr, c.args)
      } catch (err) {
        logger.error(`mgr.${name} threw:`, err)
      }
    }
  }

  const token = createTokenProvider(adapter, () => cfg)
  const life = new Lifecycle({
    adapter,
    log: logger,
    host: () => {
      if (!cfg.host) throw badInput('no server: emedia.config({ host: "ws://HOST:PORT/ws" })')
      return cfg.host
    },
    token,
    requestTimeout: () => cfg.requestTimeout,
    heartbeatMs: () => cfg.heartbeatMs,
    reconnect: () => cfg.reconnect,
    fire,
  })

  function config(opts: EmediaConfigInput = {}): EmediaConfig {
    checkConfig(opts)
    cfg = { ...cfg, ...opts, reconnect: { ...cfg.reconnect, ...opts.reconnect } }
    logger.level = cfg.logLevel
    return { ...cfg, reconnect: { ...cfg.reconnect } }
  }

  mgr = new Manager(life, emitter, (url) => {
    config({ host: url })
    // Not in a conference: the next request connects to the new host.
    if (!life.session.conference) life.rpc.close('host changed')
  })
  if (options.config) config(options.config)

  return {
    config,
    util: { getRtcId: newRtcId },
    mgr,
    ConfrType,
    Role,
    ErrorCode,
    ExitReason,
    logger,
  }
}
