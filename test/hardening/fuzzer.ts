// A protocol fuzzer: many sockets from several loopback addresses send malformed, random,
// oversize and out-of-order frames, plus well-formed requests aimed at real conferences, members
// and streams (its own and other people's, learnt from replies). Seeded, bounded in time.
import { basename } from 'path'
import { Worker } from 'worker_threads'
import WebSocket from 'ws'
import type { MethodName } from 'miniprogram-conference-protocol'
import { prng, type Rand } from '../../testkit/prng'

/** Users the lanes play (fz0…), and others whose tokens they present to be refused. */
const LANE_USERS = 40
const OTHER_USERS = 5
const ROLES = [undefined, 1, 3, 7, 9] as const

/** What the fuzzer aims at: ids it was given (someone else's conference) and ids it learnt. */
export interface Pools {
  confrIds: Set<string>
  memberIds: Set<string>
  streamIds: Set<string>
  rooms: Set<string>
  /** getMembers cursors the server handed out (join's membersCursor, getMembers' cursor). */
  cursors: Set<string>
  users: string[]
  resumes: Array<{ confrId: string; memberId: string; resumeToken: string }>
}

export interface FuzzOptions {
  url: string
  addresses: string[]
  socketsPerAddress: number
  /** Stop once this many frames are sent… */
  frames: number
  /** …or after this long, whichever comes first. */
  maxDurationMs: number
  /** Frames per second per socket, kept under the server's msgRate so most get through. */
  ratePerSocket: number
  /**
   * Frames a socket may have unanswered (floods excepted): the load follows what the server can
   * serve instead of piling up in its socket buffers, on a busy machine too.
   */
  window: number
  maxFrameBytes: number
  seed: number
  pools: Pools
  token(user: string, maxRole?: 1 | 3 | 7 | 9): string
}

export interface FuzzStats {
  frames: number
  sockets: number
  replies: number
  /** Error code → count of error replies. */
  errors: Record<string, number>
  /** Close code → count of sockets the server closed. */
  closes: Record<string, number>
  /** Replies with code -1: the server failed on input instead of refusing it. */
  internal: string[]
  elapsedMs: number
}

const METHODS: Array<MethodName | string> = [
  'auth',
  'createConference',
  'getConferenceTkt',
  'getConferenceInfo',
  'join',
  'resume',
  'exit',
  'destroy',
  'kick',
  'grantRole',
  'publish',
  'unpublish',
  'subscribe',
  'unsubscribe',
  'setMedia',
  'setAttrs',
  'deleteAttrs',
  'getMembers',
  'muteMembers',
  'muteAll',
  'lockConference',
  'raiseHand',
  'lowerHand',
  'inviteToSpeak',
  'answerSpeakInvitation',
  'sendMessage',
  'getMessages',
  'createInvitation',
  'ping',
  'toString',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'launchRockets',
]

/** The protocol's own methods: METHODS up to 'ping'; the rest are names that are not. */
const REAL_METHODS = METHODS.indexOf('ping') + 1

/** Stands for a nested array in the frame text: too deep for JSON.stringify to write here. */
const DEEP = '\u0000DEEP'
const DEEP_JSON = /"\\u0000DEEP(\d+)"/g
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '💥'.repeat(40),
  '../../etc/passwd',
  '%s%n',
  'null',
]
const NASTY_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', '', 'a'.repeat(300)]

function randString(r: Rand): string {
  switch (r.int(5)) {
    case 0:
      return r.pick(NASTY_STRINGS)
    case 1:
      return 'x'.repeat(r.int(5000))
    case 2:
      return String.fromCharCode(...Array.from({ length: r.int(40) }, () => r.int(0x10000)))
    default:
      return Math.random()
        .toString(36)
        .slice(2, 2 + r.int(12))
  }
}

