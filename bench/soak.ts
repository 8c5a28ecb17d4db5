// Churn soak: hundreds of SDK clients join, publish, pause, unpublish, leave and lose their network
// at random against one server for a set time; then everyone goes (some cleanly, some by
// vanishing) and the server must come back to nothing: 0 conferences, members, streams and
// sockets once the grace windows have passed, its state consistent throughout, its memory near
// where it started. `npm run soak -- --members 500 --conferences 50 --seconds 60`.
// test/hardening/soak.test.ts runs a short version of the same code.
import { readFileSync } from 'fs'
import { parseArgs } from 'util'
import { createEmedia, createNodeAdapter, type NodeAdapter } from '../sdk/node'
import type { ConferenceServer } from '../server/app'
import { checkInvariants } from '../server/conference/invariants'
import { socketsOf } from '../server/security/sockets'
// The fuzzer's seeded PRNG: one file, because the fuzzer runs as a single eval'd worker script.
import { prng } from '../test/hardening/fuzzer'
import { pushTestPattern, type Pusher } from '../test/helpers/ffmpeg'
import { startServer } from '../test/helpers/server'

type Rand = ReturnType<typeof prng>

export interface SoakOptions {
  members: number
  conferences: number
  durationMs: number
  /** Server grace window: how long vanished members (and empty conferences) are kept. */
  graceMs: number
  /** How many members push real media (ffmpeg) when they publish; the rest signal only. */
  mediaSample: number
  seed: number
  /** Progress lines (the CLI prints them; the test keeps quiet). */
  log?: (line: string) => void
}

export interface Memory {
  rssMB: number
  heapMB: number
}

export interface SoakResult {
  options: Omit<SoakOptions, 'log'>
  ops: Record<string, number>
  /** SDK call failures by code: limits and races are expected; -1 never is. */
  errors: Record<string, number>
  /** streams: carrying media; published: announced by signalling (media or not). */
  peak: {
    conferences: number
    members: number
    streams: number
    published: number
    sockets: number
  }
  /** The server once everyone left and the grace windows passed. */
  end: { conferences: number; members: number; streams: number; sockets: number; tcp: number }
  /** Distinct invariant violations seen during and after the run (must be empty). */
  violations: string[]
  memory: { before: Memory; after: Memory }
  drainMs: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function memory(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc) for (let i = 0; i < 3; i++) gc()
  const m = process.memoryUsage()
  return { rssMB: Math.round(m.rss / 1048576), heapMB: Math.round(m.heapUsed / 1048576) }
}

