// `npm run bench`: signalling, big-room, media (both engines), mix (COMMUNICATION_MIX), payload
// and cluster benchmarks, loopback only, bounded to a few minutes. Prints tables and writes
// bench/results.json (docs/performance.md cites it). `--only signalling,big-room,media,mix,…`
// runs a part (then nothing is written unless `--out FILE` is given):
// `npm run bench -- --only big-room`. `--smoke` runs every section (or those of --only) at toy
// sizes, media and mix beside the others, in well under a minute, to prove the bench still runs
// (test/bench/smoke.test.ts); its figures mean nothing and are written only to an `--out` given.
import { execFileSync, spawnSync } from 'child_process'
import { writeFileSync } from 'fs'
import { resolve } from 'path'
import { parseArgs } from 'util'
import { NginxEngine } from '../server/media/nginx/engine'
import { CLUSTER_SIZES, clusterSection, type ClusterSizes } from './cluster'
import {
  benchEngine,
  type EngineResult,
  ffmpegFloor,
  type FirstFrame,
  MEDIA_SIZES,
  type MediaSizes,
} from './media'
import { MIX_SIZES, mixSection, type MixSizes } from './mix'
import { dependencies, payload } from './payload'
import { processTree } from '../testkit/procs'
import { BIG_ROOM_SIZES, bigRoom, type BigRoomSizes } from './big-room'
import {
  capacity,
  fanOut,
  type FanOut,
  JOIN_SIZES,
  joinLatencies,
  type JoinSizes,
  type Log,
} from './signalling'
import { machine, nowMs, round } from './stats'
import { table } from './table'

const SECTIONS = ['signalling', 'big-room', 'media', 'mix', 'payload', 'cluster'] as const
type Section = (typeof SECTIONS)[number]
/** The order they run in. */
const ORDER: Section[] = ['payload', 'signalling', 'big-room', 'media', 'mix', 'cluster']
/** Sections that mostly wait on real-time streams: the smoke runs them beside the others. */
const MEDIA_LANE: Section[] = ['media', 'mix']

interface Sizes {
  joins: JoinSizes
  fanOutMembers: number
  capacity: Parameters<typeof capacity>[1]
  bigRoom: BigRoomSizes
  media: MediaSizes
  mix: MixSizes
  cluster: ClusterSizes
}

const FULL: Sizes = {
  joins: JOIN_SIZES,
  fanOutMembers: 2000,
  capacity: {},
  bigRoom: BIG_ROOM_SIZES,
  media: MEDIA_SIZES,
  mix: MIX_SIZES,
  cluster: CLUSTER_SIZES,
}

/** Every measurement once, as small and short as it can be while taking the same path. */
const SMOKE: Sizes = {
  joins: {
    sequential: 3,
    runs: [
      ['c10', 10, 5],
      ['c10one', 10, 10],
    ],
  },
  fanOutMembers: 5,
  // Two steps: the per-1,000 slopes need two points.
  capacity: { step: 5, cap: 10, heartbeatMs: 1000, budgetMs: 10000 },
  bigRoom: { joins: 10, liveFill: 10, fanOut: 5, meeting: 10 },
  media: {
    roomSizes: [2],
    warmupMs: 1000,
    windowMs: 1000,
    firstFrameSamples: 1,
    firstFrameWarmup: false,
    // The latency reader leaves out its first second.
    latencySeconds: 1.5,
    patternSeconds: 20,
    floorSamples: 1,
  },
  mix: {
    talkers: [2],
    workSeconds: 2,
    repeats: 1,
    warmupMs: 1000,
    windowMs: 1000,
    patternSeconds: 20,
  },
  cluster: { joins: 10, warmJoins: 3, failoverMembers: 4 },
}

function args() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      out: { type: 'string' },
      smoke: { type: 'boolean', default: false },
    },
    strict: true,
  })
  const only = values.only ? values.only.split(',') : [...SECTIONS]
  for (const s of only)
    if (!(SECTIONS as readonly string[]).includes(s))
      throw new Error(`--only: unknown section "${s}" (one of ${SECTIONS.join(', ')})`)
  const smoke = values.smoke === true
  const full = only.length === SECTIONS.length && !smoke
  const out = values.out ?? (full ? 'bench/results.json' : undefined)
  return {
    only: only as Section[],
    out: out ? resolve(out) : undefined,
    smoke,
    sizes: smoke ? SMOKE : FULL,
  }
}

