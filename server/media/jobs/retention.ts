// Recordings retention: files older than --recordings-max-age-days go, and past
// --recordings-max-mb the oldest go first until the rest fits. A running conference's files never
// go (nor a file written within the last minute), whatever their age: the recording in progress,
// and the earlier files of that same call. From 90 % of the cap the log warns (once per crossing)
// and /metrics says so (ck_recordings_near_cap), before anything has to be deleted.
import { promises as fsp } from 'fs'
import path from 'path'
import { type Logger } from '../../log'
import { SAFE_ID } from './recorder'

/** One file of `<dir>/<confrId>/`: recordings, merge segments, concat lists. */
export interface StoredFile {
  confrId: string
  path: string
  bytes: number
  mtimeMs: number
}

const DAY_MS = 86400_000
export const MIB = 1024 * 1024
/** From this share of the cap on, the log warns and ck_recordings_near_cap is 1. */
export const NEAR_CAP = 0.9
/** A file written this recently is never deleted (one of a call the sweep does not know yet). */
const FRESH_MS = 60_000
const SWEEP_MS = 60_000

/** Every regular file of the recordings tree, oldest first (symbolic links are not followed). */
export async function scanRecordings(root: string): Promise<StoredFile[]> {
  const dirs = await fsp
    .readdir(root, { withFileTypes: true })
    .catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return []
      throw e
    })
  const files: StoredFile[] = []
  for (const d of dirs) {
    if (!d.isDirectory() || !SAFE_ID.test(d.name)) continue
    const dir = path.join(root, d.name)
    for (const f of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (!f.isFile()) continue
      const st = await fsp.lstat(path.join(dir, f.name)).catch(() => null)
      if (st?.isFile())
        files.push({
          confrId: d.name,
          path: path.join(dir, f.name),
          bytes: st.size,
          mtimeMs: st.mtimeMs,
        })
    }
  }
  return files.sort((a, b) => a.mtimeMs - b.mtimeMs)
}

export interface RetentionOptions {
  dir: string
  /** 0: no age limit. */
  maxAgeDays: number
  /** 0: no cap. */
  maxMb: number
  /** Conferences whose files must stay (running here, or in the cluster); throws when unknown. */
  running(): Promise<ReadonlySet<string>>
  log: Logger
  now?: () => number
}

export interface SweepResult {
  bytes: number
  files: number
  deleted: Array<{ path: string; bytes: number; reason: 'age' | 'cap' }>
  /** Over the cap with nothing left that may go. */
  overCap: boolean
}

export class Retention {
  /** As of the last sweep. */
  bytes = 0
  files = 0
  nearCap = false
  readonly deletedFiles = { age: 0, cap: 0 }
  private timer: NodeJS.Timeout | null = null
  private sweeping: Promise<SweepResult> | null = null

  constructor(private readonly opts: RetentionOptions) {}

  get capBytes(): number {
    return this.opts.maxMb * MIB
  }

  /** Sweeps now and every minute after. */
  start(): void {
    const tick = () => {
      void this.sweep()
        .catch((err: Error) => this.opts.log.error({ err }, 'recordings retention sweep'))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, SWEEP_MS).unref()
        })
    }
    this.timer = setTimeout(tick, 0).unref()
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.sweeping?.catch(() => undefined)
  }

  /** One pass (one at a time: a call during a pass gets that pass). */
  sweep(): Promise<SweepResult> {
    this.sweeping ??= this.pass().finally(() => (this.sweeping = null))
    return this.sweeping
  }

  private async pass(): Promise<SweepResult> {
    const { opts } = this
    const now = (opts.now ?? Date.now)()
    const files = await scanRecordings(opts.dir)
    let running: ReadonlySet<string> | null = null
    try {
      running = await opts.running()
    } catch (err) {
      // Which calls are running is unknown (the cluster's store is down): delete nothing.
      opts.log.warn({ err }, 'recordings retention: running conferences unknown, nothing deleted')
    }
    const kept = (f: StoredFile) => !running || running.has(f.confrId) || now - f.mtimeMs < FRESH_MS
    const deleted: SweepResult['deleted'] = []
    const remove = async (f: StoredFile, reason: 'age' | 'cap') => {
      try {
        await fsp.unlink(f.path)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
      }
      deleted.push({ path: f.path, bytes: f.bytes, reason })
      this.deletedFiles[reason]++
      opts.log.info({ file: f.path, bytes: f.bytes, reason }, 'recording deleted')
    }
    let left = files
    if (opts.maxAgeDays > 0) {
      const oldest = now - opts.maxAgeDays * DAY_MS
      const old = left.filter((f) => f.mtimeMs < oldest && !kept(f))
      for (const f of old) await remove(f, 'age')
      left = left.filter((f) => !old.includes(f))
    }
    let bytes = left.reduce((sum, f) => sum + f.bytes, 0)
    let overCap = false
    if (this.capBytes > 0 && bytes > this.capBytes) {
      const gone = new Set<StoredFile>()
      for (const f of left) {
        if (bytes <= this.capBytes) break
        if (kept(f)) continue
        await remove(f, 'cap')
        gone.add(f)
        bytes -= f.bytes
      }
      left = left.filter((f) => !gone.has(f))
      overCap = bytes > this.capBytes
      if (overCap)
        opts.log.warn(
          { bytes, capBytes: this.capBytes },
          'recordings over --recordings-max-mb, and what is left belongs to running conferences',
        )
    }
    await this.removeEmptyDirs(deleted, running)
    this.bytes = bytes
    this.files = left.length
    this.noteNearCap()
    return { bytes, files: left.length, deleted, overCap }
  }

  /** Directories of ended conferences that the sweep emptied. */
  private async removeEmptyDirs(
    deleted: SweepResult['deleted'],
    running: ReadonlySet<string> | null,
  ) {
    const dirs = new Set(deleted.map((d) => path.dirname(d.path)))
    for (const dir of dirs) {
      if (!running || running.has(path.basename(dir))) continue
      // rmdir refuses a directory that is not empty: a file written meanwhile keeps it.
      await fsp.rmdir(dir).catch(() => undefined)
    }
  }

  private noteNearCap() {
    const near = this.capBytes > 0 && this.bytes >= NEAR_CAP * this.capBytes
    if (near && !this.nearCap) {
      const used = `${(this.bytes / MIB).toFixed(1)} of ${this.opts.maxMb} MiB`
      this.opts.log.warn(
        { bytes: this.bytes, capBytes: this.capBytes, dir: this.opts.dir },
        `recordings at ${Math.floor((100 * this.bytes) / this.capBytes)} % of --recordings-max-mb (${used}): the oldest are deleted from the cap on`,
      )
    } else if (!near && this.nearCap) {
      this.opts.log.info(
        { bytes: this.bytes, capBytes: this.capBytes },
        'recordings below 90 % of the cap again',
      )
    }
    this.nearCap = near
  }
}
