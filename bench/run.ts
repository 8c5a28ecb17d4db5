// `npm run bench`: signalling, big-room, media (both engines), payload and cluster benchmarks,
// loopback only, bounded to a few minutes. Prints tables and writes bench/results.json
// (docs/performance.md cites it). `--only signalling,big-room,media,payload,cluster` runs a part
// (then nothing is written unless `--out FILE` is given): `npm run bench -- --only big-room`.
import { execFileSync, spawnSync } from 'child_process'
import { writeFileSync } from 'fs'
import { resolve } from 'path'
import { parseArgs } from 'util'
import { NginxEngine } from '../server/media/nginx'
import { clusterSection } from './cluster'
import { benchEngine, type EngineResult, ffmpegFloor, type FirstFrame } from './media'
import { dependencies, payload } from './payload'
import { processTree } from './proc'
import { bigRoom } from './big-room'
import { capacity, fanOut, joinLatencies } from './signalling'
import { machine, nowMs, round } from './stats'
import { table } from './table'

const SECTIONS = ['signalling', 'big-room', 'media', 'payload', 'cluster'] as const
type Section = (typeof SECTIONS)[number]

function args() {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, out: { type: 'string' } },
    strict: true,
  })
  const only = values.only ? values.only.split(',') : [...SECTIONS]
  for (const s of only)
    if (!(SECTIONS as readonly string[]).includes(s))
      throw new Error(`--only: unknown section "${s}" (one of ${SECTIONS.join(', ')})`)
  const full = only.length === SECTIONS.length
  const out = values.out ?? (full ? 'bench/results.json' : undefined)
  return { only: only as Section[], out: out ? resolve(out) : undefined }
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

const log = (line: string) => console.log(line)
const ms = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? '—' : String(x)
const kb = (bytes: number | null) => (bytes === null ? '—' : (bytes / 1024).toFixed(1))

async function main() {
  const { only, out } = args()
  const t0 = nowMs()
  const m = machine()
  log(
    `machine: ${m.nproc} cores, ${m.cpuModel}, ${m.memGiB} GiB, node ${m.node}, ${m.platform} ${m.kernel}`,
  )
  const v = versions()
  log(`media: ffmpeg ${v.ffmpeg}, node-media-server ${v.nodeMediaServer}, nginx ${v.nginx}`)
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: m,
    versions: v,
  }

  if (only.includes('payload')) {
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
  }

  if (only.includes('signalling')) {
    log('\n# signalling')
    const { wire, joins } = await joinLatencies(log)
    const fan = await fanOut(log)
    log(
      `  fan-out to ${fan.received}/${fan.members}: p50 ${fan.latency.p50} ms p99 ${fan.latency.p99} ms`,
    )
    const cap = await capacity(log)
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
      `fan-out, ${fan.members} members: streamAdded p50 ${fan.latency.p50} ms, p99 ${fan.latency.p99} ms, max ${fan.latency.max} ms (server wrote all in ${fan.serverSendMs} ms; room filled in ${fan.fillMs} ms)`,
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
  }

  if (only.includes('big-room')) {
    log('\n# big rooms (one server process)')
    const big = await bigRoom(log)
    results.bigRoom = big
    // Goals of issue 11: join p99 < 1 s, 10,000 fill < 10 s, streamAdded p99 < 20 ms.
    const fill = big.liveFill
    const fan = big.fanOut
    log(
      table(
        ['measure', 'p50 ms', 'p99 ms', 'max ms', 'all done ms', 'goal', 'before'],
        [
          ...big.joins.map((j) => [
            `${j.concurrent} joins, ${j.layout}`,
            j.join.p50,
            j.join.p99,
            j.join.max,
            j.wallMs,
            'p99 < 1000',
            j.layout.includes('COMMUNICATION') ? 'p99 3300' : '—',
          ]),
          [
            `LIVE room filled by ${fill.members - 1} joins`,
            fill.join.p50,
            fill.join.p99,
            fill.join.max,
            fill.fillMs,
            'all < 10000',
            '2,000: 15800',
          ],
          [
            `streamAdded to ${fan.received}/${fan.members}`,
            fan.latency.p50,
            fan.latency.p99,
            fan.latency.max,
            fan.serverSendMs,
            'p99 < 20',
            'p50 47, p99 85',
          ],
        ],
      ),
    )
    log(
      `LIVE fill: ${fill.eventsPerMember} events per audience member while ${fill.members} filled (counts, not arrivals); 2,000-member room for the fan-out filled in ${fan.fillMs} ms`,
    )
  }

  if (only.includes('media')) {
    log('\n# media')
    const floor = await ffmpegFloor()
    log(`  ffmpeg first frame from a local file (its own floor): median ${floor.median} ms`)
    const engines: EngineResult[] = [await benchEngine('embedded', log)]
    const nginx = NginxEngine.available()
    if (nginx.ok) engines.push(await benchEngine('nginx', log))
    else log(`  nginx engine NOT MEASURED: ${nginx.reason}`)
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
        ],
        engines.map((e) => [
          e.engine,
          e.addedLatency.p50,
          e.addedLatency.p99,
          ff(e, 'rtmp'),
          ff(e, 'rtmp-nodelay'),
          ff(e, 'http-flv'),
          ff(e, 'raw-rtmp'),
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
  }

  if (only.includes('cluster')) {
    log('\n# cluster (redis-server + server processes on loopback)')
    results.cluster = await clusterSection(log)
  }

  results.durationSec = round((nowMs() - t0) / 1000, 1)
  log(`\nbench took ${results.durationSec} s`)
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
