// `npm run bench` in small: bench/run.ts compiled as `npm run bench` compiles it, then run with
// --smoke (every section at toy sizes) in a child process. Each section must have produced its
// figures, finite numbers: nothing else runs the bench, and it once broke unseen when a field it
// read left the protocol.
import { execFile, spawn } from 'child_process'
import { mkdtempSync, readFileSync, rmSync } from 'fs'
import { createRequire } from 'module'
import { tmpdir } from 'os'
import { join, resolve } from 'path'
import { promisify } from 'util'
import type { ClusterResult } from '../../bench/cluster'
import type { EngineResult } from '../../bench/media'
import type { MixResult } from '../../bench/mix'
import { describeWithRedis } from '../../testkit/cluster-suite'
import { describeWithNginx } from '../../testkit/nginx'

const ROOT = resolve(__dirname, '../..')
// Beside `npm run bench`'s own output (node_modules/.cache/ck-bench), not in it: a bench running
// meanwhile keeps its files. Inside the repository, so that its requires find node_modules.
const OUT = join(ROOT, 'node_modules/.cache/ck-bench-smoke')

interface Run {
  code: number | null
  output: string
  results: Record<string, any>
  seconds: number
}

let run: Run

beforeAll(async () => {
  const tsc = createRequire(__filename).resolve('typescript/bin/tsc')
  // Incremental: a run on an unchanged tree skips most of the type check. Its record sits in
  // OUT, so removing OUT removes both and the next compile is whole.
  const args = ['-p', 'bench/tsconfig.perf.json', '--outDir', OUT, '--incremental']
  args.push('--tsBuildInfoFile', join(OUT, 'tsconfig.perf.tsbuildinfo'))
  const c0 = Date.now()
  await promisify(execFile)(process.execPath, [tsc, ...args], { cwd: ROOT })
  const compileSec = (Date.now() - c0) / 1000
  const dir = mkdtempSync(join(tmpdir(), 'ck-bench-smoke-'))
  const file = join(dir, 'results.json')
  const t0 = Date.now()
  const child = spawn(process.execPath, [join(OUT, 'bench/run.js'), '--smoke', '--out', file], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr.on('data', (d: Buffer) => (output += d.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), 150000)
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)))
  clearTimeout(timer)
  let results: Record<string, any> = {}
  try {
    results = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>
  } catch {
    // no file: the first test says why, with the output
  }
  rmSync(dir, { recursive: true, force: true })
  run = { code, output, results, seconds: (Date.now() - t0) / 1000 }
  const took = /bench took .*/.exec(output)?.[0] ?? 'no end line'
  process.stdout.write(
    `[bench smoke] compiled in ${compileSec.toFixed(1)} s, ran in ${run.seconds.toFixed(1)} s (${took})\n`,
  )
}, 240000)

/** The paths (`a.0.b`) under `root` that do not hold a finite number (NaN reaches JSON as null). */
function notFinite(root: unknown, paths: string[]): string[] {
  return paths.filter((p) => {
    const v = p.split('.').reduce<any>((o, k) => o?.[k], root)
    return typeof v !== 'number' || !Number.isFinite(v)
  })
}

const summary = (at: string) => ['n', 'p50', 'p99', 'max'].map((k) => `${at}.${k}`)

test('the smoke ran every section to the end and left nothing running', () => {
  if (run.code !== 0) throw new Error(`bench --smoke exited with ${run.code}:\n${run.output}`)
  expect(run.results.smoke).toBe(true)
  expect(run.results.leftProcesses).toBe(0)
  // Sections run in two lanes: they end in any order.
  const sections = Object.keys(run.results.sectionSec).sort()
  expect(sections).toEqual(['big-room', 'cluster', 'media', 'mix', 'payload', 'signalling'])
})

test('payload: sizes of every part and of the MobX dependencies', () => {
  const p = run.results.payload
  expect(p.parts.map((x: { part: string }) => x.part)).toEqual([
    'sdk',
    'store',
    'components',
    'index.js',
    'total',
  ])
  const paths = [
    ...p.parts.flatMap((_: unknown, i: number) => [`parts.${i}.raw`, `parts.${i}.gzip`]),
    ...p.dependencies.flatMap((_: unknown, i: number) => [
      `dependencies.${i}.raw`,
      `dependencies.${i}.gzip`,
    ]),
  ]
  expect(notFinite(p, paths)).toEqual([])
})

test('signalling: wire count, join latencies, fan-out, capacity', () => {
  const s = run.results.signalling
  expect(s.wire.roundTrips).toBe(1)
  expect(s.joins.length).toBeGreaterThanOrEqual(3)
  expect(s.fanOut.received).toBe(s.fanOut.members)
  expect(s.fanOut.floor.received).toBe(s.fanOut.members)
  expect(s.capacity.steps.length).toBeGreaterThanOrEqual(2)
  const paths = [
    'wire.framesSent',
    'wire.ms',
    ...s.joins.flatMap((_: unknown, i: number) => [
      ...summary(`joins.${i}.join`),
      `joins.${i}.connect.p50`,
      `joins.${i}.wallMs`,
    ]),
    ...summary('fanOut.latency'),
    'fanOut.fillMs',
    'fanOut.serverSendMs',
    'fanOut.serverQueuedMs',
    'fanOut.acceptToLiveMs',
    'fanOut.loadGenProcesses',
    'fanOut.machine.loadAvg.0',
    ...summary('fanOut.floor.latency'),
    'fanOut.floor.serverSendMs',
    ...s.capacity.steps.flatMap((_: unknown, i: number) =>
      ['pingP50', 'pingP99', 'cpuPct', 'rssMB'].map((k) => `capacity.steps.${i}.${k}`),
    ),
    'capacity.baselineRssMB',
    'capacity.cpuPctPer1000',
    'capacity.rssMBPer1000',
  ]
  expect(notFinite(s, paths)).toEqual([])
})

