// Media benchmarks for one engine (embedded node-media-server or nginx-rtmp), each scenario on a
// fresh server child: latency the engine adds to a frame, time from starting a player to its
// first decoded frame, and the engine's CPU and RSS in 4-, 9- and 16-person rooms.
import { spawn } from 'child_process'
import { createHash } from 'crypto'
import { Recovery } from '../components/common/recovery'
import type { createEmedia } from '../sdk/node'
import type { ServerConfig } from '../server/config'
import { ffmpegPaths } from '../server/media/ffmpeg'
import { type FlvTag, readFlvTags, startPublisher, testPatternFile } from './flv'
import { CpuWindow, rssOf } from './proc'
import { MSG, RtmpClient } from './rtmp'
import { LOAD_OVERRIDES, ServerProc } from './server-proc'
import type { Log } from './signalling'
import { median, nowMs, pool, round, summarize, type Summary } from './stats'
import { sleep } from '../testkit/wait'

/**
 * What is measured: the embedded engine; nginx-rtmp with players on nginx itself (no GOP cache,
 * `--nginx-players nginx`); nginx-rtmp with players on its play edge (the default).
 */
export type EngineName = 'embedded' | 'nginx' | 'nginx-edge'

const ENGINE_CONFIG: Record<EngineName, Partial<ServerConfig>> = {
  embedded: { engine: 'embedded' },
  nginx: { engine: 'nginx', nginxPlayers: 'nginx' },
  'nginx-edge': { engine: 'nginx', nginxPlayers: 'edge' },
}

const frameKey = (data: Buffer) => createHash('md5').update(data).digest('base64')

type Member = ReturnType<typeof createEmedia>

interface Room {
  members: Member[]
  /** Per member: play URLs of the others' streams, once all are live. */
  playUrls: string[][]
  flvUrls: string[][]
  publishers: Awaited<ReturnType<typeof startPublisher>>[]
}

/**
 * `n` SDK members join one room and publish; resolves when everyone holds play URLs for the n−1
 * others' streams. The URLs come from `subStream`, as an app gets them: since protocol 1.2
 * streams carry no URL on the wire, and composing one here would test a copy of the SDK.
 */
async function openRoom(
  srv: ServerProc,
  name: string,
  n: number,
  tags: FlvTag[],
  onSent?: (tag: FlvTag, at: number) => void,
): Promise<Room> {
  const room: Room = { members: [], playUrls: [], flvUrls: [], publishers: [] }
  const failed: string[] = []
  try {
    for (let i = 0; i < n; i++) {
      const member = srv.member(`${name}-${i}`)
      room.members.push(member)
      const urls: string[] = []
      const flvs: string[] = []
      member.mgr.on('streamAdded', (s) => {
        member.mgr.subStream(s).then(
          (r) => {
            urls.push(r.data.rtmp)
            if (r.data.flv) flvs.push(r.data.flv)
          },
          (e: { message?: string }) => failed.push(`subStream ${s.id}: ${e.message ?? String(e)}`),
        )
      })
      room.playUrls.push(urls)
      room.flvUrls.push(flvs)
      await member.mgr.joinRoom({ roomName: name, password: '', role: 3 })
    }
    for (const [i, member] of room.members.entries()) {
      const pub = await member.mgr.pubStream(`${name}-${i}`)
      room.publishers.push(await startPublisher(pub.data.rtmp, tags, i === 0 ? onSent : undefined))
    }
    const deadline = nowMs() + 15000
    while (room.playUrls.some((u) => u.length < n - 1)) {
      if (failed.length) throw new Error(`${name}: ${failed.join('; ')}`)
      if (nowMs() > deadline) throw new Error(`${name}: not every stream was announced in 15 s`)
      await sleep(20)
    }
    return room
  } catch (e) {
    await closeRoom(room)
    throw e
  }
}

