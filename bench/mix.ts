// What a COMMUNICATION_MIX room costs at N talkers, CPU (% of one core) and RSS:
// - the mix job alone: its ffmpeg on an embedded engine in this process, making the room's mix
//   only (what the server ran before mix-minus) and with a mix-minus per talker (what it runs
//   now): the difference is what mix-minus costs;
// - a real MIX room: a server child, N SDK members publishing the test pattern, each playing
//   the mix it is told of (its own mix-minus): the mix's ffmpeg, and the server process
//   (signalling and the embedded engine, which takes N + 1 mixes in and plays N out).
import { createEmedia, createNodeAdapter } from '../sdk/node'
import { EmbeddedEngine } from '../server/media/embedded'
import type { MediaHooks, MediaKind, MediaSession } from '../server/media/engine'
import { Mixer } from '../server/media/jobs/mixer'
import { type Job, Supervisor } from '../server/media/jobs/supervisor'
import { type FlvTag, readFlvTags, startPublisher, testPatternFile } from './flv'
import { startReader } from './media'
import { CpuWindow, commOf, processTree, rssOf } from './proc'
import type { RtmpClient } from './rtmp'
import { LOAD_OVERRIDES, ServerProc } from './server-proc'
import type { Log } from './signalling'
import { median, nowMs, round, sleep } from './stats'

export interface MixSizes {
  talkers: number[]
  /** Each job measurement this many times, the two kinds taken in turn: the median is kept. */
  repeats: number
  /** After the mix is up and before the window: its inputs and players past their first GOP. */
  warmupMs: number
  windowMs: number
  patternSeconds: number
}

export const MIX_SIZES: MixSizes = {
  talkers: [4, 9],
  repeats: 3,
  warmupMs: 3000,
  windowMs: 8000,
  patternSeconds: 60,
}

export interface MixJobCost {
  talkers: number
  /** Streams the job pushes: the room's mix, and one mix-minus per talker or none. */
  outputs: number
  /** The median of `samples`. */
  cpuPct: number
  samples: number[]
  rssMB: number
}

export interface MixRoomCost {
  talkers: number
  /** The mix's ffmpeg. */
  mixCpuPct: number
  mixRssMB: number
  /** The server process: signalling and the embedded engine. */
  serverCpuPct: number
  players: number
  deliveredMbps: number
  stalledPlayers: number
  /** This process (publishers and players) over the same window. */
  loadGenCpuPct: number
}

export interface MixResult {
  jobs: Array<{ talkers: number; roomOnly: MixJobCost; withMinus: MixJobCost }>
  rooms: MixRoomCost[]
}

/** CPU and RSS of `pids` over the window after the warm-up (`atStart` when it starts); the pids
 * must not change meanwhile. */
async function measure(pids: () => number[], sizes: MixSizes, atStart = () => {}) {
  await sleep(sizes.warmupMs)
  const before = pids().join()
  const cpu = new CpuWindow(pids)
  const t0 = nowMs()
  const own0 = process.cpuUsage()
  cpu.start()
  atStart()
  await sleep(sizes.windowMs)
  const cpuPct = cpu.stop()
  const own = process.cpuUsage(own0)
  const secs = (nowMs() - t0) / 1000
  if (pids().join() !== before) throw new Error(`a measured process restarted (${before})`)
  return {
    cpuPct: round(cpuPct, 1),
    rssMB: round(rssOf(pids()), 1),
    secs,
    loadGenCpuPct: round((own.user + own.system) / 1e4 / secs, 1),
  }
}

// ---- the job alone ----

async function jobCost(
  tags: FlvTag[],
  n: number,
  minus: boolean,
  sizes: MixSizes,
): Promise<Omit<MixJobCost, 'samples'>> {
  const live = new Set<string>()
  const hooks: MediaHooks = {
    authorize: () => null,
    started: (kind: MediaKind, s: MediaSession) => void (kind === 'publish' && live.add(s.stream)),
    stopped: (kind: MediaKind, s: MediaSession) =>
      void (kind === 'publish' && live.delete(s.stream)),
  }
  const engine = new EmbeddedEngine({ rtmpPort: 0, httpPort: 0, logLevel: 'error' })
  const supervisor = new Supervisor({
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  })
  const publishers: Awaited<ReturnType<typeof startPublisher>>[] = []
  await engine.start(hooks)
  try {
    const base = engine.rtmpBase()
    const urls = Array.from({ length: n }, (_, i) => `${base}/in${i}`)
    for (const url of urls) publishers.push(await startPublisher(url, tags))
    const outputs = minus ? urls.map((u, i) => ({ rtmp: `${base}/minus${i}`, without: [u] })) : []
    const mixer = new Mixer(supervisor, { name: 'mix:bench', target: { rtmp: `${base}/mix` } })
    await mixer.setInputs(urls, outputs)
    const names = ['mix', ...outputs.map((_, i) => `minus${i}`)]
    const deadline = nowMs() + 20000
    while (names.some((s) => !live.has(s)) || mixer.live.length < n) {
      if (nowMs() > deadline) throw new Error(`mix of ${n} did not come up in 20 s`)
      await sleep(100)
    }
    const job = mixer.running as Job
    const m = await measure(() => (job.pid ? [job.pid] : []), sizes)
    await mixer.stop()
    return { talkers: n, outputs: names.length, cpuPct: m.cpuPct, rssMB: m.rssMB }
  } finally {
    await supervisor.stopAll()
    for (const p of publishers) p.client.close()
    await engine.stop()
  }
}

// ---- a real MIX room ----

