// The nginx-rtmp media engine: Debian's nginx with libnginx-mod-rtmp, run as a child process
// with a config of our own in a private temp prefix (never the system's /etc/nginx or port 80).
// nginx decides nothing itself: its on_publish / on_play callbacks come to a small HTTP
// listener of ours on loopback, which asks the same synchronous hooks as the embedded engine.
// Sessions are kicked through nginx-rtmp's control module on a unix socket.
import { ChildProcess, spawn } from 'child_process'
import { randomBytes } from 'crypto'
import fs from 'fs'
import { createServer, IncomingMessage, request, Server, ServerResponse } from 'http'
import { AddressInfo, createServer as createNetServer } from 'net'
import os from 'os'
import path from 'path'
import { MediaHooks, MediaKind, MediaSession } from './engine'
import {
  EngineBase,
  EngineLog,
  EngineLogLevel,
  EngineOptions,
  LogLevel,
  until,
} from './engine-base'
import { CALLBACKS, NGINX_FILES, NginxConfigInput, renderNginxConfig } from './nginx-config'

export type NginxLogLevel = EngineLogLevel
export type NginxLog = EngineLog

/** `bind` is the RTMP listen address; nginx's own error log lines go through `logLevel`. */
export interface NginxEngineOptions extends EngineOptions {
  /**
   * RTMP port; 0 picks a free one (nginx cannot listen on 0: we find a free port, and pick again
   * if it was taken before nginx bound it). Default 1935.
   */
  rtmpPort?: number
  /** The nginx binary. Default: `nginx` on PATH, else /usr/sbin/nginx. */
  nginxPath?: string
  /** Default /usr/lib/nginx/modules/ngx_rtmp_module.so (Debian's libnginx-mod-rtmp). */
  modulePath?: string
  /**
   * A publisher that sends nothing for this long is dropped (drop_idle_publisher once media
   * flowed; a /stat check for one that never sent any). 0 = never. Default 10.
   */
  idlePublisherSec?: number
  /** How long start() waits for nginx to answer. Default 10 s. */
  startTimeoutMs?: number
}

export const DEFAULT_MODULE_PATH = '/usr/lib/nginx/modules/ngx_rtmp_module.so'
/** nginx-rtmp reads "name?query" of publish/play into 256 bytes (NGX_RTMP_MAX_NAME) and cuts. */
export const NGINX_MAX_NAME_AND_QUERY = 255
/** How long stop() gives nginx after QUIT, and again after TERM. */
const QUIT_TIMEOUT_MS = 1000
const PORT_ATTEMPTS = 3
const DROP_ATTEMPTS = 5

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

/** `nginx` on PATH, else Debian's /usr/sbin/nginx (not on a non-root user's PATH). */
function findNginx(): string | null {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)
  for (const dir of [...dirs, '/usr/sbin']) {
    const file = path.join(dir, 'nginx')
    if (isExecutable(file)) return file
  }
  return null
}

/** A port free right now on `host` (nginx binds it a moment later; start() retries a race). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer()
    probe.once('error', reject)
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

/** Workers of a root master need a user; nginx's compiled-in group may not exist (Debian). */
function workerUser(): string | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null
  let groups = ''
  try {
    groups = fs.readFileSync('/etc/group', 'utf8')
  } catch {
    // No /etc/group: let nginx try its default.
  }
  return /^nogroup:/m.test(groups) ? 'nobody nogroup' : 'nobody nobody'
}

/**
 * SIGKILL the master and its workers: a worker outlives a killed master (it is not in a
 * process group of its own that we could signal, so that a terminal's Ctrl-C reaches it).
 */
