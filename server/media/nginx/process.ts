// nginx as our child process: finding it, launching it with a generated config in a private
// temp prefix (never the system's /etc/nginx or port 80), waiting until its control socket
// answers, and ending it with its workers.
import { type ChildProcess, execFileSync, spawn } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import { type EngineLog, type EngineLogLevel, until } from '../engine-base'
import { NGINX_FILES, type OriginConfigInput, renderOriginConfig } from './config'
import { controlRequest } from './control'
import { NGINX_LEVEL, parseNginxLine } from './log'
import { onFreePort } from '../../ports'
import { tiedToUs } from '../../tied'

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
  for (const child of childrenOf(pid)) {
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
  /** Names this nginx for the next server on the same RTMP port (see reapLeftover). */
  pidFile: string
}

export interface NginxStartOptions {
  nginxPath: string
  /** RTMP port; 0 picks one (server/ports.ts), and another while nginx finds it taken. */
  rtmpPort: number
  logLevel: EngineLogLevel
  startTimeoutMs: number
  /** What the config takes from the engine; the rest is the prefix's and this host's. */
  config: Omit<
    OriginConfigInput,
    'prefix' | 'rtmpPort' | 'controlSocket' | 'errorLevel' | 'workerUser'
  >
  /** nginx's error-log lines (at their level) and our notes on starting it. */
  log: EngineLog
  /** The engine's labelled error. */
  error: (message: string) => Error
}

/**
 * Where the nginx we run on an RTMP port is written down, per user: stable across our restarts
 * (unlike the random prefix), so that the next server on that port finds an nginx left running
 * by a predecessor that died without stopping it.
 */
export function nginxPidFile(rtmpPort: number): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'x'
  return path.join(os.tmpdir(), `ck-nginx-u${uid}-rtmp-${rtmpPort}.json`)
}

/** The command line of a running process, '' when it is gone (or not ours to see). */
function commandLineOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')
  } catch {
    // No /proc (macOS): ask ps; it fails for a pid that is gone.
  }
  try {
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' })
  } catch {
    return ''
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' // alive, someone else's
  }
}

function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
  } catch {
    return [] // Not Linux, or already gone: the master alone.
  }
}

/**
 * An nginx of ours left on this RTMP port by a server that was killed where no pdeathsig took
 * it along (not Linux, no setpriv, CK_NGINX_NO_PDEATHSIG): stop it and remove its prefix. It is
 * ours only if its command line still names the prefix we wrote down (a reused pid is not).
 */
export async function reapLeftover(rtmpPort: number, log: EngineLog): Promise<void> {
  const file = nginxPidFile(rtmpPort)
  let left: { pid?: unknown; prefix?: unknown; owner?: unknown }
  try {
    left = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof left
  } catch {
    return // None written, or unreadable: nothing we can prove is ours.
  }
  const { pid, prefix, owner } = left
  if (typeof pid !== 'number' || typeof prefix !== 'string') return
  // Its server still runs (two servers given one port): its nginx is not left over.
  if (typeof owner === 'number' && owner !== process.pid && isAlive(owner)) return
  const isOurs = () => {
    const cmd = commandLineOf(pid)
    return cmd.includes('nginx') && cmd.includes(`-p ${prefix}/`)
  }
  if (isOurs()) {
    log('warn', `stopping nginx ${pid} left on RTMP port ${rtmpPort} by an earlier server`)
    try {
      process.kill(pid, 'SIGTERM') // fast shutdown, workers included
    } catch {
      // Gone meanwhile, or not ours to signal: the port check after this tells.
    }
    await until(() => !isOurs(), 2000)
    if (isOurs()) {
      for (const p of [...childrenOf(pid), pid]) {
        try {
          process.kill(p, 'SIGKILL')
        } catch {
          // Already gone.
        }
      }
      await until(() => !isOurs(), 1000)
    }
  }
  // Only our own kind of directory, whatever the file says.
  if (path.basename(prefix).startsWith('ck-nginx-') && !isOurs()) {
    fs.rmSync(prefix, { recursive: true, force: true })
  }
  fs.rmSync(file, { force: true })
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
  const config = renderOriginConfig({
    ...opts.config,
    prefix,
    rtmpPort,
    controlSocket,
    errorLevel: NGINX_LEVEL[opts.logLevel],
    workerUser: workerUser(),
  })
  fs.writeFileSync(configPath, config)
  await reapLeftover(rtmpPort, opts.log)

  const nginxArgs = ['-p', prefix + '/', '-c', configPath]
  // CK_NGINX_NO_PDEATHSIG=1 is for tests: it leaves nginx untied, as on an OS without pdeathsig.
  const [command, args] =
    process.env.CK_NGINX_NO_PDEATHSIG === '1'
      ? [opts.nginxPath, nginxArgs]
      : tiedToUs(opts.nginxPath, nginxArgs)
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
  const pidFile = nginxPidFile(rtmpPort)
  const running: RunningNginx = {
    proc,
    exited,
    ended: false,
    prefix,
    controlSocket,
    rtmpPort,
    pidFile,
  }
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
    if (ok && !running.ended) {
      writePidFile(running)
      return running
    }
    if (Date.now() > deadline) {
      killNginx(proc)
      await exited
      throw failure(`did not answer within ${opts.startTimeoutMs} ms`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}

function writePidFile(running: RunningNginx): void {
  try {
    const record =
      JSON.stringify({
        pid: running.proc.pid,
        prefix: running.prefix,
        owner: process.pid,
      }) + '\n'
    fs.writeFileSync(`${running.pidFile}.tmp`, record)
    fs.renameSync(`${running.pidFile}.tmp`, running.pidFile)
  } catch {
    // Unwritable temp dir: only the clean-up after a hard kill is lost.
  }
}

/** Forget the pid file of an nginx that is stopped (or being killed with us). */
export function forgetPidFile(running: RunningNginx): void {
  fs.rmSync(running.pidFile, { force: true })
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
  forgetPidFile(running)
}