/** ESTABLISHED TCP connections to `port` on this machine (Linux), -1 where /proc is missing. */
export function tcpConnectionsTo(port: number): number {
  try {
    const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`
    const rows = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((f) =>
      readFileSync(f, 'utf8').split('\n').slice(1),
    )
    return rows.filter((row) => {
      const cols = row.trim().split(/\s+/)
      return cols[1]?.endsWith(hex) && cols[3] === '01'
    }).length
  } catch {
    return -1
  }
}

/** One phone: a client on its own adapter, doing one random thing at a time. */
class Member {
  readonly adapter: NodeAdapter = createNodeAdapter()
  readonly emedia
  private down = false
  private pusher: Pusher | null = null

  constructor(
    server: ConferenceServer,
    readonly userId: string,
    private readonly media: boolean,
    private readonly ops: Record<string, number>,
  ) {
    const token = server.tokens.mintUser(userId, 3600)
    this.emedia = createEmedia({
      adapter: this.adapter,
      config: { host: server.wsUrl, token, logLevel: 'silent' },
    })
    // What the pusher component does after a resume: push again on the fresh URL.
    this.emedia.mgr.on('reconnected', (info) => {
      this.count('resumed')
      if (this.media && info.published[0] && !this.pusher) this.push(info.published[0].rtmp)
    })
    this.emedia.mgr.on('conferenceExit', () => this.stopMedia())
  }

  private count(op: string) {
    this.ops[op] = (this.ops[op] ?? 0) + 1
  }

  private push(url: string) {
    this.pusher = pushTestPattern(url, { width: 160, height: 90, fps: 5 })
  }

  private stopMedia() {
    void this.pusher?.stop()
    this.pusher = null
  }

  async step(r: Rand, conferences: number): Promise<void> {
    const mgr = this.emedia.mgr
    if (this.down) {
      // Back after a short loss (resume), or later than the grace window (exit, then rejoin).
      if (r.chance(0.4)) {
        this.adapter.setNetwork(true)
        this.down = false
        this.count('network-back')
      }
      return
    }
    const state = mgr.getConnectionState()
    if (state === 'reconnecting' || state === 'connecting') return
    if (state !== 'joined') {
      await mgr.joinRoom({ roomName: `soak-${r.int(conferences)}`, role: r.chance(0.15) ? 1 : 3 })
      this.count('join')
      return
    }
    const own = mgr.getPublished()[0]
    const roll = r.next()
    if (roll < 0.25) {
      if (own || (mgr.getSelf()?.role ?? 1) === 1) return
      const pub = await mgr.pubStream('cam')
      this.count('publish')
      if (this.media) this.push(pub.data.rtmp)
    } else if (roll < 0.5) {
      if (!own) return
      const flip = [mgr.pauseVideo, mgr.resumeVideo, mgr.pauseAudio, mgr.resumeAudio][r.int(4)]
      await flip.call(mgr, own.stream)
      this.count('pause/resume')
    } else if (roll < 0.6) {
      if (!own) return
      this.stopMedia()
      await mgr.unpubStream(own.stream)
      this.count('unpublish')
    } else if (roll < 0.72) {
      this.stopMedia()
      await mgr.exitConference()
      this.count('leave')
    } else if (roll < 0.84) {
      this.stopMedia()
      this.adapter.setNetwork(false)
      this.down = true
      this.count('drop')
    }
  }

  /** The end: leave cleanly, or vanish (the server finds out by the socket and the grace). */
  async finish(cleanly: boolean): Promise<void> {
    this.stopMedia()
    if (cleanly && !this.down) await this.emedia.mgr.exitConference().catch(() => undefined)
    else this.adapter.setNetwork(false)
    await this.emedia.mgr.disconnect().catch(() => undefined)
    await this.pusher?.stop()
  }
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const log = o.log ?? (() => undefined)
  const r = prng(o.seed)
  // One machine plays every phone: the per-address limits would see one huge NAT.
  const server = await startServer({
    graceMs: o.graceMs,
    maxSocketsPerAddress: 0,
    msgRatePerAddress: 0,
  })
  const port = Number(new URL(server.httpUrl).port)
  const sockets = socketsOf(server.service)!
  const before = memory()
  const ops: Record<string, number> = {}
  const errors: Record<string, number> = {}
  const violations = new Set<string>()
  const peak = { conferences: 0, members: 0, streams: 0, published: 0, sockets: 0 }
  let members: Member[] = []
  try {
    for (let i = 0; i < o.members; i++)
      members.push(new Member(server, `m${i}`, i < o.mediaSample, ops))

    const deadline = Date.now() + o.durationMs
    const monitor = setInterval(() => {
      const s = server.service.stats()
      peak.conferences = Math.max(peak.conferences, s.conferences)
      peak.members = Math.max(peak.members, s.members)
      peak.streams = Math.max(peak.streams, s.streams)
      let published = 0
      for (const c of server.service.conferences.values()) published += c.streams.size
      peak.published = Math.max(peak.published, published)
      peak.sockets = Math.max(peak.sockets, sockets.size)
      for (const v of checkInvariants(server.service)) violations.add(v)
      log(
        `  ${JSON.stringify({ ...s, sockets: sockets.size, ops: Object.values(ops).reduce((a, b) => a + b, 0) })}`,
      )
    }, 1000)
    await Promise.all(
      members.map(async (m) => {
        await sleep(r.int(1000))
        while (Date.now() < deadline) {
          await m.step(r, o.conferences).catch((e: { code?: number }) => {
            const code = String(e?.code ?? 'throw')
            errors[code] = (errors[code] ?? 0) + 1
          })
          await sleep(200 + r.int(1800))
        }
      }),
    )
    clearInterval(monitor)

    log('  everyone goes: half leave, half vanish')
    const leftAt = Date.now()
    await Promise.all(members.map((m) => m.finish(r.chance(0.5))))
    members = []
    // Vanished members wait out one grace window, then their empty conferences another.
    const drained = () => {
      const s = server.service.stats()
      return (
        s.conferences + s.members + s.streams + sockets.size === 0 && tcpConnectionsTo(port) <= 0
      )
    }
    const until = Date.now() + 2 * o.graceMs + 10000
    while (!drained() && Date.now() < until) await sleep(100)
    const drainMs = Date.now() - leftAt
    for (const v of checkInvariants(server.service)) violations.add(v)
    const end = { ...server.service.stats(), sockets: sockets.size, tcp: tcpConnectionsTo(port) }
    const after = memory()
    const { log: _drop, ...options } = o
    return {
      options,
      ops,
      errors,
      peak,
      end,
      violations: [...violations],
      memory: { before, after },
      drainMs,
    }
  } finally {
    await Promise.all(members.map((m) => m.finish(false)))
    await server.stop()
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      members: { type: 'string', default: '500' },
      conferences: { type: 'string', default: '50' },
      seconds: { type: 'string', default: '60' },
      'grace-ms': { type: 'string', default: '3000' },
      media: { type: 'string', default: '3' },
      seed: { type: 'string', default: String(Date.now() % 1e9) },
    },
  })
  const options: SoakOptions = {
    members: Number(values.members),
    conferences: Number(values.conferences),
    durationMs: Number(values.seconds) * 1000,
    graceMs: Number(values['grace-ms']),
    mediaSample: Number(values.media),
    seed: Number(values.seed),
    log: (line) => console.log(line),
  }
  if (!(globalThis as { gc?: unknown }).gc)
    console.log('(run node with --expose-gc for exact memory figures)')
  console.log(`soak: ${JSON.stringify({ ...options, log: undefined })}`)
  const result = await runSoak(options)
  console.log(JSON.stringify(result, null, 2))
  const clean =
    result.violations.length === 0 &&
    Object.values(result.end).every((n) => n <= 0) &&
    !result.errors['-1']
  console.log(clean ? 'soak: clean' : 'soak: FAILED')
  process.exit(clean ? 0 : 1)
}

// Run as a program (npm run soak), not when imported by the test.
if (/soak\.js$/.test(process.argv[1] ?? '')) void main()
