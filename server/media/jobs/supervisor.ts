// Runs ffmpeg child processes for server-side media jobs (recordings, mixes) with a bounded
// restart policy. Nothing here is silent: every unexpected exit is logged and reported through
// onCrash with the last stderr lines, and every job's final end through onExit.
//
// Process lifetime: children stay in the server's process group (not detached) so that a Ctrl-C
// or a service manager's SIGINT/SIGTERM to the group reaches ffmpeg too and it writes its
// trailers. A normal exit of the server kills what is left (process 'exit' hook, SIGKILL). A
// SIGKILLed server cannot run any hook: its ffmpeg children then end on their own because every
// input and RTMP output has an rw_timeout and the embedded engine's sockets die with the server.
import { type ChildProcess, spawn } from 'child_process'
import type { Writable } from 'stream'
import pino from 'pino'
import { ffmpegPaths } from '../ffmpeg'

export interface RestartPolicy {
  /** Restarts allowed within windowMs; one more crash in the window gives up. */
  maxRestarts: number
  windowMs: number
  /** First backoff; doubles with each restart in the window, capped at maxBackoffMs. */
  backoffMs: number
  maxBackoffMs: number
}

export const DEFAULT_RESTART: RestartPolicy = {
  maxRestarts: 3,
  windowMs: 60_000,
  backoffMs: 1000,
  maxBackoffMs: 8000,
}

export interface JobSpec {
  /** Unique among the supervisor's running jobs. */
  name: string
  /** ffmpeg arguments; a function is called again at every (re)start (e.g. a new file name). */
  args: string[] | (() => string[])
  restart?: Partial<RestartPolicy>
  /** Also restart after a clean exit (code 0) that nobody asked for. Default false. */
  restartOnCleanExit?: boolean
  /** How long a graceful stop may take before SIGKILL. Default 5000 ms. */
  stopTimeoutMs?: number
  /** The job's own hooks, called after the supervisor's. */
  onCrash?(job: Job, message: string): void
  onExit?(job: Job, message: string): void
  /** Every stderr line, as it comes (for owners that react to what ffmpeg says). */
  onStderr?(job: Job, line: string): void
  /** Give ffmpeg a stdin pipe (job.stdin) to feed its input, e.g. a browser's upload. */
  stdin?: boolean
}

export type JobState = 'running' | 'backoff' | 'stopping' | 'exited' | 'failed'
/** Why a job ended: stop() asked for it, ffmpeg finished by itself (code 0), or it gave up. */
export type JobEnding = 'stopped' | 'ended' | 'failed'

export interface Job {
  readonly name: string
  readonly state: JobState
  /** Set once the job has ended for good. */
  readonly ending: JobEnding | null
  /** pid of the running ffmpeg, null between runs and after the end. */
  readonly pid: number | null
  /** Restarts so far (all time). */
  readonly restarts: number
  /** Arguments of the current or last run. */
  readonly args: string[]
  /** Exit of the last run. */
  readonly lastExit: { code: number | null; signal: string | null } | null
  /** Last stderr lines of the current or last run. */
  stderrTail(): string[]
  /** ffmpeg's stdin while it runs, when the spec asked for it (spec.stdin). */
  readonly stdin: Writable | null
  /** Resolves when the job has ended for good (stopped, ended cleanly or given up). */
  readonly done: Promise<void>
}

/** pino-compatible subset. */
export interface JobLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface SupervisorOptions {
  /** Program to run; default ffmpegPaths().ffmpeg. */
  ffmpegPath?: string
  /** Every unexpected exit, whether a restart follows or not. */
  onCrash?(job: Job, message: string): void
  /** The job ended for good. */
  onExit?(job: Job, message: string): void
  logger?: JobLogger
  /** stderr lines kept per job. Default 40. */
  stderrLines?: number
}

// Every child of every supervisor, for the process 'exit' hook.
const allChildren = new Set<ChildProcess>()
let exitHookInstalled = false
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const c of allChildren) c.kill('SIGKILL')
  })
}

class JobImpl implements Job {
  state: JobState = 'running'
  ending: JobEnding | null = null
  proc: ChildProcess | null = null
  restarts = 0
  args: string[] = []
  lastExit: Job['lastExit'] = null
  tail: string[] = []
  partial = ''
  /** Start times of the restarts inside the current window. */
  restartTimes: number[] = []
  timer: NodeJS.Timeout | null = null
  done: Promise<void>
  finish!: () => void
  /** Resolves when the current process has exited. */
  procExit: Promise<void> = Promise.resolve()

