// What a COMMUNICATION_MIX room costs at N talkers:
// - the mix's work: the server's exact ffmpeg command (mixArgs) over N recorded inputs, output
//   thrown away, run as fast as it goes; its CPU time per second of media is the share of a core
//   it needs to keep up live. Without mix-minus (the room's mix alone, what the server ran
//   before) and with a mix-minus per talker (what it runs now): the difference is what mix-minus
//   costs. CPU time per media second barely depends on what else the machine runs, where a live
//   measurement on a busy machine does (a starved ffmpeg falls behind and counts less);
// - a real MIX room, live: a server child, N SDK members publishing the test pattern, each
//   playing the mix it is told of (its own mix-minus): the mix's ffmpeg, and the server process
//   (signalling and the embedded engine, which takes N + 1 mixes in and plays N out).
import { spawn } from 'child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import type { createEmedia } from '../sdk/node'
import { ffmpegPaths } from '../server/media/ffmpeg'
import { mixArgs } from '../server/media/jobs/mix-args'
import { type FlvTag, readFlvTags, startPublisher, testPatternFile } from './flv'
import { startReader } from './media'
import { CpuWindow, rssOf } from './proc'
import type { RtmpClient } from './rtmp'
import { LOAD_OVERRIDES, ServerProc } from './server-proc'
import type { Log } from './signalling'
import { median, nowMs, round } from './stats'
import { commOf, cpuMs, processTree } from '../testkit/procs'
import { sleep } from '../testkit/wait'

export interface MixSizes {
  talkers: number[]
  /** Seconds of media each work measurement mixes. */
  workSeconds: number
  /** Each work measurement this many times, the two kinds in turn: the median is kept. */
  repeats: number
  /** Live room: after every member plays its own mix, before the window. */
  warmupMs: number
  windowMs: number
  patternSeconds: number
}

export const MIX_SIZES: MixSizes = {
  talkers: [4, 9],
  workSeconds: 20,
  repeats: 2,
  warmupMs: 3000,
  windowMs: 10000,
  patternSeconds: 60,
}

export interface MixWork {
  talkers: number
  /** Streams the job makes: the room's mix, and one mix-minus per talker or none. */
  outputs: number
  /** % of one core to keep up live (CPU time per second of media): the median of `samples`. */
  cpuPct: number
  samples: number[]
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
  work: Array<{ talkers: number; roomOnly: MixWork; withMinus: MixWork }>
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

// ---- the mix's work ----

/** CPU ms of one mix over `seconds` of the pattern from `n` inputs (links to one file). */
async function mixWork(pattern: string, n: number, minus: boolean, seconds: number) {
  const dir = mkdtempSync(join(tmpdir(), 'ck-bench-mix-'))
  try {
    // Inputs told apart by name, as the mixer tells its inputs apart by URL.
    const urls = Array.from({ length: n }, (_, i) => join(dir, `in${i}.flv`))
    for (const u of urls) symlinkSync(pattern, u)
    const inputs = urls.map((url) => ({ url, video: true, audio: true }))
    const outputs = minus ? urls.map((u) => ({ rtmp: '/dev/null', without: [u] })) : []
    const args = ['-y', ...mixArgs(inputs, { rtmp: '/dev/null' }, undefined, undefined, outputs)]
    args.splice(args.length - 1, 0, '-t', String(seconds))
    const proc = spawn(ffmpegPaths().ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    proc.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)))
    // Read until it exits: the last reading misses at most one interval of its CPU time.
    let used = 0
    const timer = setInterval(() => (used = cpuMs(proc.pid!) || used), 20)
    const code = await new Promise<number | null>((r) => proc.on('exit', r))
    clearInterval(timer)
    if (code !== 0) throw new Error(`mix of ${n} exited with ${code}: ${err}`)
    return { outputs: outputs.length + 1, cpuPct: round(used / (seconds * 10), 1) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
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
      const emedia = srv.member(`${room}-${i}`)
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
    // Settled: every member plays a mix of its own (none the room's), each with a reader, and one
    // mix ffmpeg runs (a layout's restart can leave the old one exiting for a moment).
    const mixPids = () => processTree(srv.pid).filter((p) => commOf(p) === 'ffmpeg')
    const deadline = nowMs() + 30000
    const settled = () =>
      members.every((m) => m.playing?.reader && seenBy.get(m.playing.id)?.size === 1) &&
      new Set(members.map((m) => m.playing?.id)).size === n &&
      mixPids().length === 1
    while (!settled()) {
      if (failed.length) throw new Error(`${room}: ${failed.join('; ')}`)
      if (nowMs() > deadline)
        throw new Error(`${room}: the mix did not settle in 30 s (${mixPids().length} ffmpeg)`)
      await sleep(100)
    }
    const readers = members.map((m) => m.playing!.reader!)
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
  const pattern = await testPatternFile(sizes.patternSeconds)
  if (sizes.workSeconds > sizes.patternSeconds) throw new Error('mix: workSeconds > pattern')
  const result: MixResult = { work: [], rooms: [] }
  for (const n of sizes.talkers) {
    const samples: [number[], number[]] = [[], []]
    const outputs = [0, 0]
    // The two kinds in turn, so that a busy spell of the machine hits both alike.
    for (let k = 0; k < sizes.repeats; k++) {
      for (const minus of [false, true]) {
        const w = await mixWork(pattern, n, minus, sizes.workSeconds)
        samples[minus ? 1 : 0].push(w.cpuPct)
        outputs[minus ? 1 : 0] = w.outputs
      }
    }
    const kind = (i: 0 | 1): MixWork => ({
      talkers: n,
      outputs: outputs[i],
      cpuPct: round(median(samples[i]), 1),
      samples: samples[i],
    })
    const w = { talkers: n, roomOnly: kind(0), withMinus: kind(1) }
    log(
      `  mix work, ${n} talkers: room's mix only ${w.roomOnly.cpuPct} %, with ${n} mix-minus ${w.withMinus.cpuPct} % of a core`,
    )
    result.work.push(w)
  }
  const tags = readFlvTags(pattern)
  for (const n of sizes.talkers) {
    const r = await roomCost(tags, n, sizes)
    log(
      `  MIX room, ${n} talkers: mix ${r.mixCpuPct} %, server ${r.serverCpuPct} %, ${r.players} players ${r.deliveredMbps} Mbit/s, ${r.stalledPlayers} stalled`,
    )
    result.rooms.push(r)
  }
  return result
}