function randValue(r: Rand, depth = 0): unknown {
  switch (r.int(depth > 3 ? 5 : 8)) {
    case 0:
      return r.pick([0, -1, 1, 3, 7, 9, 10, 11, 12, 1e308, -1e308, 2 ** 53, 0.5, -0])
    case 1:
      return randString(r)
    case 2:
      return r.chance(0.5)
    case 3:
      return null
    case 4:
      return r.int(100)
    case 5:
      return Array.from({ length: r.int(6) }, () => randValue(r, depth + 1))
    default: {
      const o: Record<string, unknown> = {}
      for (let i = r.int(6); i > 0; i--)
        o[r.chance(0.3) ? r.pick(NASTY_KEYS) : randString(r).slice(0, 20)] = randValue(r, depth + 1)
      return o
    }
  }
}

const some = <T>(r: Rand, s: Set<T> | T[], fallback: T): T => {
  const xs = Array.isArray(s) ? s : [...s]
  return xs.length ? r.pick(xs) : fallback
}

/** Well-formed params for `method`, aimed at real (or plausible) targets. */
function plausible(
  r: Rand,
  method: string,
  p: Pools,
  token: (user: string) => string,
): Record<string, unknown> {
  const confrId = some(r, p.confrIds, 'CF_nope')
  const streamId = some(r, p.streamIds, 'ST_nope')
  const member = () => (r.chance(0.5) ? some(r, p.memberIds, 'MS_nope') : some(r, p.users, 'u'))
  const room = r.chance(0.7) ? `fz-${r.int(12)}` : some(r, p.rooms, 'fz-0')
  switch (method) {
    case 'auth':
      return { token: r.chance(0.5) ? token(some(r, p.users, 'u')) : randString(r) }
    case 'createConference':
      return { type: r.pick([10, 11, 12]), password: r.chance(0.3) ? 'pw' : undefined }
    case 'getConferenceTkt':
    case 'getConferenceInfo':
      return { confrId, password: r.pick(['pw', '', 'guess', randString(r).slice(0, 100)]) }
    case 'join':
      return r.chance(0.6)
        ? { roomName: room, password: r.chance(0.2) ? 'pw' : undefined, role: r.pick([1, 3, 7, 9]) }
        : { confrId, password: r.pick(['pw', 'guess']), ext: { n: r.int(9) }, nickName: 'fz' }
    case 'resume': {
      const known = r.chance(0.5) && p.resumes.length ? r.pick(p.resumes) : null
      return known
        ? { ...known, resumeToken: r.chance(0.5) ? known.resumeToken : 'garbage' }
        : { confrId, memberId: member(), resumeToken: randString(r).slice(0, 128) || 'x' }
    }
    case 'exit':
    case 'destroy':
      return { confrId }
    case 'kick':
      return { confrId, memberNames: [member(), member()] }
    case 'grantRole':
      return { confrId, memberNames: [member()], role: r.pick([1, 3, 7, 9]) }
    case 'publish':
      return { confrId, rtcId: `cam${r.int(3)}`, voff: r.pick([0, 1]) }
    case 'unpublish':
    case 'subscribe':
    case 'unsubscribe':
      return { streamId }
    case 'setMedia':
      return { streamId, voff: r.pick([0, 1]), aoff: r.pick([0, 1]) }
    case 'setAttrs':
      return { confrId, key: `k${r.int(150)}`, val: 'v'.repeat(r.int(4096)) }
    case 'deleteAttrs':
      return { confrId, key: `k${r.int(150)}` }
    case 'getMembers': {
      const cursor = r.chance(0.6) ? some(r, p.cursors, 'garbage') : undefined
      return {
        confrId,
        cursor,
        limit: r.chance(0.5) ? r.pick([1, 2, 100, 500, 501, 0]) : undefined,
      }
    }
    case 'muteMembers':
      return { confrId, memberNames: [member()], audio: r.chance(0.7), video: r.chance(0.3) }
    case 'muteAll':
      return { confrId, audio: r.chance(0.5), allowSelfUnmute: r.chance(0.5) }
    case 'lockConference':
      // Mostly unlocking: a locked room would refuse the fuzzer's own joins for the rest of a run.
      return { confrId, locked: r.chance(0.2) }
    case 'raiseHand':
      return { confrId }
    case 'lowerHand':
      return r.chance(0.5) ? { confrId } : { confrId, memberName: member() }
    case 'inviteToSpeak':
      return { confrId, memberName: member() }
    case 'answerSpeakInvitation':
      return { confrId, accept: r.chance(0.5) }
    case 'sendMessage':
      return r.chance(0.7)
        ? {
            confrId,
            text: randString(r).slice(0, 1100) || 'x',
            to: r.chance(0.2) ? [member()] : undefined,
          }
        : { confrId, custom: randValue(r) }
    case 'getMessages':
      return {
        confrId,
        before: r.chance(0.5) ? r.int(200) : undefined,
        limit: r.pick([1, 20, 100, 101, 0]),
      }
    case 'createInvitation':
      return { confrId, ttlSec: r.pick([undefined, 59, 60, 3600, 604801]) }
    default:
      return {}
  }
}