async function closeRoom(room: Room) {
  for (const p of room.publishers) p.client.close()
  await Promise.all(room.members.map((m) => m.mgr.disconnect().catch(() => undefined)))
}

export async function startReader(url: string): Promise<RtmpClient> {
  const { client, name } = await RtmpClient.open(url)
  try {
    await client.play(name)
  } catch (e) {
    client.close()
    throw e
  }
  return client
}

// ---- added latency ----

/**
 * A publisher and a player in this process: the time a video message was handed to the
 * publishing socket and the time the same message (matched by a hash of its payload, which no
 * engine rewrites) arrived on the playing socket. Frames sent in the player's first second are
 * left out (the GOP cache replays older ones).
 */
async function addedLatency(srv: ServerProc, tags: FlvTag[], seconds: number): Promise<Summary> {
  const sentAt = new Map<string, number>()
  const room = await openRoom(srv, 'latency', 2, tags, (tag, at) => {
    if (tag.type === MSG.video) sentAt.set(frameKey(tag.data), at)
  })
  const deltas: number[] = []
  try {
    const reader = await startReader(room.playUrls[1][0])
    const from = nowMs() + 1000
    reader.onMedia = (m, at) => {
      if (m.type !== MSG.video) return
      const sent = sentAt.get(frameKey(m.payload))
      if (sent !== undefined && sent >= from) deltas.push(at - sent)
    }
    await sleep(seconds * 1000)
    reader.close()
  } finally {
    await closeRoom(room)
  }
  return summarize(deltas)
}

// ---- first decoded frame ----

/**
 * Spawn ffmpeg as a player; ms from spawn to its first decoded frame on stdout (null: none).
 * `-probesize 32` works over RTMP; over HTTP-FLV ffmpeg then stops probing at the metadata tag
 * and finds no video stream at all, so HTTP-FLV gets the smallest value that reaches the
 * sequence headers (2048).
 */
function firstFrame(
  input: string,
  probesize: number,
  inputOptions: string[] = [],
  timeoutMs = 8000,
): Promise<number | null> {
  const args = ['-hide_banner', '-loglevel', 'error', '-probesize', String(probesize)]
  args.push('-analyzeduration', '0', ...inputOptions, '-i', input, '-frames:v', '1')
  args.push('-f', 'rawvideo', '-pix_fmt', 'gray', '-')
  const t0 = nowMs()
  const proc = spawn(ffmpegPaths().ffmpeg, args, { stdio: ['ignore', 'pipe', 'ignore'] })
  return new Promise((resolve) => {
    let first: number | null = null
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs)
    proc.stdout.once('data', () => (first = nowMs() - t0))
    proc.stdout.resume()
    proc.on('exit', () => {
      clearTimeout(timer)
      resolve(first)
    })
  })
}

/** The engine alone: ms from TCP connect to the first video message on a raw RTMP reader. */
async function firstVideoMessage(url: string, timeoutMs = 8000): Promise<number | null> {
  const t0 = nowMs()
  const reader = await startReader(url)
  try {
    return await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs)
      reader.onMedia = (m, at) => {
        if (m.type !== MSG.video) return
        clearTimeout(timer)
        resolve(at - t0)
      }
    })
  } finally {
    reader.close()
  }
}

/**
 * A <player-tile> recovering from a black screen: its live-player reports -2301 (the connection
 * dropped), the tile's own Recovery (components/common/recovery.ts) waits its first backoff and
 * replays. A player of the same URL stands in for the live-player (an RTMP play, as the tile's);
 * ms from the failure to the first decoded frame after the replay.
 */
function tileRecovery(url: string, inputOptions: string[]): Promise<number | null> {
  const failedAt = nowMs()
  return new Promise((resolve) => {
    const recovery = new Recovery({
      retry: () => {
        const replayAt = nowMs()
        void firstFrame(url, 32, inputOptions).then((ms) => {
          recovery.stop()
          resolve(ms === null ? null : replayAt - failedAt + ms)
        })
      },
      remount: () => undefined,
      refresh: () => undefined,
    })
    recovery.failed()
  })
}

