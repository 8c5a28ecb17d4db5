// nginx as our child process: finding it, launching it with a generated config in a private
// temp prefix (never the system's /etc/nginx or port 80), waiting until its control socket
// answers, and ending it with its workers.
import { type ChildProcess, spawn } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import { type EngineLog, type EngineLogLevel, until } from './engine-base'
import { NGINX_FILES, type NginxConfigInput, renderNginxConfig } from './nginx-config'
import { controlRequest } from './nginx-control'
import { NGINX_LEVEL, parseNginxLine } from './nginx-log'
import { onFreePort } from '../ports'
import { tiedToUs } from '../tied'

/** How long stop() gives nginx after QUIT, and again after TERM. */
const QUIT_TIMEOUT_MS = 1000
const PORT_ATTEMPTS = 5

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

/** `nginx` on PATH, else Debian's /usr/sbin/nginx (not on a non-root user's PATH). */
export function findNginx(): string | null {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)
  for (const dir of [...dirs, '/usr/sbin']) {
    const file = path.join(dir, 'nginx')
    if (isExecutable(file)) return file
  }
  return null
}

/** Whether nginx and the rtmp module are installed here; the reason when not. */
export function nginxAvailable(
  nginxPath: string | null,
  modulePath: string,
): { ok: boolean; reason?: string } {
  if (!nginxPath) return { ok: false, reason: 'nginx not found on PATH or in /usr/sbin' }
  if (!isExecutable(nginxPath)) {
    return { ok: false, reason: `${nginxPath} is not an executable file` }
  }
  if (!fs.existsSync(modulePath)) {
    return { ok: false, reason: `${modulePath} not found (Debian package libnginx-mod-rtmp)` }
  }
  return { ok: true }
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
export function killNginx(proc: ChildProcess): void {
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

export interface RunningNginx {
  proc: ChildProcess
  /** Resolves with the exit code, signal or spawn error once the master is gone. */
  exited: Promise<number | string | null>
  /** Set once `exited` has resolved. */
  ended: boolean
  prefix: string
  controlSocket: string
  rtmpPort: number
}

export interface NginxStartOptions {
  nginxPath: string
  /** RTMP port; 0 picks one (server/ports.ts), and another while nginx finds it taken. */
  rtmpPort: number
  logLevel: EngineLogLevel
  startTimeoutMs: number
  /** What the config takes from the engine; the rest is the prefix's and this host's. */
  config: Omit<
    NginxConfigInput,
    'prefix' | 'rtmpPort' | 'controlSocket' | 'errorLevel' | 'workerUser'
  >
  /** nginx's error-log lines (at their level) and our notes on starting it. */
  log: EngineLog
  /** The engine's labelled error. */
  error: (message: string) => Error
}

/** Make a prefix, run nginx in it; on failure nothing is left running nor on disk. */
export async function startNginx(opts: NginxStartOptions): Promise<RunningNginx> {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-nginx-'))
  try {
    if (opts.rtmpPort !== 0) return await launch(opts, prefix, opts.rtmpPort)
    return await onFreePort((port) => launch(opts, prefix, port), {
      attempts: PORT_ATTEMPTS,
      onTaken: (port) => opts.log('info', `RTMP port ${port} is taken; picking another`),
    })
  } catch (err) {
    fs.rmSync(prefix, { recursive: true, force: true })
    throw err
  }
}

/** Write the config, run nginx, resolve once its control server answers. */
async function launch(opts: NginxStartOptions, prefix: string, rtmpPort: number) {
  const controlSocket = path.join(prefix, 'control.sock')
  fs.rmSync(controlSocket, { force: true })
  const configPath = path.join(prefix, NGINX_FILES.config)
  const config = renderNginxConfig({
    ...opts.config,
    prefix,
    rtmpPort,
    controlSocket,
    errorLevel: NGINX_LEVEL[opts.logLevel],
    workerUser: workerUser(),
  })
  fs.writeFileSync(configPath, config)

  const [command, args] = tiedToUs(opts.nginxPath, ['-p', prefix + '/', '-c', configPath])
  const proc = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] })
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
      opts.log(level, `nginx: ${message}`)
      // nginx would retry bind() for 2.5 s before giving up: give up now (another port, or the
      // caller's error).
      if (/bind\(\) to .*:\d+ failed \(98/.test(line) && !line.includes('unix:')) {
        addressInUse = true
        proc.kill('SIGKILL')
      }
    }
  })
  const exited = new Promise<number | string | null>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? signal))
    proc.once('error', (err) => resolve(err.message))
  })
  const running: RunningNginx = { proc, exited, ended: false, prefix, controlSocket, rtmpPort }
  let exitCode: number | string | null = null
  void exited.then((code) => {
    exitCode = code
    running.ended = true
  })

  const failure = (what: string) => {
    const lines = tail.map((l) => parseNginxLine(l).message).join('; ')
    const err = opts.error(`nginx ${what}${lines ? `: ${lines}` : ''} (config ${configPath})`)
    // What onFreePort retries on (the nginx error of a taken port).
    return addressInUse ? Object.assign(err, { code: 'EADDRINUSE' }) : err
  }
  const deadline = Date.now() + opts.startTimeoutMs
  for (;;) {
    if (running.ended) throw failure(`exited (${exitCode}) at start`)
    const ok = await controlRequest(controlSocket, '/ready', 500).then(
      (r) => r.status === 204,
      () => false,
    )
    if (ok && !running.ended) return running
    if (Date.now() > deadline) {
      killNginx(proc)
      await exited
      throw failure(`did not answer within ${opts.startTimeoutMs} ms`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** QUIT (graceful), then TERM (fast shutdown), then KILL with the workers. */
export async function stopNginx(running: RunningNginx, log: EngineLog): Promise<void> {
  for (const [signal, ms] of [
    ['SIGQUIT', QUIT_TIMEOUT_MS],
    ['SIGTERM', QUIT_TIMEOUT_MS],
  ] as const) {
    if (running.ended) break
    running.proc.kill(signal)
    await until(() => running.ended, ms)
  }
  if (!running.ended) {
    log('warn', `nginx did not stop on QUIT nor TERM; killing it`)
    killNginx(running.proc)
    await running.exited
  }
}
