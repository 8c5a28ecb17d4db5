// The conference types and recording flags made real: `rec` records every published stream,
// `recMerge` records one grid of the talkers, COMMUNICATION_MIX publishes that grid live as a
// stream of type 'mix' — with everyone's voice for those who do not talk, and for each talker
// in the mix a mix-minus without its own voice (one ffmpeg, one picture encoded once; who plays
// which: conference/mixes.ts). It follows the service's events and drives the jobs of jobs/.
import { ConfrType } from 'miniprogram-conference-protocol'
import { type ConferenceState, type StreamState } from '../conference/state'
import { type ConferenceService } from '../conference/service'
import { type Logger } from '../log'
import { SYSTEM_MEMBER } from './gate'
import { type MinusOutput, Mixer, Recorder, Supervisor, recordingPath } from './jobs'

export interface MediaModesOptions {
  recordingsDir: string
  mixWidth: number
  mixHeight: number
}

interface MixOutput {
  stream: StreamState
  rtmp: string
}

interface ConferenceJobs {
  recorders: Map<string, Recorder>
  merge: Mixer | null
  mix: Mixer | null
  /** COMMUNICATION_MIX: the room's mix, and each talker's mix-minus by member id. */
  room: MixOutput | null
  minus: Map<string, MixOutput>
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
      onExit: (job) => {
        if (job.ending === 'failed' && job.name.startsWith('mix:')) this.mixGaveUp(job.name)
      },
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
      j = {
        recorders: new Map(),
        merge: null,
        mix: null,
        room: null,
        minus: new Map(),
        inputs: new Map(),
      }
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
      const j = this.jobsOf(conf)
      j.room = this.mixOutput(conf)
      j.mix = new Mixer(this.supervisor, {
        name: `mix:${conf.id}`,
        target: { rtmp: j.room.rtmp },
        encoding: this.encoding(),
      })
    }
  }

  private mixOutput(conf: ConferenceState, mixFor?: string): MixOutput {
    const stream = this.service.addMixStream(conf, mixFor)
    return { stream, rtmp: this.service.signedUrls('pub', conf, SYSTEM_MEMBER, stream.id).rtmp }
  }

  private relayout(conf: ConferenceState) {
    const j = this.jobs.get(conf.id)
    if (!j) return
    // The talkers' live streams in join order: the grid's order.
    const talkers = conf.liveStreams().filter((s) => s.type === 'normal')
    const inputs = talkers.map((s) => this.playUrl(conf, s))
    const failed = (e: Error) => this.crashed(`layout:${conf.id}`, e.message)
    j.merge?.setInputs(inputs).catch(failed)
    j.mix?.setInputs(inputs, this.minusOutputs(conf, j, talkers)).catch(failed)
  }

  /**
   * One mix-minus per talker in the mix, leaving out that talker's streams; the mixes of those
   * no longer in it are taken off the air, and the room's when nobody is left.
   */
  private minusOutputs(
    conf: ConferenceState,
    j: ConferenceJobs,
    talkers: StreamState[],
  ): MinusOutput[] {
    const byMember = new Map<string, string[]>()
    for (const s of talkers)
      byMember.set(s.memberId, [...(byMember.get(s.memberId) ?? []), this.playUrl(conf, s)])
    // The room's first: a talker losing its own then is not handed the room's just before.
    if (talkers.length === 0 && j.room) this.service.takeMixOffAir(conf, j.room.stream)
    for (const [memberId, out] of j.minus) {
      if (byMember.has(memberId)) continue
      j.minus.delete(memberId)
      this.service.takeMixOffAir(conf, out.stream)
    }
    return [...byMember].map(([memberId, without]) => {
      let out = j.minus.get(memberId)
      if (!out) j.minus.set(memberId, (out = this.mixOutput(conf, memberId)))
      return { rtmp: out.rtmp, without }
    })
  }

  /** The live mix gave up (its restarts failed): nobody is left playing a mix that is not made. */
  private mixGaveUp(jobName: string) {
    const conf = this.service.conferences.get(jobName.split(':')[1] ?? '')
    const j = conf && this.jobs.get(conf.id)
    if (!conf || !j) return
    for (const out of j.minus.values()) this.service.takeMixOffAir(conf, out.stream)
    j.minus.clear()
    if (j.room) this.service.takeMixOffAir(conf, j.room.stream)
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