export interface FirstFrame {
  what: string
  samples: number[]
  median: number
  failed: number
}

const GOP_MS = 1000

/**
 * `count` players one after another, each started at its own point of the GOP — evenly spread
 * over the second between two key frames sent at `anchor` + k·GOP_MS — since an engine without
 * a GOP cache makes a player wait for the next one. One uncounted run first, unless `warmup` is
 * false (the first ffmpeg start of a scenario pays for a cold page cache).
 */
async function sampleFirst(
  what: string,
  count: number,
  once: () => Promise<number | null>,
  anchor = nowMs(),
  warmup = true,
): Promise<FirstFrame> {
  const samples: number[] = []
  let failed = 0
  if (warmup) await once()
  for (let i = 0; i < count; i++) {
    const target = ((i + 0.5) / count) * GOP_MS
    const phase = (nowMs() - anchor) % GOP_MS
    await sleep((target - phase + GOP_MS) % GOP_MS)
    const ms = await once()
    if (ms === null) failed++
    else samples.push(round(ms))
  }
  return { what, samples, median: round(median(samples)), failed }
}

// ---- rooms ----

export interface RoomLoad {
  persons: number
  publishers: number
  players: number
  /** Engine: the server process (embedded) or the nginx master + worker. */
  cpuPct: number
  rssMB: number
  idleRssMB: number
  /** The server process beside nginx (signalling, callbacks); null for embedded. */
  serverCpuPct: number | null
  /** What the players received during the window, all together. */
  deliveredMbps: number
  stalledPlayers: number
  /** This process (publishers + readers) over the same window: is the machine saturated? */
  loadGenCpuPct: number
}

async function roomLoad(
  engine: EngineName,
  tags: FlvTag[],
  n: number,
  { windowMs, warmupMs }: { windowMs: number; warmupMs: number },
) {
  const srv = await ServerProc.start({ ...LOAD_OVERRIDES, ...ENGINE_CONFIG[engine] })
  const nginx = engine !== 'embedded'
  // The play edge runs in the server process: its players' cost is under "+ server".
  const enginePids = () => (nginx ? srv.nginxPids() : srv.serverPids())
  let room: Room | null = null
  const readers: RtmpClient[] = []
  try {
    await sleep(300)
    const idleRssMB = rssOf(enginePids())
    room = await openRoom(srv, `room${n}`, n, tags)
    const urls = room.playUrls.flat()
    readers.push(...(await pool(urls, 40, (u) => startReader(u))))
    await sleep(warmupMs) // every player past its first GOP
    const engineCpu = new CpuWindow(enginePids)
    const serverCpu = new CpuWindow(() => srv.serverPids())
    const bytes0 = readers.map((r) => r.bytesIn)
    engineCpu.start()
    serverCpu.start()
    const t0 = nowMs()
    const own0 = process.cpuUsage()
    await sleep(windowMs)
    const cpuPct = engineCpu.stop()
    const serverCpuPct = serverCpu.stop()
    const own = process.cpuUsage(own0)
    const secs = (nowMs() - t0) / 1000
    const got = readers.map((r, i) => r.bytesIn - bytes0[i])
    const load: RoomLoad = {
      persons: n,
      publishers: n,
      players: readers.length,
      cpuPct: round(cpuPct, 1),
      rssMB: round(rssOf(enginePids()), 1),
      idleRssMB: round(idleRssMB, 1),
      serverCpuPct: nginx ? round(serverCpuPct, 1) : null,
      deliveredMbps: round((got.reduce((a, b) => a + b, 0) * 8) / secs / 1e6, 1),
      stalledPlayers: got.filter((b) => b === 0).length,
      loadGenCpuPct: round((own.user + own.system) / 1e4 / secs, 1),
    }
    return load
  } finally {
    for (const r of readers) r.close()
    if (room) await closeRoom(room)
    await srv.stop()
  }
}