function killNginx(proc: ChildProcess): void {
  const pid = proc.pid
  if (pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return
  let children: number[] = []
  try {
    children = fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
  } catch {
    // Not Linux, or already gone: the master alone.
  }
  for (const child of children) {
    try {
      process.kill(child, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  proc.kill('SIGKILL')
}

const NGINX_LEVEL: Record<NginxLogLevel, NginxConfigInput['errorLevel']> = {
  debug: 'info', // nginx's debug level is a firehose (and needs --with-debug)
  info: 'notice',
  warn: 'warn',
  error: 'error',
  silent: 'error',
}

/** An nginx error-log line → our level and message. */
function parseNginxLine(line: string): { level: LogLevel; message: string } {
  const m = /^\S+ \S+ \[(\w+)\] \d+#\d+: (.*)$/.exec(line)
  if (!m) return { level: 'info', message: line }
  const lv = m[1]
  // nginx-rtmp logs this routine event (our idle limit doing its job) as an error.
  if (m[2].includes('drop idle publisher')) return { level: 'warn', message: m[2] }
  const level: LogLevel = ['emerg', 'alert', 'crit', 'error'].includes(lv)
    ? 'error'
    : lv === 'warn'
      ? 'warn'
      : lv === 'debug'
        ? 'debug'
        : 'info'
  return { level, message: m[2] }
}

type CallName = keyof typeof CALLBACKS
const CALL_NAMES = Object.keys(CALLBACKS) as CallName[]

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

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      body += chunk
      if (body.length > limit) reject(new Error('callback body too large'))
    })
    req.on('end', () => resolve(body))
    req.on('error', reject)
  })
}

interface Running {
  proc: ChildProcess
  exited: Promise<void>
  prefix: string
  controlSocket: string
  rtmpPort: number
}

export class NginxEngine extends EngineBase {
  readonly name = 'nginx'
  private readonly nginxPath: string | null
  private readonly modulePath: string
  private readonly idlePublisherMs: number
  private readonly startTimeoutMs: number

  private callbacks: Server | null = null
  private running: Running | null = null
  private starting = false
  // `live` is keyed by kind and clientid ("publish 42"): nginx numbers its connections.
  /** Pending "has this publisher sent media yet?" checks, by the same keys. */
  private mediaChecks = new Map<string, NodeJS.Timeout>()
  /** Our process exiting without stop(): take nginx along rather than leave it on the port. */
  private readonly onProcessExit = () => {
    if (!this.running) return
    killNginx(this.running.proc)
    fs.rmSync(this.running.prefix, { recursive: true, force: true })
  }

  /** Whether nginx and the rtmp module are installed here; the reason when not. */
  static available(opts: Pick<NginxEngineOptions, 'nginxPath' | 'modulePath'> = {}): {
    ok: boolean
    reason?: string
  } {
    const nginx = opts.nginxPath ?? findNginx()
    if (!nginx) return { ok: false, reason: 'nginx not found on PATH or in /usr/sbin' }
    if (!isExecutable(nginx)) return { ok: false, reason: `${nginx} is not an executable file` }
    const mod = opts.modulePath ?? DEFAULT_MODULE_PATH
    if (!fs.existsSync(mod)) {
      return { ok: false, reason: `${mod} not found (Debian package libnginx-mod-rtmp)` }
    }
    return { ok: true }
  }

  constructor(opts: NginxEngineOptions = {}) {
    super('NginxEngine', opts)
    this.nginxPath = opts.nginxPath ?? findNginx()
    this.modulePath = opts.modulePath ?? DEFAULT_MODULE_PATH
    const idleSec = opts.idlePublisherSec ?? 10
    if (typeof idleSec !== 'number' || !(idleSec >= 0)) {
      throw this.error(`idlePublisherSec must be a number >= 0, got ${idleSec}`)
    }
    this.idlePublisherMs = Math.round(idleSec * 1000)
    this.startTimeoutMs = opts.startTimeoutMs ?? 10000
    if (!(this.startTimeoutMs > 0)) {
      throw this.error(`startTimeoutMs must be > 0, got ${this.startTimeoutMs}`)
    }
  }