  constructor(readonly spec: JobSpec) {
    this.done = new Promise((r) => (this.finish = r))
  }
  get name(): string {
    return this.spec.name
  }
  get pid(): number | null {
    return this.proc?.pid ?? null
  }
  get stdin(): Writable | null {
    return this.proc?.stdin ?? null
  }
  stderrTail(): string[] {
    return this.partial ? [...this.tail, this.partial] : [...this.tail]
  }
}

export class Supervisor {
  private readonly jobs = new Map<string, JobImpl>()
  /** Short-lived helper processes (input probes), see adopt(). */
  private readonly helpers = new Set<ChildProcess>()
  private closed = false
  private readonly ffmpeg: string
  private readonly log: JobLogger
  private readonly stderrLines: number

  constructor(private readonly opts: SupervisorOptions = {}) {
    this.ffmpeg = opts.ffmpegPath ?? ffmpegPaths().ffmpeg
    this.log = opts.logger ?? pino({ name: 'media-jobs' })
    this.stderrLines = opts.stderrLines ?? 40
    installExitHook()
  }

  /** Start a job. Throws if a job of that name is still alive, or after stopAll(). */
  start(spec: JobSpec): Job {
    if (this.closed) throw new Error(`media job "${spec.name}": the supervisor is stopped`)
    if (!spec.name) throw new Error('media job: name is required')
    const old = this.jobs.get(spec.name)
    if (old && (old.state === 'running' || old.state === 'backoff' || old.state === 'stopping')) {
      throw new Error(`media job "${spec.name}" is already running`)
    }
    const job = new JobImpl(spec)
    job.args = typeof spec.args === 'function' ? spec.args() : [...spec.args] // may throw: no job
    this.jobs.set(spec.name, job)
    this.spawn(job)
    return job
  }

  /** A job that has not ended yet. */
  get(name: string): Job | undefined {
    return this.jobs.get(name)
  }

  /** Jobs that have not ended yet. */
  list(): Job[] {
    return [...this.jobs.values()]
  }

  /** True once stopAll() was called: owners must not start anything any more. */
  get stopped(): boolean {
    return this.closed
  }

  /**
   * Track a short-lived helper process (an input probe): listed by pids(), killed by stopAll()
   * and on process exit. One adopted after stopAll() is killed at once.
   */
  adopt(proc: ChildProcess): void {
    if (proc.exitCode !== null || proc.signalCode !== null) return
    this.helpers.add(proc)
    allChildren.add(proc)
    proc.on('close', () => {
      this.helpers.delete(proc)
      allChildren.delete(proc)
    })
    if (this.closed) proc.kill('SIGKILL')
  }

  /** pids of the media processes (jobs and helpers) alive right now. */
  pids(): number[] {
    const procs = [...this.helpers, ...[...this.jobs.values()].map((j) => j.proc)]
    const out: number[] = []
    for (const p of procs) {
      if (p && p.pid !== undefined && p.exitCode === null && p.signalCode === null) out.push(p.pid)
    }
    return out
  }

  /**
   * Graceful stop: SIGINT makes ffmpeg leave its loop and write the trailer (mp4 index, flv
   * duration) even while it is blocked opening an input; SIGKILL after stopTimeoutMs.
   */
  async stop(jobOrName: Job | string): Promise<void> {
    // A Job object means that very run, even if a newer job now has its name.
    const job = typeof jobOrName === 'string' ? this.jobs.get(jobOrName) : jobOrName
    if (!(job instanceof JobImpl)) return
    if (job.state === 'exited' || job.state === 'failed') return
    if (job.state === 'stopping') return job.done
    if (job.timer) clearTimeout(job.timer)
    job.timer = null
    if (job.state === 'backoff' || !job.proc) {
      this.end(job, 'stopped', 'stopped')
      return job.done
    }
    job.state = 'stopping'
    const proc = job.proc
    proc.kill('SIGINT')
    const killer = setTimeout(() => {
      this.log.warn({ job: job.name, childPid: proc.pid }, 'media job ignored SIGINT: SIGKILL')
      proc.kill('SIGKILL')
    }, job.spec.stopTimeoutMs ?? 5000)
    await job.procExit
    clearTimeout(killer)
    return job.done
  }

  /** Shutdown: stop every job, kill helpers, refuse new jobs; resolves when no child remains. */
  async stopAll(): Promise<void> {
    this.closed = true
    const helpers = [...this.helpers].map((p) => {
      p.kill('SIGKILL') // probes write nothing: no need to be gentle
      return new Promise((r) =>
        p.exitCode !== null || p.signalCode !== null ? r(null) : p.on('close', r),
      )
    })
    await Promise.all([...[...this.jobs.values()].map((j) => this.stop(j)), ...helpers])
  }

