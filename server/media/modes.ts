// The conference types and recording flags made real: `rec` records every published stream,
// `recMerge` records one grid of the talkers, COMMUNICATION_MIX publishes that grid live as a
// stream of type 'mix'. It follows the service's events and drives the ffmpeg jobs of jobs/.
import { ConfrType } from 'miniprogram-conference-protocol'
import { type ConferenceState, type StreamState } from '../conference/state'
import { type ConferenceService } from '../conference/service'
import { type Logger } from '../log'
import { SYSTEM_MEMBER } from './gate'
import { Mixer, Recorder, Supervisor, recordingPath } from './jobs'

export interface MediaModesOptions {
  recordingsDir: string
  mixWidth: number
  mixHeight: number
}

interface ConferenceJobs {
  recorders: Map<string, Recorder>
  merge: Mixer | null
  mix: Mixer | null
  /** Play URLs the jobs use, one per stream: the mixer tells inputs apart by URL. */
  inputs: Map<string, string>
}

export class MediaModes {
  readonly supervisor: Supervisor
  private readonly jobs = new Map<string, ConferenceJobs>()
  /** Conferences that ended while their files are still being closed (a merge's concat). */
  private readonly finishing = new Set<string>()

  constructor(
    private readonly service: ConferenceService,
    private readonly opts: MediaModesOptions,
    private readonly log: Logger,
  ) {
    this.supervisor = new Supervisor({
      logger: log,
      onCrash: (job, message) => this.crashed(job.name, message),
    })
    // A job that cannot even start (bad directory, ffmpeg missing) is a crash like any other: it
    // must not break the signalling that emitted the event.
    const guard =
      <A extends [ConferenceState, ...unknown[]]>(what: string, fn: (...args: A) => void) =>
      (...args: A) => {
        try {
          fn.apply(this, args)
        } catch (e) {
          this.crashed(`${what}:${args[0].id}`, (e as Error).message)
        }
      }
    service.on('conference-created', guard('setup', this.created))
    service.on('stream-live', guard('start', this.live))
    service.on('stream-idle', guard('stop', this.idle))
    service.on('conference-end', (conf: ConferenceState) => void this.ended(conf))
    service.on('conference-released', (conf: ConferenceState) => void this.ended(conf))
  }

  private jobsOf(conf: ConferenceState): ConferenceJobs {
    let j = this.jobs.get(conf.id)
    if (!j) {
      j = { recorders: new Map(), merge: null, mix: null, inputs: new Map() }
      this.jobs.set(conf.id, j)
    }
    return j
  }

  private playUrl(conf: ConferenceState, s: StreamState): string {
    const j = this.jobsOf(conf)
    let url = j.inputs.get(s.id)
    if (!url) {
      url = this.service.signedUrls('play', conf, SYSTEM_MEMBER, s.id).rtmp
      j.inputs.set(s.id, url)
    }
    return url
  }

  private encoding() {
    return { width: this.opts.mixWidth, height: this.opts.mixHeight }
  }

  private created(conf: ConferenceState) {
    if (conf.recMerge) {
      const file = recordingPath(this.opts.recordingsDir, conf.id, 'merged')
      this.jobsOf(conf).merge = new Mixer(this.supervisor, {
        name: `merge:${conf.id}`,
        target: { file },
        encoding: this.encoding(),
      })
    }
    if (conf.type === ConfrType.COMMUNICATION_MIX) {
      const stream = this.service.addMixStream(conf)
      const target = { rtmp: this.service.signedUrls('pub', conf, SYSTEM_MEMBER, stream.id).rtmp }
      this.jobsOf(conf).mix = new Mixer(this.supervisor, {
        name: `mix:${conf.id}`,
        target,
        encoding: this.encoding(),
      })
    }
  }

  /** The talkers' live streams in join order: the grid's order. */
  private talkerInputs(conf: ConferenceState): string[] {
    return conf
      .liveStreams()
      .filter((s) => s.type === 'normal')
      .map((s) => this.playUrl(conf, s))
  }

  private relayout(conf: ConferenceState) {
    const j = this.jobs.get(conf.id)
    if (!j) return
    const inputs = this.talkerInputs(conf)
    for (const mixer of [j.merge, j.mix]) {
      mixer?.setInputs(inputs).catch((e: Error) => this.crashed(`layout:${conf.id}`, e.message))
    }
  }

  private live(conf: ConferenceState, s: StreamState) {
    if (s.type !== 'normal') return
    if (conf.rec) {
      const j = this.jobsOf(conf)
      const rec =
        j.recorders.get(s.id) ??
        new Recorder(this.supervisor, {
          dir: this.opts.recordingsDir,
          confrId: conf.id,
          streamId: s.id,
          input: this.playUrl(conf, s),
        })
      j.recorders.set(s.id, rec)
      rec.start()
    }
    this.relayout(conf)
  }

  private idle(conf: ConferenceState, s: StreamState) {
    if (s.type !== 'normal') return
    const j = this.jobs.get(conf.id)
    const rec = j?.recorders.get(s.id)
    if (rec) void rec.stop()
    this.relayout(conf)
  }

  /** Conferences with files being written: retention leaves them alone. */
  busy(): Set<string> {
    return new Set([...this.jobs.keys(), ...this.finishing])
  }

  private async ended(conf: ConferenceState) {
    const j = this.jobs.get(conf.id)
    if (!j) return
    this.jobs.delete(conf.id)
    this.finishing.add(conf.id)
    const stops: Array<Promise<unknown>> = [...j.recorders.values()].map((r) => r.stop())
    if (j.mix) stops.push(j.mix.stop())
    if (j.merge) stops.push(j.merge.stop())
    const results = await Promise.allSettled(stops)
    this.finishing.delete(conf.id)
    for (const r of results)
      if (r.status === 'rejected')
        this.log.error({ confrId: conf.id, err: r.reason }, 'media job stop')
  }

  /** A job crashed: logged, and the conference's admins are told (never silent). */
  private crashed(jobName: string, message: string) {
    const confrId = jobName.split(':')[1]
    this.log.error({ job: jobName, confrId, message }, 'media job failed')
    const conf = confrId ? this.service.conferences.get(confrId) : undefined
    if (conf) this.service.notifyAdmins(conf, 'mediaError', { confrId, job: jobName, message })
  }

  /** Wait for every job of every conference to end (server shutdown). */
  async stop() {
    await Promise.allSettled([...this.service.conferences.values()].map((c) => this.ended(c)))
    await this.supervisor.stopAll()
  }
}