  async start(hooks: MediaHooks): Promise<void> {
    if (this.stopping) await this.stopping
    if (this.running || this.starting) throw this.error('already started')
    const avail = NginxEngine.available({
      nginxPath: this.nginxPath ?? undefined,
      modulePath: this.modulePath,
    })
    if (!avail.ok) throw this.error(`cannot start: ${avail.reason}`)
    this.starting = true
    this.hooks = hooks
    let prefix: string | null = null
    try {
      const secret = randomBytes(16).toString('hex')
      this.callbacks = createServer((req, res) => void this.onCallback(secret, req, res))
      const cbPort = await new Promise<number>((resolve, reject) => {
        this.callbacks!.once('error', reject)
        this.callbacks!.listen(0, '127.0.0.1', () =>
          resolve((this.callbacks!.address() as AddressInfo).port),
        )
      })
      prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-nginx-'))
      const picked = this.rtmpPortWanted === 0
      for (let attempt = 1; ; attempt++) {
        const rtmpPort = picked ? await freePort(this.bind) : this.rtmpPortWanted
        try {
          this.running = await this.launch(prefix, rtmpPort, `http://127.0.0.1:${cbPort}/${secret}`)
          break
        } catch (err) {
          const taken = (err as { addressInUse?: boolean }).addressInUse
          if (!taken || !picked || attempt >= PORT_ATTEMPTS) throw err
          this.log('info', `RTMP port ${rtmpPort} was taken before nginx bound it; picking again`)
        }
      }
      process.on('exit', this.onProcessExit)
      this.log('info', `nginx-rtmp engine at ${this.rtmpBase()} (prefix ${prefix})`)
    } catch (err) {
      await new Promise<void>((r) => (this.callbacks ? this.callbacks.close(() => r()) : r()))
      this.callbacks = null
      this.hooks = null
      if (prefix) fs.rmSync(prefix, { recursive: true, force: true })
      throw err
    } finally {
      this.starting = false
    }
  }

  rtmpBase(): string {
    return this.urlBase('rtmp', this.running?.rtmpPort ?? 0) // throws when not running
  }

  /** nginx-rtmp serves RTMP only (HTTP-FLV would need nginx-http-flv-module). */
  flvBase(): string | null {
    if (!this.isStarted()) throw this.error('not started')
    return null
  }

  /**
   * Kick a publisher or player through the control module: /control/drop/client walks the
   * app's live streams and finalizes the connection with that clientid. nginx then sends
   * publish_done / play_done, which report stopped as for any other end.
   */
  closeSession(sessionId: string): void {
    if (!this.running || !/^\d+$/.test(sessionId)) return
    void this.drop(this.running, sessionId, 1)
  }

  /**
   * A session we just allowed joins its stream only once nginx has read our 200, which may be
   * after this request: while the session is still ours and nothing was dropped, try again.
   */
  private async drop(running: Running, sessionId: string, attempt: number): Promise<void> {
    const q = new URLSearchParams({ app: this.app, clientid: sessionId })
    const what = `closing session ${sessionId}`
    let dropped: number
    try {
      const { status, body } = await this.control(running, `/control/drop/client?${q}`, 2000)
      if (status !== 200) return this.log('warn', `${what}: nginx answered ${status}`)
      dropped = Number(body.trim())
    } catch (err) {
      return this.log('error', `${what}: ${(err as Error).message}`)
    }
    const ours = this.live.has(`publish ${sessionId}`) || this.live.has(`play ${sessionId}`)
    if (dropped > 0 || !ours || this.running !== running) {
      return this.log('info', `${what}: ${dropped} connection(s) dropped`)
    }
    if (attempt >= DROP_ATTEMPTS) return this.log('warn', `${what}: nginx did not find it`)
    await new Promise((r) => setTimeout(r, 50))
    return this.drop(running, sessionId, attempt + 1)
  }

  protected isStarted(): boolean {
    return this.running !== null
  }

  /** Write the config, run nginx, resolve once its control server answers. */
  private async launch(prefix: string, rtmpPort: number, callbackBase: string): Promise<Running> {
    const controlSocket = path.join(prefix, 'control.sock')
    fs.rmSync(controlSocket, { force: true })
    const configPath = path.join(prefix, NGINX_FILES.config)
    const config = renderNginxConfig({
      modulePath: this.modulePath,
      prefix,
      bind: this.bind,
      rtmpPort,
      app: this.app,
      callbackBase,
      controlSocket,
      errorLevel: NGINX_LEVEL[this.level],
      idlePublisherMs: this.idlePublisherMs,
      workerUser: workerUser(),
    })
    fs.writeFileSync(configPath, config)

    const proc = spawn(this.nginxPath!, ['-p', prefix + '/', '-c', configPath], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    const tail: string[] = []
    let addressInUse = false
    let pending = ''
    proc.stderr!.setEncoding('utf8')
    proc.stderr!.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines.filter(Boolean)) {
        tail.push(line)
        if (tail.length > 20) tail.shift()
        const { level, message } = parseNginxLine(line)
        this.log(level, `nginx: ${message}`)
        // nginx would retry bind() for 2.5 s before giving up: give up now, pick another port.
        if (/bind\(\) to .*:\d+ failed \(98/.test(line) && !line.includes('unix:')) {
          addressInUse = true
          proc.kill('SIGKILL')
        }
      }
    })
    let exitCode: number | string | null = null
    const exited = new Promise<void>((resolve) => {
      proc.once('exit', (code, signal) => {
        exitCode = code ?? signal
        resolve()
      })
      proc.once('error', (err) => {
        exitCode = err.message
        resolve()
      })
    })
    let done = false
    void exited.then(() => {
      done = true
    })