  /** Runs job.args (a restart computes them anew first: restartNow). */
  private spawn(job: JobImpl): void {
    const { spec } = job
    job.tail = []
    job.partial = ''
    job.state = 'running'
    // stdin is /dev/null unless the owner feeds it: ffmpeg must not read the server's terminal;
    // stop() uses SIGINT, not 'q'.
    const proc = spawn(this.ffmpeg, job.args, {
      stdio: [spec.stdin ? 'pipe' : 'ignore', 'ignore', 'pipe'],
    })
    // A write after ffmpeg exited is EPIPE: the exit itself is what the owner hears about.
    proc.stdin?.on('error', () => {})
    job.proc = proc
    allChildren.add(proc)
    proc.stderr?.on('data', (d: Buffer) => this.collect(job, d.toString()))
    let spawnError: Error | null = null
    proc.on('error', (err) => (spawnError = err))
    job.procExit = new Promise((resolve) => {
      proc.on('close', (code, signal) => {
        allChildren.delete(proc)
        job.proc = null
        job.lastExit = { code, signal }
        resolve()
        this.exited(job, code, signal, spawnError)
      })
    })
    this.log.info({ job: spec.name, childPid: proc.pid }, 'media job started')
  }

  private collect(job: JobImpl, text: string): void {
    const parts = (job.partial + text).split(/\r\n|\r|\n/)
    job.partial = parts.pop() ?? ''
    for (const line of parts) {
      if (!line.trim()) continue
      job.tail.push(line)
      try {
        job.spec.onStderr?.(job, line)
      } catch (e) {
        this.log.error({ job: job.name, err: e }, 'media job onStderr callback threw')
      }
    }
    if (job.tail.length > this.stderrLines) job.tail.splice(0, job.tail.length - this.stderrLines)
  }

  private exited(job: JobImpl, code: number | null, signal: string | null, err: Error | null) {
    const name = job.name
    if (job.state === 'stopping') {
      this.end(job, 'stopped', 'stopped')
      return
    }
    const clean = code === 0 && !err
    if (clean && !job.spec.restartOnCleanExit) {
      this.end(job, 'ended', 'ended (exit code 0)')
      return
    }
    const policy = { ...DEFAULT_RESTART, ...job.spec.restart }
    const now = Date.now()
    job.restartTimes = job.restartTimes.filter((t) => now - t < policy.windowMs)
    const how = err ? `failed to run (${err.message})` : `exited with ${signal ?? `code ${code}`}`
    const last = job.stderrTail().slice(-3).join(' | ')
    const n = job.restartTimes.length
    if (n >= policy.maxRestarts) {
      const message = `media job "${name}" ${how}; gave up after ${n} restarts in ${policy.windowMs} ms: ${last}`
      this.log.error({ job: name, code, signal, stderr: job.stderrTail() }, message)
      this.emit('onCrash', job, message)
      this.end(job, 'failed', message)
      return
    }
    const delay = Math.min(policy.backoffMs * 2 ** n, policy.maxBackoffMs)
    const message = `media job "${name}" ${how}; restart ${n + 1}/${policy.maxRestarts} in ${delay} ms: ${last}`
    this.log[clean ? 'warn' : 'error'](
      { job: name, code, signal, stderr: job.stderrTail() },
      message,
    )
    job.state = 'backoff'
    job.restartTimes.push(now)
    job.timer = setTimeout(() => this.restartNow(job), delay)
    this.emit('onCrash', job, message)
  }

  private restartNow(job: JobImpl): void {
    job.timer = null
    if (job.state !== 'backoff') return
    job.restarts++
    try {
      if (typeof job.spec.args === 'function') job.args = job.spec.args()
    } catch (e) {
      const message = `media job "${job.name}" cannot restart: ${(e as Error).message}`
      this.log.error({ job: job.name }, message)
      this.emit('onCrash', job, message)
      this.end(job, 'failed', message)
      return
    }
    this.spawn(job)
  }

  private end(job: JobImpl, ending: JobEnding, message: string): void {
    if (job.ending) return // an onCrash callback may have stopped it already
    job.state = ending === 'failed' ? 'failed' : 'exited'
    job.ending = ending
    // Ended jobs are not kept: names are per conference and stream, the map would only grow.
    if (this.jobs.get(job.name) === job) this.jobs.delete(job.name)
    this.log.info({ job: job.name, ending, reason: message }, 'media job ended')
    this.emit('onExit', job, message)
    job.finish()
  }

  /** Callbacks belong to other layers: one that throws must not break supervision. */
  private emit(hook: 'onCrash' | 'onExit', job: Job, message: string): void {
    for (const fn of [this.opts[hook], job instanceof JobImpl ? job.spec[hook] : undefined]) {
      if (!fn) continue
      try {
        fn(job, message)
      } catch (e) {
        this.log.error({ job: job.name, err: e }, `media job ${hook} callback threw`)
      }
    }
  }
}