/** The media software the figures belong to. */
function versions() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ffmpeg = require('@ffmpeg-installer/ffmpeg') as { version: string }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nms = require('node-media-server/package.json') as { version: string }
  const nginx = spawnSync('nginx', ['-v'], { encoding: 'utf8' })
  return {
    ffmpeg: process.env.FFMPEG_PATH ? `FFMPEG_PATH ${process.env.FFMPEG_PATH}` : ffmpeg.version,
    nodeMediaServer: nms.version,
    nginx: /nginx\/([\d.]+)/.exec(nginx.stderr ?? '')?.[1] ?? 'not installed',
  }
}

const log: Log = (line) => console.log(line)
/** The fan-out's floor (a bare ws server, the same load generator), said beside it. */
const floorLine = (fan: FanOut) =>
  `floor (bare ws server, same machine and load generator): written in ${fan.floor.serverSendMs} ms, read p50 ${fan.floor.latency.p50} ms, p99 ${fan.floor.latency.p99} ms`
const ms = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? '—' : String(x)
const kb = (bytes: number | null) => (bytes === null ? '—' : (bytes / 1024).toFixed(1))

type Results = Record<string, unknown>

/** Each section: measure, print its tables with `log`, put its figures into `results`. */
const RUN: Record<Section, (log: Log, sizes: Sizes, results: Results) => Promise<void>> = {
  payload: async (log, _sizes, results) => {
    log('\n# kit payload (miniprogram_dist)')
    const p = await payload(resolve('miniprogram_dist'))
    const deps = dependencies()
    results.payload = { ...p, dependencies: deps }
    if (!p.terser) log('  terser is not installed: minified sizes are not measured')
    log(
      table(
        ['part', 'files', 'raw KiB', 'of which JS', 'minified KiB', 'gzip KiB'],
        p.parts.map((x) => [x.part, x.files, kb(x.raw), kb(x.rawJs), kb(x.minified), kb(x.gzip)]),
      ),
    )
    log(
      table(
        ['dependency', 'raw KiB', 'gzip KiB'],
        deps.map((d) => [d.name, kb(d.raw), kb(d.gzip)]),
      ),
    )
  },
  signalling: async (log, sizes, results) => {
    log('\n# signalling')
    const { wire, joins } = await joinLatencies(log, sizes.joins)
    const fan = await fanOut(log, sizes.fanOutMembers)
    log(
      `  fan-out to ${fan.received}/${fan.members}: p50 ${fan.latency.p50} ms p99 ${fan.latency.p99} ms`,
    )
    const cap = await capacity(log, sizes.capacity)
    results.signalling = { wire, joins, fanOut: fan, capacity: cap }
    log(
      `\njoinRoom() → push URL: ${wire.roundTrips} round trip(s) waited on; ${wire.framesSent} requests (${wire.requests.join(', ')}), ${wire.framesReceived} frames back, ${wire.ms} ms`,
    )
    log(
      table(
        ['joins', 'layout', 'connect p50', 'join p50', 'join p99', 'join max', 'all done'],
        joins.map((j) => [
          j.concurrent,
          j.layout,
          ms(j.connect.p50),
          j.join.p50,
          j.join.p99,
          j.join.max,
          j.wallMs,
        ]),
      ),
    )
    log(
      `fan-out, ${fan.members} members: streamAdded p50 ${fan.latency.p50} ms, p99 ${fan.latency.p99} ms, max ${fan.latency.max} ms (server queued all in ${fan.serverQueuedMs} ms, handed all to the kernel in ${fan.serverSendMs} ms; room filled in ${fan.fillMs} ms; ${fan.loadGen}); ${floorLine(fan)}`,
    )
    log(
      table(
        ['members', 'ping p50 ms', 'ping p99 ms', 'server CPU %', 'server RSS MB'],
        cap.steps.map((s) => [s.members, s.pingP50, s.pingP99, s.cpuPct, s.rssMB]),
      ),
    )
    log(
      `capacity: stopped because ${cap.stoppedBecause}; per 1,000 members: CPU ${cap.cpuPctPer1000} % of a core, RSS ${cap.rssMBPer1000} MB (heartbeat ${cap.heartbeatMs} ms, rooms of ${cap.roomSize})`,
    )
  },
  'big-room': async (log, sizes, results) => {
    log('\n# big rooms (one server process)')
    const big = await bigRoom(log, sizes.bigRoom)
    results.bigRoom = big
    // Goals of issue 11: join p99 < 1 s, 10,000 fill < 10 s, streamAdded p99 < 20 ms.
    const fill = big.liveFill
    const fan = big.fanOut
    log(
      table(
        ['measure', 'p50 ms', 'p99 ms', 'max ms', 'all done ms', 'server CPU ms', 'goal', 'before'],
        [
          ...big.joins.map((j) => [
            `${j.concurrent} joins, ${j.layout}`,
            j.join.p50,
            j.join.p99,
            j.join.max,
            j.wallMs,
            j.serverCpuMs,
            'p99 < 1000',
            j.layout.includes('COMMUNICATION') ? 'p99 2800 (12-06)' : 'p99 580 (12-06)',
          ]),
          [
            `LIVE room filled by ${fill.members - 1} joins`,
            fill.join.p50,
            fill.join.p99,
            fill.join.max,
            fill.fillMs,
            '—',
            'all < 10000',
            '2,000: 15800',
          ],
          [
            `streamAdded to ${fan.received}/${fan.members}`,
            fan.latency.p50,
            fan.latency.p99,
            fan.latency.max,
            fan.serverSendMs,
            '—',
            'p99 < 20',
            'p50 53, p99 73 (12-06)',
          ],
          [
            `floor: bare ws server to ${fan.floor.received}/${fan.members}`,
            fan.floor.latency.p50,
            fan.floor.latency.p99,
            fan.floor.latency.max,
            fan.floor.serverSendMs,
            '—',
            '—',
            '—',
          ],
        ],
      ),
    )
    log(
      `streamAdded to ${fan.members}: server side ${fan.serverQueuedMs} ms to queue every frame, ${fan.serverSendMs} ms to hand them all to the kernel; end to end read in ${fan.loadGenProcesses} load process(es), ${fan.loadGen}; machine ${fan.machine.busyPct} % busy, load ${fan.machine.loadAvg.join(' → ')}; ${floorLine(fan)}`,
    )
    log(
      `LIVE fill: ${fill.eventsPerMember} events per audience member while ${fill.members} filled (counts, not arrivals); 2,000-member room for the fan-out filled in ${fan.fillMs} ms`,
    )
    log(
      table(
        [
          'room',
          'chat frames',
          'chat KiB',
          'chat ms',
          'mute-all frames',
          'mute-all KiB',
          'mute-all ms',
        ],
        big.meeting.map((m) => [
          m.room,
          m.chat.frames,
          kb(m.chat.bytes),
          m.chat.ms,
          m.muteAll.frames,
          kb(m.muteAll.bytes),
          m.muteAll.ms,
        ]),
      ),
    )
  },
  media: async (log, sizes, results) => {
    log('\n# media')
    const floor = await ffmpegFloor(sizes.media)
    log(`  ffmpeg first frame from a local file (its own floor): median ${floor.median} ms`)
    const engines: EngineResult[] = [await benchEngine('embedded', log, sizes.media)]
    const nginx = NginxEngine.available()
    if (nginx.ok) {
      // Players on nginx itself (no GOP cache), then on its play edge (the default).
      engines.push(await benchEngine('nginx', log, sizes.media))
      engines.push(await benchEngine('nginx-edge', log, sizes.media))
    } else log(`  nginx engine NOT MEASURED: ${nginx.reason}`)
    results.media = { ffmpegFloor: floor, engines, nginxSkipped: nginx.ok ? null : nginx.reason }
    const ff = (e: EngineResult, what: string) =>
      ms(e.firstFrame.find((f: FirstFrame) => f.what === what)?.median)
    log(
      table(
        [
          'engine',
          'added p50 ms',
          'added p99 ms',
          'first frame: ffmpeg RTMP',
          'ffmpeg RTMP nodelay',
          'ffmpeg HTTP-FLV',
          'raw RTMP reader',
          'player-tile recovery (1 s backoff + replay)',
        ],
        engines.map((e) => [
          e.engine,
          e.addedLatency.p50,
          e.addedLatency.p99,
          ff(e, 'rtmp'),
          ff(e, 'rtmp-nodelay'),
          ff(e, 'http-flv'),
          ff(e, 'raw-rtmp'),
          ff(e, 'tile-recovery'),
        ]),
      ),
    )
    log(
      table(
        [
          'engine',
          'room',
          'players',
          'CPU % of a core',
          'RSS MB (idle)',
          'Mbit/s out',
          'stalled',
          'load gen CPU %',
        ],
        engines.flatMap((e) =>
          e.rooms.map((r) => [
            e.engine,
            r.persons,
            r.players,
            r.serverCpuPct === null ? r.cpuPct : `${r.cpuPct} (+ server ${r.serverCpuPct})`,
            `${r.rssMB} (${r.idleRssMB})`,
            r.deliveredMbps,
            r.stalledPlayers,
            r.loadGenCpuPct,
          ]),
        ),
      ),
    )
  },
  mix: async (log, sizes, results) => {
    log('\n# COMMUNICATION_MIX (embedded engine)')
    const mix = await mixSection(log, sizes.mix)
    results.mix = mix
    log(
      table(
        [
          'talkers',
          "mix work: room's mix only, % of a core",
          '+ a mix-minus per talker',
          'outputs',
        ],
        mix.work.map((w) => [
          w.talkers,
          w.roomOnly.cpuPct,
          w.withMinus.cpuPct,
          w.withMinus.outputs,
        ]),
      ),
    )
    log(
      table(
        [
          'MIX room',
          'mix CPU %',
          'mix RSS MB',
          'server CPU %',
          'players',
          'Mbit/s out',
          'stalled',
          'load gen CPU %',
        ],
        mix.rooms.map((r) => [
          `${r.talkers} talkers`,
          r.mixCpuPct,
          r.mixRssMB,
          r.serverCpuPct,
          r.players,
          r.deliveredMbps,
          r.stalledPlayers,
          r.loadGenCpuPct,
        ]),
      ),
    )
  },
  cluster: async (log, sizes, results) => {
    log('\n# cluster (redis-server + server processes on loopback)')
    results.cluster = await clusterSection(log, sizes.cluster)
  },
}

