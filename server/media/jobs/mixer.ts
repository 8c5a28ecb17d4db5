// A mix of the talkers' streams: live (pushed back onto the RTMP engine) or recorded (recMerge).
//
// Layout changes restart ffmpeg with the new input list: ffmpeg cannot add an input to a
// running graph. The old process is stopped first (SIGINT: trailer written), then the new one
// starts — the engine allows one publisher per stream name, so they cannot overlap. What a
// viewer of the live mix sees during the switch: the last picture frozen and no sound for the
// gap (stop + opening the inputs one after another: ~1 s for 3–4 talkers, ~3 s for 9, ~4 s for
// 16 on a 2-core machine), then the new grid. The embedded engine keeps its players attached
// across the gap (the stream's timestamps start over, players cope); an engine that ends the
// stream instead (nginx-rtmp) makes players reconnect, which live-player does by itself.
//
// Inputs that are not live: each input is probed before it enters the layout (in parallel,
// while the old mix still runs, so the probe adds nothing to the gap). One that is not live
// stays out and is probed again every retryMs; once live, the layout is rebuilt with it. An
// input that dies while mixed stalls the picture for inputTimeoutMs (rw_timeout), then its
// tile freezes on its last frame and the mix goes on; the server removes it with setInputs
// when the talker's stream stops (and adds it back when it is published again: a re-published
// stream starts its timestamps over, which a running mix would show as a frozen tile). If
// ffmpeg fails on opening an input, that input is dropped the same way. Everything else is the
// supervisor's restart policy.
import { setMaxListeners } from 'events'
import fs from 'fs'
import path from 'path'
import { gridLayout, MAX_MIX_INPUTS } from './layout'
import { DEFAULT_INPUT_TIMEOUT_MS, type InputInfo, liveInputArgs, probeInput } from './inputs'
import {
  DEFAULT_ENCODING,
  type MinusOutput,
  type MixEncoding,
  type MixInput,
  type MixTarget,
  mixArgs,
} from './mix-args'
import { concatFiles } from './concat'
import { type Job, type RestartPolicy, type Supervisor } from './supervisor'

export interface MixerOptions {
  /** Job name, unique in the supervisor, e.g. `mix:<confrId>`. */
  name: string
  /** { rtmp: push URL } for the live mix, { file: path.mp4 } for the merged recording. */
  target: MixTarget
  encoding?: Partial<MixEncoding>
  inputTimeoutMs?: number
  /** How often inputs that were not live are probed again. Default 3000 ms. */
  retryMs?: number
  restart?: Partial<RestartPolicy>
}

export class Mixer {
  private wanted: string[] = []
  private wantedMinus: MinusOutput[] = []
  /** Probe results: null = not live. Forgotten when an input leaves the list. */
  private readonly info = new Map<string, InputInfo | null>()
  private current: MixInput[] = []
  private currentMinus: MinusOutput[] = []
  private job: Job | null = null
  private chain: Promise<void> = Promise.resolve()
  private retryTimer: NodeJS.Timeout | null = null
  private probes = new AbortController()
  private stopped = false
  private segment = 0
  private readonly encoding: MixEncoding
  /** File target: one segment per ffmpeg run, joined by stop(). */
  readonly segments: string[] = []

  constructor(
    private readonly supervisor: Supervisor,
    private readonly opts: MixerOptions,
  ) {
    if (!opts.name) throw new Error('mixer: name is required')
    const t = opts.target as { rtmp?: unknown; file?: unknown }
    if (typeof t?.rtmp !== 'string' && typeof t?.file !== 'string') {
      throw new Error('mixer: target must be { rtmp: url } or { file: path }')
    }
    if (typeof t.file === 'string' && !t.file.endsWith('.mp4')) {
      throw new Error(`mixer: file target must end in .mp4, got ${t.file}`)
    }
    this.encoding = { ...DEFAULT_ENCODING, ...opts.encoding }
    const { fps, width, height } = this.encoding
    if (!Number.isInteger(fps) || fps < 1 || fps > 60) {
      throw new Error(`mixer: fps must be an integer 1..60, got ${fps}`)
    }
    gridLayout(MAX_MIX_INPUTS, width, height) // throws on a size that cannot hold the grid
    liveInputArgs('check', opts.inputTimeoutMs) // throws on a bad timeout
    // One abort listener per concurrent probe: up to 16 inputs.
    setMaxListeners(MAX_MIX_INPUTS + 4, this.probes.signal)
  }