interface Member {
  emedia: ReturnType<typeof createEmedia>
  /** The mix it plays, and its reader. */
  playing: { id: string; reader: RtmpClient | null } | null
}

async function roomCost(tags: FlvTag[], n: number, sizes: MixSizes): Promise<MixRoomCost> {
  const srv = await ServerProc.start({ ...LOAD_OVERRIDES })
  const members: Member[] = []
  const publishers: Awaited<ReturnType<typeof startPublisher>>[] = []
  const failed: string[] = []
  const room = `mix${n}`
  /** Mixes more than one member was told of: the room's (a talker's own is told to it alone). */
  const seenBy = new Map<string, Set<Member>>()
  try {
    for (let i = 0; i < n; i++) {
      const emedia = createEmedia({ adapter: createNodeAdapter() })
      emedia.config({
        host: srv.wsUrl,
        token: srv.mint(`${room}-${i}`),
        logLevel: 'silent' as never,
      })
      const member: Member = { emedia, playing: null }
      // What a member's app does: play the mix it is told of, drop the one withdrawn.
      emedia.mgr.on('streamAdded', (s) => {
        seenBy.set(s.id, (seenBy.get(s.id) ?? new Set()).add(member))
        member.playing?.reader?.close()
        const playing = { id: s.id, reader: null as RtmpClient | null }
        member.playing = playing
        emedia.mgr
          .subStream(s)
          .then((r) => startReader(r.data.rtmp))
          .then(
            (reader) => {
              if (member.playing === playing) playing.reader = reader
              else reader.close()
            },
            (e: Error) => failed.push(`${s.id}: ${e.message}`),
          )
      })
      emedia.mgr.on('streamRemoved', (s) => {
        if (member.playing?.id !== s.id) return
        member.playing.reader?.close()
        member.playing = null
      })
      members.push(member)
      await emedia.mgr.joinRoom({ roomName: room, password: '', role: 3, type: 11 })
      const pub = await emedia.mgr.pubStream(`${room}-${i}`)
      publishers.push(await startPublisher(pub.data.rtmp, tags))
    }
    // Settled: every member plays a mix of its own (none the room's), each with a reader.
    const deadline = nowMs() + 30000
    const settled = () =>
      members.every((m) => m.playing?.reader && seenBy.get(m.playing.id)?.size === 1) &&
      new Set(members.map((m) => m.playing?.id)).size === n
    while (!settled()) {
      if (failed.length) throw new Error(`${room}: ${failed.join('; ')}`)
      if (nowMs() > deadline) throw new Error(`${room}: the mix did not settle in 30 s`)
      await sleep(100)
    }
    const readers = members.map((m) => m.playing!.reader!)
    const mixPids = () => processTree(srv.pid).filter((p) => commOf(p) === 'ffmpeg')
    if (mixPids().length !== 1) throw new Error(`${room}: expected one mix ffmpeg`)
    let bytes0: number[] = []
    const serverCpu = new CpuWindow(() => srv.serverPids())
    const m = await measure(mixPids, sizes, () => {
      bytes0 = readers.map((r) => r.bytesIn)
      serverCpu.start()
    })
    const serverCpuPct = serverCpu.stop()
    const got = readers.map((r, i) => r.bytesIn - bytes0[i])
    return {
      talkers: n,
      mixCpuPct: m.cpuPct,
      mixRssMB: m.rssMB,
      serverCpuPct: round(serverCpuPct, 1),
      players: readers.length,
      deliveredMbps: round((got.reduce((a, b) => a + b, 0) * 8) / m.secs / 1e6, 1),
      stalledPlayers: got.filter((b) => b === 0).length,
      loadGenCpuPct: m.loadGenCpuPct,
    }
  } finally {
    for (const m of members) m.playing?.reader?.close()
    for (const p of publishers) p.client.close()
    await Promise.all(members.map((m) => m.emedia.mgr.disconnect().catch(() => undefined)))
    await srv.stop()
  }
}

export async function mixSection(log: Log, sizes: MixSizes = MIX_SIZES): Promise<MixResult> {
  const tags = readFlvTags(await testPatternFile(sizes.patternSeconds))
  const result: MixResult = { jobs: [], rooms: [] }
  for (const n of sizes.talkers) {
    // The two kinds in turn, so that a busy spell of the machine hits both alike.
    const runs: Array<Array<Omit<MixJobCost, 'samples'>>> = [[], []]
    for (let k = 0; k < sizes.repeats; k++) {
      runs[0].push(await jobCost(tags, n, false, sizes))
      runs[1].push(await jobCost(tags, n, true, sizes))
    }
    const kind = (minus: boolean): MixJobCost => {
      const of = runs[minus ? 1 : 0]
      const samples = of.map((r) => r.cpuPct)
      return { ...of[0], cpuPct: round(median(samples), 1), samples }
    }
    const roomOnly = kind(false)
    const withMinus = kind(true)
    log(
      `  mix job, ${n} talkers: room's mix only ${roomOnly.cpuPct} % (${roomOnly.rssMB} MB), with ${n} mix-minus ${withMinus.cpuPct} % (${withMinus.rssMB} MB)`,
    )
    result.jobs.push({ talkers: n, roomOnly, withMinus })
  }
  for (const n of sizes.talkers) {
    const r = await roomCost(tags, n, sizes)
    log(
      `  MIX room, ${n} talkers: mix ${r.mixCpuPct} %, server ${r.serverCpuPct} %, ${r.players} players ${r.deliveredMbps} Mbit/s, ${r.stalledPlayers} stalled`,
    )
    result.rooms.push(r)
  }
  return result
}