// ---- one engine ----

export interface EngineResult {
  engine: EngineName
  addedLatency: Summary
  firstFrame: FirstFrame[]
  rooms: RoomLoad[]
}

/** What one engine's run measures and for how long (run.ts's smoke shrinks all of it). */
export interface MediaSizes {
  roomSizes: number[]
  /** Room cost: players past their first GOP, then the measured window. */
  warmupMs: number
  windowMs: number
  firstFrameSamples: number
  /** One uncounted first-frame run before each kind's samples. */
  firstFrameWarmup: boolean
  latencySeconds: number
  /** Length of the publishers' test pattern (they stop at its end). */
  patternSeconds: number
  floorSamples: number
}

export const MEDIA_SIZES: MediaSizes = {
  roomSizes: [4, 9, 16],
  warmupMs: 3000,
  windowMs: 8000,
  firstFrameSamples: 7,
  firstFrameWarmup: true,
  latencySeconds: 8,
  patternSeconds: 60,
  floorSamples: 5,
}

export async function benchEngine(
  engine: EngineName,
  log: Log,
  sizes: MediaSizes = MEDIA_SIZES,
): Promise<EngineResult> {
  const { roomSizes, firstFrameSamples } = sizes
  const file = await testPatternFile(sizes.patternSeconds)
  const tags = readFlvTags(file)
  const srv = await ServerProc.start({ ...LOAD_OVERRIDES, ...ENGINE_CONFIG[engine] })
  let latency: Summary
  const first: FirstFrame[] = []
  try {
    latency = await addedLatency(srv, tags, sizes.latencySeconds)
    log(
      `  ${engine}: added latency p50 ${latency.p50} ms p99 ${latency.p99} ms (${latency.n} frames)`,
    )
    const room = await openRoom(srv, 'first-frame', 2, tags)
    try {
      const rtmp = room.playUrls[1][0]
      const flv = room.flvUrls[1][0]
      const gop = room.publishers[0].acceptedAt
      const sample = (what: string, once: () => Promise<number | null>) =>
        sampleFirst(what, firstFrameSamples, once, gop, sizes.firstFrameWarmup)
      first.push(await sample('rtmp', () => firstFrame(rtmp, 32)))
      // ffmpeg leaves Nagle on by default: its small RTMP requests meet delayed ACKs.
      const nodelay = ['-tcp_nodelay', '1']
      first.push(await sample('rtmp-nodelay', () => firstFrame(rtmp, 32, nodelay)))
      if (flv) first.push(await sample('http-flv', () => firstFrame(flv, 2048)))
      first.push(await sample('raw-rtmp', () => firstVideoMessage(rtmp)))
      first.push(await sample('tile-recovery', () => tileRecovery(rtmp, nodelay)))
    } finally {
      await closeRoom(room)
    }
    for (const f of first) log(`  ${engine}: first frame, ${f.what}: median ${f.median} ms`)
  } finally {
    await srv.stop()
  }
  const rooms: RoomLoad[] = []
  for (const n of roomSizes) {
    const r = await roomLoad(engine, tags, n, sizes)
    log(
      `  ${engine}: ${n}-person room (${r.players} players): CPU ${r.cpuPct} %, RSS ${r.rssMB} MB, ${r.deliveredMbps} Mbit/s, ${r.stalledPlayers} stalled`,
    )
    rooms.push(r)
  }
  return { engine, addedLatency: latency, firstFrame: first, rooms }
}

/** ffmpeg's own floor: the same player command on the local file (process start, probe, decode). */
export async function ffmpegFloor(sizes: MediaSizes = MEDIA_SIZES): Promise<FirstFrame> {
  const file = await testPatternFile(sizes.patternSeconds)
  const once = () => firstFrame(file, 2048)
  return sampleFirst('local file', sizes.floorSamples, once, nowMs(), sizes.firstFrameWarmup)
}