  /** The inputs asked for, in order. */
  get inputs(): string[] {
    return [...this.wanted]
  }

  /** The inputs in the running layout (the live ones among `inputs`). */
  get live(): string[] {
    return this.current.map((i) => i.url)
  }

  get running(): Job | null {
    return this.job
  }

  /** The mix-minus outputs asked for with the inputs. */
  get minus(): MinusOutput[] {
    return this.wantedMinus.map((m) => ({ ...m, without: [...m.without] }))
  }

  /**
   * Set the talkers, in layout order (1..16; [] stops the mix until inputs come back), and the
   * mix-minus outputs (live target only): each the same picture with a voice mix that leaves
   * some of these inputs out. Resolves once the new ffmpeg is started (or nothing had to
   * change); an input that is not live delays that by its probe (up to inputTimeoutMs).
   * Rejects on bad input.
   */
  async setInputs(urls: string[], minus: MinusOutput[] = []): Promise<void> {
    if (this.halted) throw new Error(`mixer ${this.opts.name} is stopped`)
    if (!Array.isArray(urls) || urls.some((u) => typeof u !== 'string' || !u)) {
      throw new Error('mixer: inputs must be an array of URLs')
    }
    if (urls.length > MAX_MIX_INPUTS) {
      throw new Error(`mixer: at most ${MAX_MIX_INPUTS} inputs, got ${urls.length}`)
    }
    if (new Set(urls).size !== urls.length) throw new Error('mixer: duplicate input URL')
    checkMinus(minus, urls, 'rtmp' in this.opts.target)
    this.wanted = [...urls]
    this.wantedMinus = minus.map((m) => ({ rtmp: m.rtmp, without: [...m.without] }))
    for (const url of [...this.info.keys()]) if (!urls.includes(url)) this.info.delete(url)
    return this.enqueue()
  }

  /** Stops the mix. File target: joins the segments into the target file and returns its path. */
  async stop(): Promise<string | null> {
    this.stopped = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.probes.abort()
    await this.chain
    if (this.job) await this.supervisor.stop(this.job)
    this.job = null
    if (!('file' in this.opts.target)) return null
    const parts = this.segments.filter((f) => fs.existsSync(f) && fs.statSync(f).size > 0)
    if (parts.length === 0) return null
    const out = this.opts.target.file
    if (parts.length === 1) {
      fs.renameSync(parts[0], out)
    } else {
      await concatFiles(this.supervisor, `${this.opts.name}:concat`, parts, out)
      for (const p of parts) fs.rmSync(p, { force: true })
    }
    return out
  }

  /** stop() was called, or the supervisor was shut down under us (stopAll). */
  private get halted(): boolean {
    return this.stopped || this.supervisor.stopped
  }

  private enqueue(): Promise<void> {
    const next = this.chain.then(() => this.apply())
    this.chain = next.catch(() => undefined)
    return next
  }