/** Breaks well-formed params a little: a missing field, a wrong type, an extra key, a huge value. */
function mutate(r: Rand, params: Record<string, unknown>): unknown {
  const out: Record<string, unknown> = { ...params }
  const keys = Object.keys(out)
  switch (r.int(6)) {
    case 0:
      if (keys.length) delete out[r.pick(keys)]
      break
    case 1:
      if (keys.length) out[r.pick(keys)] = randValue(r)
      break
    case 2:
      out[r.pick(NASTY_KEYS)] = randValue(r)
      break
    case 3:
      return randValue(r)
    case 4:
      if (keys.length) out[r.pick(keys)] = 'y'.repeat(2000 + r.int(60000))
      break
    default: {
      // Nesting: shallow enough to store, or too deep to serialise.
      const depth = r.pick([50, 2000, 20000])
      out.ext = { a: `${DEEP}${depth}` }
    }
  }
  return out
}

interface Lane {
  ws: WebSocket | null
  user: string
  role: 1 | 3 | 7 | 9
  nextId: number
  /** Frames owed at the lane's rate (ticks are coarser than one frame). */
  credit: number
  /** Frames sent on this socket and not answered yet. */
  inFlight: number
  flooder: boolean
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzStats> {
  const r = prng(o.seed)
  const stats: FuzzStats = {
    frames: 0,
    sockets: 0,
    replies: 0,
    errors: {},
    closes: {},
    internal: [],
    elapsedMs: 0,
  }
  const started = Date.now()
  const deadline = started + o.maxDurationMs
  const sent = new Map<string, string>() // "lane:id" → method, to learn from results
  // Minted once per user and role: signing is not what is being tested.
  const minted = new Map<string, string>()
  const token = (user: string, role?: 1 | 3 | 7 | 9) => {
    const k = `${user}/${role}`
    let t = minted.get(k)
    if (!t) minted.set(k, (t = o.token(user, role)))
    return t
  }

  function learn(method: string, result: Record<string, any>) {
    const conf = result?.conference
    if (conf?.confrId) o.pools.confrIds.add(conf.confrId)
    if (result?.confrId) o.pools.confrIds.add(result.confrId)
    if (conf?.name) o.pools.rooms.add(conf.name)
    if (result?.self?.id) {
      o.pools.memberIds.add(result.self.id)
      if (result.resumeToken && o.pools.resumes.length < 500)
        o.pools.resumes.push({
          confrId: conf.confrId,
          memberId: result.self.id,
          resumeToken: result.resumeToken,
        })
    }
    if (result?.stream?.id) o.pools.streamIds.add(result.stream.id)
    if (method === 'join') for (const s of result?.streams ?? []) o.pools.streamIds.add(s.id)
    const cursor = result?.membersCursor ?? result?.cursor
    if (typeof cursor === 'string' && o.pools.cursors.size < 500) o.pools.cursors.add(cursor)
  }

  function onMessage(lane: Lane, key: string, data: WebSocket.RawData) {
    let f: {
      id?: unknown
      result?: any
      error?: { code: number; message: string }
      event?: string
      data?: any
    }
    try {
      f = JSON.parse(data.toString())
    } catch {
      stats.internal.push(`server sent a frame that is not JSON: ${data.toString().slice(0, 80)}`)
      return
    }
    if (f.event) {
      if (f.data?.stream?.id) o.pools.streamIds.add(f.data.stream.id)
      if (f.data?.member?.id) o.pools.memberIds.add(f.data.member.id)
      return
    }
    stats.replies++
    lane.inFlight = Math.max(0, lane.inFlight - 1)
    const method = sent.get(`${key}:${String(f.id)}`) ?? '?'
    sent.delete(`${key}:${String(f.id)}`)
    if (f.error) {
      stats.errors[f.error.code] = (stats.errors[f.error.code] ?? 0) + 1
      if (f.error.code === -1) stats.internal.push(`${method}: ${f.error.message}`)
    } else learn(method, f.result)
  }

  function open(lane: Lane, index: number, address: string) {
    const ws = new WebSocket(o.url, { localAddress: address, maxPayload: 1 << 20 })
    lane.ws = ws
    lane.user = `fz${r.int(LANE_USERS)}`
    lane.role = r.pick([1, 3, 3, 7, 9] as const)
    stats.sockets++
    const key = `${index}:${stats.sockets}`
    // Most sockets say who they are first; the rest stay anonymous (every call then gets -100).
    if (r.chance(0.85))
      ws.once('open', () => {
        ws.send(
          JSON.stringify({ id: 0, method: 'auth', params: { token: token(lane.user, lane.role) } }),
        )
        stats.frames++
      })
    lane.inFlight = 0
    ws.on('message', (d) => onMessage(lane, key, d))
    ws.on('error', () => undefined)
    ws.on('close', (code) => {
      if (Date.now() < deadline) stats.closes[code] = (stats.closes[code] ?? 0) + 1
      if (lane.ws === ws) lane.ws = null
    })
    return key
  }

  /** One frame of a random kind. */
  function frame(lane: Lane, key: string): string | Buffer {
    const id = lane.nextId++
    const roll = r.next()
    if (roll < 0.08) return r.pick(['{', '[]', 'null', '{"id":', '"x"', randString(r), '{}'])
    if (roll < 0.12) return Buffer.from(Array.from({ length: 1 + r.int(64) }, () => r.int(256)))
    if (roll < 0.2) {
      const env = randValue(r) as Record<string, unknown>
      return JSON.stringify(
        r.chance(0.5) ? env : { id: randValue(r), method: randValue(r), params: env },
      )
    }
    if (roll < 0.201)
      return JSON.stringify({
        id,
        method: 'ping',
        params: { pad: 'z'.repeat(o.maxFrameBytes + 10) },
      })
    const method = r.chance(0.95) ? r.pick(METHODS.slice(0, REAL_METHODS)) : r.pick(METHODS)
    let params: unknown = plausible(r, method, o.pools, (u) => token(u))
    if (r.chance(0.35)) params = mutate(r, params as Record<string, unknown>)
    sent.set(`${key}:${id}`, method)
    // Sockets authenticate when they open; now and then a frame presents a token again: its
    // own, another user's (refused: a socket keeps its user) or garbage.
    const roll2 = r.next()
    const presented =
      roll2 < 0.03
        ? token(lane.user, lane.role)
        : roll2 < 0.05
          ? token(`other${r.int(OTHER_USERS)}`)
          : roll2 < 0.08
            ? randString(r).slice(0, 4096) || undefined
            : undefined
    const text = JSON.stringify({
      id: r.chance(0.02) ? randValue(r) : id,
      method,
      params,
      token: presented,
    })
    return text.replace(DEEP_JSON, (_, d) => '['.repeat(Number(d)) + ']'.repeat(Number(d)))
  }

  const lanes: Array<{ lane: Lane; key: string; address: string; index: number }> = []
  o.addresses.forEach((address, a) => {
    for (let i = 0; i < o.socketsPerAddress; i++) {
      const index = a * o.socketsPerAddress + i
      const lane: Lane = {
        ws: null,
        user: '',
        role: 3,
        nextId: 1,
        credit: 0,
        inFlight: 0,
        flooder: index % 16 === 0,
      }
      lanes.push({ lane, key: open(lane, index, address), address, index })
    }
  })

  const TICK_MS = 50
  const perTick = (o.ratePerSocket * TICK_MS) / 1000
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (Date.now() >= deadline || stats.frames >= o.frames) {
        clearInterval(timer)
        resolve()
        return
      }
      for (const l of lanes) {
        if (!l.lane.ws) {
          if (r.chance(0.3)) l.key = open(l.lane, l.index, l.address) // the server closed it: come back
          continue
        }
        if (l.lane.ws.readyState !== WebSocket.OPEN) continue
        // Flooders now and then send a burst over the socket's limit (msgBurst 100 by default).
        const lane = l.lane
        const ws = lane.ws
        if (!ws) continue
        lane.credit = Math.min(lane.credit + perTick, o.window)
        const flood = lane.flooder && r.chance(0.02)
        const n = flood ? 150 : Math.min(Math.floor(lane.credit), o.window - lane.inFlight)
        if (!flood) lane.credit -= Math.max(0, n)
        for (let k = 0; k < n; k++) {
          ws.send(frame(lane, l.key))
          lane.inFlight++
          stats.frames++
        }
      }
    }, TICK_MS)
  })
  for (const l of lanes) l.lane.ws?.terminate()
  stats.elapsedMs = Date.now() - started
  return stats
}