async function main() {
  const { only, out, smoke, sizes } = args()
  const t0 = nowMs()
  if (smoke) log('SMOKE: toy sizes, the figures mean nothing')
  const tookSec: Partial<Record<Section, number>> = {}
  const m = machine()
  log(
    `machine: ${m.nproc} cores, ${m.cpuModel}, ${m.memGiB} GiB, node ${m.node}, ${m.platform} ${m.kernel}`,
  )
  const v = versions()
  log(`media: ffmpeg ${v.ffmpeg}, node-media-server ${v.nodeMediaServer}, nginx ${v.nginx}`)
  const results: Record<string, unknown> = {
    ...(smoke ? { smoke: true } : {}),
    date: new Date().toISOString(),
    machine: m,
    versions: v,
  }

  const runSection = async (section: Section, say: Log) => {
    const s0 = nowMs()
    await RUN[section](say, sizes, results)
    tookSec[section] = round((nowMs() - s0) / 1000, 1)
  }
  const ordered = ORDER.filter((s) => only.includes(s))
  if (smoke) {
    // Media mostly waits on real-time streams: beside the other sections the smoke stays short on
    // a busy machine. Each section's lines are printed together when it ends.
    const lane = async (sections: Section[]) => {
      for (const s of sections) {
        const lines: string[] = []
        try {
          await runSection(s, (line) => lines.push(line))
        } finally {
          log(lines.join('\n'))
        }
      }
    }
    const lanes = await Promise.allSettled([
      lane(ordered.filter((s) => MEDIA_LANE.includes(s))),
      lane(ordered.filter((s) => !MEDIA_LANE.includes(s))),
    ])
    // Both lanes ended (and stopped what they started) before a failure is reported.
    for (const l of lanes) if (l.status === 'rejected') throw l.reason
  } else for (const s of ordered) await runSection(s, log)

  results.durationSec = round((nowMs() - t0) / 1000, 1)
  results.sectionSec = tookSec
  const parts = Object.entries(tookSec).map(([k, v]) => `${k} ${v} s`)
  log(`\nbench took ${results.durationSec} s (${parts.join(', ')})`)
  // Everything started here must be gone: servers, nginx, ffmpeg.
  const left = processTree(process.pid).filter((p) => p !== process.pid)
  if (left.length) {
    let listing = ''
    try {
      listing = execFileSync('ps', ['-o', 'pid=,comm=', '-p', left.join(',')]).toString()
    } catch {
      listing = left.join(' ')
    }
    log(`LEFT RUNNING (killed now):\n${listing}`)
    for (const p of left) {
      try {
        process.kill(p, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    process.exitCode = 1
  }
  results.leftProcesses = left.length
  if (out) {
    writeFileSync(out, JSON.stringify(results, null, 2) + '\n')
    log(`results written to ${out}`)
  }
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).stack ?? e}`)
  process.exit(1)
})
