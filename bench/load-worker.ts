// One process of the load generator (load-gen.ts starts them): protocol clients (WireClient) that
// connect, join and note when events reach them, on command over the IPC channel. Times are this
// host's monotonic clock (stats.nowMs), comparable with the server's and the parent's.
//   ← {id, op: 'connect', urls, n, offset}   → {id, connectMs: number[]}
//   ← {id, op: 'join', first, calls, concurrency?, heartbeat?, timeoutMs?}
//                                             → {id, joinMs: number[], refused: {message: count}}
// It says {ready: true} once it listens.
//   ← {id, op: 'enter', urls, offset, calls, concurrency, heartbeat?}
//                                             → {id, joinMs, refused} (connect, then join, each)
//   ← {id, op: 'watch', event}                → {id}      (from now on, note each one's arrival)
//   ← {id, op: 'take', event}                 → {id, at: number[]}
//   ← {id, op: 'counts'}                      → {id, events, received}
//   ← {id, op: 'close'}                       → {id}, then the process exits
import { nowMs, pool } from './stats'
import { WireClient } from './wire'

export interface JoinCall {
  params: unknown
  token: string
}

export type WorkerRequest =
  | { op: 'connect'; urls: string[]; n: number; offset: number }
  | {
      op: 'join'
      /** calls[i] is sent by this process's client first + i. */
      first: number
      calls: JoinCall[]
      /** At most this many joins in flight (none: all at once). */
      concurrency?: number
      heartbeat?: boolean
      timeoutMs?: number
    }
  | {
      op: 'enter'
      urls: string[]
      offset: number
      /** One new client each: connects to urls[(offset + i) % urls.length], then joins. */
      calls: JoinCall[]
      concurrency: number
      heartbeat?: boolean
    }
  | { op: 'watch'; event: string }
  | { op: 'take'; event: string }
  | { op: 'counts' }
  | { op: 'close' }

const clients: WireClient[] = []
const arrivals = new Map<string, number[]>()

async function run(m: WorkerRequest): Promise<Record<string, unknown>> {
  switch (m.op) {
    case 'connect': {
      const connectMs: number[] = []
      const fresh = await pool(Array.from({ length: m.n }), 100, async (_, k) => {
        const t0 = nowMs()
        const c = await WireClient.connect(m.urls[(m.offset + k) % m.urls.length])
        connectMs.push(nowMs() - t0)
        return c
      })
      clients.push(...fresh)
      return { connectMs }
    }
    case 'join': {
      const joinMs: number[] = []
      const refused: Record<string, number> = {}
      const join = async (call: JoinCall, i: number) => {
        const sent = nowMs()
        try {
          const c = clients[m.first + i]
          const r = await c.call('join', call.params, call.token, m.timeoutMs)
          joinMs.push(nowMs() - sent)
          if (m.heartbeat) c.startHeartbeat(r.heartbeatMs)
        } catch (e) {
          const why = (e as Error).message
          refused[why] = (refused[why] ?? 0) + 1
        }
      }
      if (m.concurrency) await pool(m.calls, m.concurrency, join)
      else await Promise.all(m.calls.map(join))
      return { joinMs, refused }
    }
    case 'enter': {
      const first = clients.length
      const joinMs: number[] = []
      const refused: Record<string, number> = {}
      await pool(m.calls, m.concurrency, async (call, i) => {
        const c = await WireClient.connect(m.urls[(m.offset + i) % m.urls.length])
        clients[first + i] = c
        const sent = nowMs()
        try {
          const r = await c.call('join', call.params, call.token)
          joinMs.push(nowMs() - sent)
          if (m.heartbeat) c.startHeartbeat(r.heartbeatMs)
        } catch (e) {
          const why = (e as Error).message
          refused[why] = (refused[why] ?? 0) + 1
        }
      })
      return { joinMs, refused }
    }
    case 'watch': {
      const at: number[] = []
      arrivals.set(m.event, at)
      for (const c of clients) c.on(m.event, (_data, t) => at.push(t))
      return {}
    }
    case 'take':
      return { at: arrivals.get(m.event) ?? [] }
    case 'counts':
      return {
        events: clients.reduce((s, c) => s + c.events, 0),
        received: clients.reduce((s, c) => s + c.received, 0),
      }
    case 'close':
      for (const c of clients) c.close()
      return {}
  }
}

process.on('message', (m: WorkerRequest & { id: number }) => {
  run(m).then(
    (out) => {
      process.send?.({ id: m.id, ...out })
      if (m.op === 'close') process.disconnect()
    },
    (e: Error) => process.send?.({ id: m.id, error: e.message }),
  )
})
// The parent went away: so does the load.
process.on('disconnect', () => {
  for (const c of clients) c.close()
  process.exit(0)
})
process.send?.({ ready: true })