type WorkerOptions = Omit<FuzzOptions, 'token'>
interface WorkerInput {
  options: WorkerOptions
  tokens: Record<string, string>
}

/**
 * Runs the fuzzer on a thread of its own (the machine's other core), so that generating the load
 * does not slow the server under test. Tests run from TypeScript source, so this file and what it
 * imports are bundled for the worker on the fly (esbuild); tokens are minted here, where the
 * server's signer is.
 */
export async function runFuzzInWorker(
  options: WorkerOptions,
  token: FuzzOptions['token'],
): Promise<FuzzStats> {
  const users = new Set(options.pools.users)
  for (let i = 0; i < LANE_USERS; i++) users.add(`fz${i}`)
  for (let i = 0; i < OTHER_USERS; i++) users.add(`other${i}`)
  const tokens: Record<string, string> = {}
  for (const u of users) for (const role of ROLES) tokens[`${u}/${role}`] = token(u, role)
  // Loaded only where a worker is started: the worker's bundle leaves it out. Stopped at once:
  // its service process would outlive the test (the run's teardown counts it as left running).
  // eslint-disable-next-line @typescript-eslint/consistent-type-imports
  const esbuild: typeof import('esbuild') = require('esbuild')
  const bundle = await esbuild
    .build({
      stdin: {
        contents: `require('./${basename(__filename)}').workerMain()`,
        resolveDir: __dirname,
        loader: 'js',
      },
      bundle: true,
      platform: 'node',
      target: 'node20',
      external: ['ws', 'esbuild'],
      write: false,
    })
    .finally(() => esbuild.stop())
  const input: WorkerInput = { options, tokens }
  const worker = new Worker(bundle.outputFiles[0].text, { eval: true, workerData: input })
  return new Promise<FuzzStats>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`fuzz worker exited with ${code}`)))
  })
}

/** The worker's side of runFuzzInWorker. */
export function workerMain(): void {
  // eslint-disable-next-line @typescript-eslint/consistent-type-imports
  const { parentPort, workerData } = require('worker_threads') as typeof import('worker_threads')
  const { options, tokens } = workerData as WorkerInput
  void runFuzz({ ...options, token: (u, role) => tokens[`${u}/${role}`] ?? 'unknown-user' }).then(
    (stats) => parentPort!.postMessage(stats),
  )
}