    const failure = (what: string) => {
      const lines = tail.map((l) => parseNginxLine(l).message).join('; ')
      const err = this.error(
        `nginx ${what}${lines ? `: ${lines}` : ''} (config ${configPath})`,
      ) as Error & { addressInUse?: boolean }
      err.addressInUse = addressInUse
      return err
    }
    const running: Running = { proc, exited, prefix, controlSocket, rtmpPort }
    const deadline = Date.now() + this.startTimeoutMs
    for (;;) {
      if (done) throw failure(`exited (${exitCode}) at start`)
      const ok = await this.control(running, '/ready', 500).then(
        (r) => r.status === 204,
        () => false,
      )
      if (ok && !done) break
      if (Date.now() > deadline) {
        killNginx(proc)
        await exited
        throw failure(`did not answer within ${this.startTimeoutMs} ms`)
      }
      await new Promise((r) => setTimeout(r, 20))
    }
    void exited.then(() => this.onExit(running, exitCode))
    return running
  }

  /** nginx went away: unexpected unless stopping. Sessions it held are over either way. */
  private onExit(running: Running, code: number | string | null): void {
    if (this.running !== running) return
    if (!this.stopping) this.log('error', `nginx exited unexpectedly (${code}); media is down`)
    this.endAll()
  }

  private endAll(): void {
    for (const timer of this.mediaChecks.values()) clearTimeout(timer)
    this.mediaChecks.clear()
    this.reportAllStopped()
  }

  private control(
    running: Running,
    urlPath: string,
    timeoutMs: number,
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: running.controlSocket, path: urlPath }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        res.on('error', reject)
      })
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)))
      req.on('error', reject)
      req.end()
    })
  }

  private async onCallback(secret: string, req: IncomingMessage, res: ServerResponse) {
    const answer = (status: number, text: string) => {
      res.writeHead(status, { 'Content-Type': 'text/plain', Connection: 'close' })
      res.end(text)
    }
    // The secret path keeps other local processes from posting fake starts and stops.
    const m = /^\/([0-9a-f]+)\/([a-z_]+)$/.exec(req.url ?? '')
    const name = CALL_NAMES.find((c) => m && m[1] === secret && CALLBACKS[c] === m[2])
    if (!name || req.method !== 'POST') return answer(404, 'not found')
    let body: string
    try {
      body = await readBody(req, 16384)
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
    if (name === 'publish' || name === 'play') {
      const reason = this.judge(name, session, parsed.nameAndQueryLength)
      if (reason !== null) {
        this.log(
          'info',
          `refused ${name} ${session.stream} (client ${session.sessionId}, ${session.ip}): ${reason}`,
        )
        return answer(403, reason)
      }
      const key = `${name} ${session.sessionId}`
      if (this.live.has(key)) return answer(200, 'ok')
      answer(200, 'ok')
      // nginx has no "first packet" callback: started means "allowed". A publisher gets
      // NetStream.Publish.Start only after this 200 and nginx's live module ignores media of a
      // stream not yet publishing, so on_publish always precedes media; the announce therefore
      // goes out a round trip plus the encoder's start before the first frame, and a player
      // that joins at once waits up to one GOP for the next key frame (no GOP cache).
      if (name === 'publish' && this.idlePublisherMs > 0) this.checkMediaLater(session.sessionId)
      return this.reportStarted(key, name, session)
    }
    answer(200, 'ok')
    const kind: MediaKind = name === 'publish_done' ? 'publish' : 'play'
    const key = `${kind} ${session.sessionId}`
    clearTimeout(this.mediaChecks.get(key))
    this.mediaChecks.delete(key)
    // Refused sessions: nginx clears its flag and sends no done; one that hung up while we
    // were answering may still get one, and is ignored here.
    this.reportStopped(key)
  }

  /**
   * drop_idle_publisher watches a publisher only from its first media: one allowed that never
   * sends any (a phone that lost coverage right after connecting) would stay published until
   * TCP gives up, and nginx sends nothing to a publisher that could make TCP notice. After the
   * idle limit, /stat says whether it became active; if not, it is dropped.
   */
  private checkMediaLater(sessionId: string): void {
    const running = this.running!
    const key = `publish ${sessionId}`
    const timer = setTimeout(() => {
      this.mediaChecks.delete(key)
      void this.checkMedia(running, sessionId)
    }, this.idlePublisherMs)
    timer.unref()
    this.mediaChecks.set(key, timer)
  }

  private async checkMedia(running: Running, sessionId: string): Promise<void> {
    if (this.running !== running || !this.live.has(`publish ${sessionId}`)) return
    let stat: string
    try {
      stat = (await this.control(running, '/stat', 2000)).body
    } catch (err) {
      return this.log('warn', `checking publisher ${sessionId}: ${(err as Error).message}`)
    }
    const client = new RegExp(`<client><id>${sessionId}</id>(.*?)</client>`).exec(stat)
    if (client && /<publishing\/>/.test(client[1]) && /<active\/>/.test(client[1])) return
    this.log('warn', `publisher ${sessionId} sent no media in ${this.idlePublisherMs} ms: dropped`)
    this.closeSession(sessionId)
  }

  private judge(kind: MediaKind, s: MediaSession, nameAndQueryLength: number): string | null {
    if (!/^\d+$/.test(s.sessionId) || !s.stream) return 'malformed callback'
    if (s.app !== this.app) return 'unknown app'
    if (nameAndQueryLength >= NGINX_MAX_NAME_AND_QUERY) {
      // nginx-rtmp keeps 255 bytes of "name?query": at that length a token was probably cut
      // (a refusal follows). Say so, or the refusal is a mystery.
      const limit = NGINX_MAX_NAME_AND_QUERY
      this.log(
        'warn',
        `${kind} ${s.stream}: stream name and query reach nginx-rtmp's ${limit}-byte limit; anything longer was cut`,
      )
    }
    // nginx would refuse a second publisher after our 200 ("Already publishing") and still send
    // publish_done.
    return this.authorize(kind, s, () => this.publisherOf(s.stream) !== undefined)
  }

  private publisherOf(stream: string): MediaSession | undefined {
    for (const e of this.live.values()) {
      if (e.kind === 'publish' && e.session.stream === stream) return e.session
    }
    return undefined
  }

  /**
   * Drop every client, QUIT, then TERM (fast shutdown), then KILL; every session reported
   * started gets its stopped before this resolves. Dropping first matters: a graceful nginx
   * waits for its RTMP connections to end (worker_shutdown_timeout does not cut them), and
   * drops send publish_done / play_done, so the hooks hear of each end from nginx itself.
   */
  protected async shutdown(): Promise<void> {
    const running = this.running!
    const { proc, exited } = running
    let ended = proc.exitCode !== null || proc.signalCode !== null
    void exited.then(() => (ended = true))
    const app = new URLSearchParams({ app: this.app })
    // A session allowed a moment ago may not have joined its stream yet (drop cannot see it):
    // drop again while sessions remain.
    for (let round = 0; round < 3 && !ended && this.live.size > 0; round++) {
      await this.control(running, `/control/drop/client?${app}`, 1000).catch((err: Error) =>
        this.log('warn', `dropping clients before stop: ${err.message}`),
      )
      await until(() => this.live.size === 0 || ended, 100)
    }
    for (const [signal, ms] of [
      ['SIGQUIT', QUIT_TIMEOUT_MS],
      ['SIGTERM', QUIT_TIMEOUT_MS],
    ] as const) {
      if (ended) break
      proc.kill(signal)
      await until(() => ended, ms)
    }
    if (!ended) {
      this.log('warn', `nginx did not stop on QUIT nor TERM; killing it`)
      killNginx(proc)
      await exited
    }
    // publish_done / play_done sent while nginx shut down may still be in flight.
    await until(() => this.live.size === 0, 50)
    this.endAll()
    const callbacks = this.callbacks
    if (callbacks) {
      callbacks.closeAllConnections()
      await new Promise<void>((r) => callbacks.close(() => r()))
    }
    fs.rmSync(running.prefix, { recursive: true, force: true })
    process.off('exit', this.onProcessExit)
    this.callbacks = null
    this.running = null
    this.hooks = null
  }
}
