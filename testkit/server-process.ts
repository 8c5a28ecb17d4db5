// A conference server as a child process (`conference-server`). The first start
// binds port 0 everywhere and learns the ports from --ready-file; a restart asks for the same
// ports again, and tries again while one is still in use (the old process's port can be held for
// a moment, or taken by an outgoing connection) instead of failing. In-process: server.ts.
import { type ChildProcess, execSync, spawn } from 'child_process'
import { randomBytes } from 'crypto'
import { existsSync, readFileSync, rmSync } from 'fs'
import { createRequire } from 'module'
import { tmpdir } from 'os'
import { dirname, join } from 'path'
import { httpCall } from './http'
import { addressInUse, whileInUse } from './ports'
import { until } from './wait'

// Found through the workspace link, so that this file also works compiled elsewhere (npm run soak).
const SERVER = dirname(
  createRequire(__filename).resolve('miniprogram-conference-server/package.json'),
)
const ROOT = dirname(SERVER)
/** The `conference-server` command, as the package declares it (`bin`): the way users start it. */
export const CLI = join(
  SERVER,
  (require(join(SERVER, 'package.json')) as { bin: Record<string, string> }).bin[
    'conference-server'
  ],
)

/** npm test builds first; a bare `npx jest` on a fresh checkout builds here. */
export function ensureBuilt(): void {
  if (!existsSync(join(SERVER, 'dist/server/cli.js')))
    execSync('npx gulp build', { cwd: ROOT, stdio: 'ignore' })
}

export interface ServerPorts {
  port: number
  rtmpPort: number
  flvPort: number
  /** The nginx engine's play edge (0 when not given: the server picks). */
  playRtmpPort?: number
}

/** What the server writes to --ready-file (docs/server.md). */
export interface Ready {
  pid: number
  port: number
  rtmpPort: number
  /** Players' RTMP port: rtmpPort, or the nginx engine's play edge's. */
  playRtmpPort: number
  /** null with --engine nginx --nginx-players nginx (no HTTP-FLV). */
  flvPort: number | null
  httpUrl: string
  wsUrl: string
  rtmpBase: string
  playBase: string
  flvBase: string | null
}

export interface SpawnOptions {
  /** Flags other than the ports and --ready-file. */
  args: string[]
  /**
   * A shell command line instead of `node <cli> <args> <ports>` (the docs' own, ports in it):
   * run by bash in a process group of its own, --ready-file added at its end.
   */
  line?: string
  /** null: port 0 for each, the server picks. */
  ports: ServerPorts | null
  /** Its environment (jest's process.env is the test's own copy, not what children get). */
  env?: NodeJS.ProcessEnv
  /** Everything the process prints. */
  onOutput?: (text: string) => void
  timeoutMs?: number
}

/** Spawn once; resolves when the ready file is written, rejects (EADDRINUSE when so) on exit. */
function spawnOnce(opts: SpawnOptions): Promise<{ proc: ChildProcess; ready: Ready }> {
  const file = join(tmpdir(), `ck-ready-${randomBytes(6).toString('hex')}.json`)
  const p = opts.ports ?? { port: 0, rtmpPort: 0, flvPort: 0 }
  const shell = opts.line !== undefined
  const ports = ['--port', p.port, '--rtmp-port', p.rtmpPort, '--flv-port', p.flvPort]
    .concat(['--play-rtmp-port', p.playRtmpPort ?? 0])
    .map(String)
  const [command, args] = shell
    ? ['bash', ['-c', `${opts.line} --ready-file ${file}`]]
    : [process.execPath, [CLI, ...opts.args, ...ports, '--ready-file', file]]
  const proc = spawn(command, args, {
    cwd: ROOT,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: shell,
  })
  let tail = ''
  const keep = (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4096)
    opts.onOutput?.(d.toString())
  }
  proc.stdout!.on('data', keep)
  proc.stderr!.on('data', keep)
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, ready?: Ready) => {
      clearInterval(poll)
      clearTimeout(timer)
      proc.off('exit', onExit)
      rmSync(file, { force: true })
      if (err) reject(err)
      else resolve({ proc, ready: ready! })
    }
    const onExit = (code: number | null, signal: string | null) => {
      const why = `server exited (${signal ?? code}) at start:\n${tail}`
      done(/EADDRINUSE|Address already in use/.test(tail) ? addressInUse(why) : new Error(why))
    }
    proc.once('exit', onExit)
    const poll = setInterval(() => {
      let text: string
      try {
        text = readFileSync(file, 'utf8')
      } catch {
        return // not yet
      }
      done(null, JSON.parse(text) as Ready)
    }, 25)
    const ms = opts.timeoutMs ?? 15000
    const timer = setTimeout(() => {
      if (shell) process.kill(-proc.pid!, 'SIGKILL')
      else proc.kill('SIGKILL')
      done(new Error(`server not ready within ${ms} ms:\n${tail}`))
    }, ms)
  })
}

/** Start a server child: on port 0 (first start), or on `ports` again (a restart). */
export function spawnServer(opts: SpawnOptions): Promise<{ proc: ChildProcess; ready: Ready }> {
  if (!opts.ports) return spawnOnce(opts)
  return whileInUse(() => spawnOnce(opts), opts.timeoutMs ?? 15000)
}

/** Resolves once the child's /healthz answers 200; fails when it exits first. */
export async function healthy(proc: ChildProcess, httpUrl: string, timeoutMs = 10000) {
  await until(
    async () => {
      if (proc.exitCode !== null || proc.signalCode !== null)
        throw new Error(`server exited (${proc.signalCode ?? proc.exitCode}) at start`)
      return (await httpCall(`${httpUrl}/healthz`).catch(() => null))?.status === 200
    },
    timeoutMs,
    `${httpUrl}/healthz to answer 200`,
    50,
  )
}
