// Record one live input to a file, remuxed without re-encoding (-c copy: ~no CPU).
//
// Container: fragmented MP4, playable even when ffmpeg is killed (why: container.ts).
import fs from 'fs'
import path from 'path'
import { fragmentedMp4Args } from './container'
import { liveInputArgs } from './inputs'
import { type Job, type RestartPolicy, type Supervisor } from './supervisor'

export interface RecorderOptions {
  /** Root directory of recordings. */
  dir: string
  confrId: string
  streamId: string
  /** Play URL of the stream on the engine. */
  input: string
  /** Silence after which the input counts as ended and the file is closed. Default 5000. */
  inputTimeoutMs?: number
  restart?: Partial<RestartPolicy>
  /** The job's own hooks (the supervisor's are called as well). */
  onCrash?(job: Job, message: string): void
  onExit?(job: Job, message: string): void
}

/** A conference or stream id that may be a path segment. */
export const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/

/** Ids become path segments: anything that could leave the directory is refused. */
export function checkId(what: string, id: string): string {
  if (typeof id !== 'string' || !SAFE_ID.test(id)) {
    throw new Error(`recording: ${what} must match ${SAFE_ID.source}, got ${JSON.stringify(id)}`)
  }
  return id
}

/** 2024-05-01T12:03:04.005Z → 20240501T120304005Z: sortable, no characters a filesystem minds. */
export function fileTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, '')
}

/** `<dir>/<confrId>/<name>-<timestamp>.<ext>` */
export function recordingPath(
  dir: string,
  confrId: string,
  name: string,
  date = new Date(),
  ext = 'mp4',
): string {
  return path.join(
    dir,
    checkId('confrId', confrId),
    `${checkId('name', name)}-${fileTimestamp(date)}.${ext}`,
  )
}

export class Recorder {
  readonly name: string
  /**
   * Every file written: a restart after a crash, or the publisher starting over, begins a new
   * one; the old one stays playable.
   */
  readonly files: string[] = []
  private job: Job | null = null
  private stopped = false
  private splitting: Promise<void> | null = null
  /** Times of recent "Non-monotonous DTS" warnings, see restarted(). */
  private backwards: number[] = []

  constructor(
    private readonly supervisor: Supervisor,
    private readonly opts: RecorderOptions,
  ) {
    checkId('confrId', opts.confrId)
    checkId('streamId', opts.streamId)
    if (!opts.dir) throw new Error('recording: dir is required')
    liveInputArgs(opts.input, opts.inputTimeoutMs) // throws on a missing URL or a bad timeout
    this.name = `rec:${opts.confrId}:${opts.streamId}`
  }

  /** Starts recording; the file appears once the input delivers media. */
  start(): Job {
    if (this.job && (this.job.state === 'running' || this.job.state === 'backoff')) return this.job
    this.stopped = false
    const { dir, confrId, streamId, input, inputTimeoutMs } = this.opts
    fs.mkdirSync(path.join(dir, confrId), { recursive: true })
    this.job = this.supervisor.start({
      name: this.name,
      restart: this.opts.restart,
      onCrash: this.opts.onCrash,
      onExit: this.opts.onExit,
      onStderr: (job, line) => this.restarted(job, line),
      args: () => {
        const file = recordingPath(dir, confrId, streamId)
        this.files.push(file)
        const args = [
          '-hide_banner',
          '-loglevel',
          'warning',
          ...liveInputArgs(input, inputTimeoutMs),
        ]
        // Both tracks when present; an audio-only or video-only stream records what it has.
        args.push('-map', '0:v?', '-map', '0:a?', '-c', 'copy')
        return [...args, ...fragmentedMp4Args(), '-y', file]
      },
    })
    return this.job
  }

  /** Closes the file properly (trailer written) and returns the files of this recording. */
  async stop(): Promise<string[]> {
    this.stopped = true
    await this.splitting
    if (this.job) await this.supervisor.stop(this.job)
    return this.files.filter((f) => fs.existsSync(f))
  }

  /**
   * The publisher started over (a phone reconnecting within inputTimeoutMs): the engine keeps
   * this player attached but the stream's timestamps restart at 0, and -c copy would write the
   * rest as a pile of clamped timestamps. A flood of "Non-monotonous DTS" (not the odd one a
   * jittery phone causes) closes this file and goes on in a new one.
   */
  private restarted(job: Job, line: string): void {
    if (!line.includes('Non-monotonous DTS') || job !== this.job) return
    const now = Date.now()
    this.backwards = [...this.backwards.filter((t) => now - t < 2000), now]
    if (this.backwards.length < 5 || this.splitting || this.stopped) return
    this.backwards = []
    this.splitting = (async () => {
      await this.supervisor.stop(job)
      if (!this.stopped && !this.supervisor.stopped) this.start()
    })()
      .catch((e: Error) => {
        // e.g. the directory vanished: report it like a crash, never swallow it
        this.opts.onCrash?.(job, `${this.name} could not go on in a new file: ${e.message}`)
      })
      .finally(() => (this.splitting = null))
  }
}