test('big-room: joins into one room, LIVE fill, fan-out', () => {
  const b = run.results.bigRoom
  expect(b.joins).toHaveLength(2)
  expect(b.fanOut.received).toBe(b.fanOut.members)
  const paths = [
    ...summary('joins.0.join'),
    ...summary('joins.1.join'),
    ...summary('liveFill.join'),
    'liveFill.fillMs',
    'liveFill.connectMs',
    'liveFill.eventsPerMember',
    ...summary('fanOut.latency'),
    'fanOut.fillMs',
    'fanOut.serverSendMs',
    'joins.0.machine.loadAvg.0',
    'joins.0.serverCpuMs',
  ]
  expect(notFinite(b, paths)).toEqual([])
  // The load came from processes of its own (pinned where the OS lets it).
  expect(b.fanOut.loadGenProcesses).toBeGreaterThanOrEqual(1)
  expect(b.joins[0].loadGen).toMatch(/load generator on CPU|not pinned/)
})

/** An engine's figures: added latency, every first-frame kind, the room's cost. */
function engineFigures(engine: EngineResult['engine']): string[] {
  const engines = run.results.media.engines as EngineResult[]
  const i = engines.findIndex((e) => e.engine === engine)
  if (i < 0) return [`engines: no ${engine}`]
  const e = engines[i]
  expect(e.firstFrame.length).toBeGreaterThanOrEqual(3)
  expect(e.rooms.length).toBeGreaterThanOrEqual(1)
  for (const r of e.rooms) expect(r.deliveredMbps).toBeGreaterThan(0)
  return notFinite(e, [
    ...summary('addedLatency'),
    ...e.firstFrame.map((_, k) => `firstFrame.${k}.median`),
    ...e.rooms.flatMap((_, k) =>
      ['cpuPct', 'rssMB', 'idleRssMB', 'deliveredMbps', 'loadGenCpuPct'].map(
        (f) => `rooms.${k}.${f}`,
      ),
    ),
  ]).map((p) => `${engine}: ${p}`)
}

test('media on the embedded engine: ffmpeg floor, added latency, first frames, room cost', () => {
  expect(notFinite(run.results.media, ['ffmpegFloor.median'])).toEqual([])
  expect(engineFigures('embedded')).toEqual([])
  // The play URLs came from subStream (protocol 1.2: streams carry none); HTTP-FLV among them.
  const kinds = (run.results.media.engines as EngineResult[])[0].firstFrame.map((f) => f.what)
  expect(kinds).toEqual(['rtmp', 'rtmp-nodelay', 'http-flv', 'raw-rtmp', 'tile-recovery'])
})

test("mix: the mix's work with and without mix-minus, and a MIX room's cost", () => {
  const m = run.results.mix as MixResult
  expect(m.work.map((w) => [w.talkers, w.roomOnly.outputs, w.withMinus.outputs])).toEqual([
    [2, 1, 3],
  ])
  expect(m.rooms.map((r) => [r.talkers, r.players])).toEqual([[2, 2]])
  const paths = [
    ...['roomOnly', 'withMinus'].map((k) => `work.0.${k}.cpuPct`),
    ...['mixCpuPct', 'mixRssMB', 'serverCpuPct', 'deliveredMbps', 'loadGenCpuPct'].map(
      (f) => `rooms.0.${f}`,
    ),
  ]
  expect(notFinite(m, paths)).toEqual([])
})

describeWithNginx('bench smoke: media on nginx-rtmp', () => {
  test('added latency, first frames, room cost: players on nginx, and on its play edge', () => {
    expect(engineFigures('nginx')).toEqual([])
    expect(engineFigures('nginx-edge')).toEqual([])
    const edge = (run.results.media.engines as EngineResult[]).find(
      (e) => e.engine === 'nginx-edge',
    )
    // The play edge serves HTTP-FLV; nginx alone does not.
    expect(edge?.firstFrame.map((f) => f.what)).toContain('http-flv')
  })
})

describeWithRedis('bench smoke: cluster', () => {
  test('joins on 1 and 3 nodes, failover', () => {
    const c = run.results.cluster as ClusterResult
    expect(c.joins.map((j) => j.nodes)).toEqual([1, 3])
    expect(c.failover.resumed).toBe(c.failover.members)
    expect(c.joins.map((j) => j.nodeCpuMs.length)).toEqual([1, 3])
    const paths = [
      ...summary('joins.0.result.join'),
      ...summary('joins.1.result.join'),
      'p99Ratio',
      'joins.0.serverCpuMs',
      'joins.1.serverCpuMs',
      'joins.1.nodeCpuMs.2',
      'joins.1.redisCpuMs',
      'failover.lastResumeMs',
      'failover.lastReannounceMs',
      'failover.lastPlayableMs',
    ]
    expect(notFinite(c, paths)).toEqual([])
  })
})