  private async apply(): Promise<void> {
    if (this.halted) return
    const timeoutMs = this.opts.inputTimeoutMs ?? DEFAULT_INPUT_TIMEOUT_MS
    const unknown = this.wanted.filter((u) => !this.info.get(u))
    const found = await Promise.all(
      unknown.map((u) =>
        probeInput(u, {
          timeoutMs,
          signal: this.probes.signal,
          track: (p) => this.supervisor.adopt(p),
        }),
      ),
    )
    if (this.halted) return
    unknown.forEach((u, i) => this.info.set(u, found[i]))
    const next: MixInput[] = []
    for (const url of this.wanted) {
      const info = this.info.get(url)
      if (info) next.push({ url, ...info })
    }
    this.scheduleRetry(next.length < this.wanted.length)
    // Outputs follow the inputs: none when nothing is mixed.
    const minus = next.length > 0 ? this.wantedMinus : []
    const alive = this.job && (this.job.state === 'running' || this.job.state === 'backoff')
    const same = JSON.stringify([next, minus]) === JSON.stringify([this.current, this.currentMinus])
    if (alive && same) return
    if (this.job) {
      const old = this.job
      this.job = null
      await this.supervisor.stop(old)
      if (this.halted) return
    }
    this.current = next
    this.currentMinus = minus
    if (next.length > 0) this.job = this.startJob(next, minus)
  }

  private startJob(inputs: MixInput[], minus: MinusOutput[]): Job {
    const { target } = this.opts
    return this.supervisor.start({
      name: this.opts.name,
      restart: this.opts.restart,
      args: () => {
        const out = 'file' in target ? { file: this.nextSegment(target.file) } : target
        return mixArgs(inputs, out, this.encoding, this.opts.inputTimeoutMs, minus)
      },
      onCrash: (job) => this.crashed(job),
      onExit: (job) => {
        // All inputs ended (ffmpeg exits 0): nothing to mix until some come back.
        if (job === this.job && job.ending === 'ended' && !this.halted) {
          for (const url of this.wanted) this.info.set(url, null)
          this.scheduleRetry(true)
        }
      },
    })
  }

  /**
   * ffmpeg names an input it could not open ("rtmp://…: Input/output error"): rather than let
   * the supervisor restart the same failing list, drop that input and rebuild without it.
   */
  private crashed(job: Job): void {
    if (job !== this.job || this.halted) return
    const tail = job.stderrTail()
    const dead = this.current.filter((i) => tail.some((line) => line.startsWith(`${i.url}: `)))
    if (dead.length === 0) return
    for (const i of dead) this.info.set(i.url, null)
    this.job = null
    this.current = []
    this.currentMinus = []
    // The job is in its restart backoff: this cancels the restart.
    void this.supervisor.stop(job)
    this.enqueue().catch(() => undefined)
  }

  private scheduleRetry(needed: boolean): void {
    if (!needed || this.retryTimer || this.halted) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      this.enqueue().catch(() => undefined)
    }, this.opts.retryMs ?? 3000)
    this.retryTimer.unref() // a forgotten mixer must not keep the process alive
  }

  private nextSegment(file: string): string {
    const ext = path.extname(file)
    const seg = `${file.slice(0, -ext.length)}.part${++this.segment}${ext}`
    fs.mkdirSync(path.dirname(seg), { recursive: true })
    this.segments.push(seg)
    return seg
  }
}

function checkMinus(minus: MinusOutput[], urls: string[], live: boolean): void {
  if (!Array.isArray(minus)) throw new Error('mixer: minus outputs must be an array')
  if (minus.length > 0 && !live) throw new Error('mixer: minus outputs need a live (rtmp) target')
  if (minus.length > MAX_MIX_INPUTS) {
    throw new Error(`mixer: at most ${MAX_MIX_INPUTS} minus outputs, got ${minus.length}`)
  }
  for (const m of minus) {
    if (typeof m?.rtmp !== 'string' || !m.rtmp || !Array.isArray(m.without)) {
      throw new Error('mixer: a minus output is { rtmp: url, without: [input URLs] }')
    }
    const stray = m.without.find((u) => !urls.includes(u))
    if (stray !== undefined)
      throw new Error(`mixer: minus output leaves out ${stray}, not an input`)
  }
  if (new Set(minus.map((m) => m.rtmp)).size !== minus.length) {
    throw new Error('mixer: duplicate minus output URL')
  }
}
