// A lean protocol client for load: thousands of these live in one process, so unlike the tests'
// RawClient it keeps no frame history and parses only the events someone listens to (the event
// name is read from the frame's head: the server writes `{"event":"…","data":…}`).
// It heartbeats like the SDK: `ping` every heartbeatMs, the round trip recorded. It declares the
// SDK's protocol revision, so the server sends it what it sends the SDK.
import WebSocket from 'ws'
import { withVersion } from '../sdk/rpc'
import { nowMs } from './stats'

interface Reply {
  id: number
  result?: any
  error?: { code: number; message: string }
}

const EVENT_HEAD = /^\{"event":"([A-Za-z]+)"/

export class WireClient {
  /** Frames sent and received on this socket (after the upgrade). */
  sent = 0
  received = 0
  /** Events (server pushes) received. */
  events = 0
  /** Bytes (UTF-8) of every frame received. */
  bytes = 0
  /** Round trips of heartbeat pings, ms, since the last drain. */
  pingRtts: number[] = []
  closed = false
  private nextId = 1
  private readonly pending = new Map<number, (r: Reply) => void>()
  private readonly listeners = new Map<string, (data: any, at: number) => void>()
  private heartbeat: NodeJS.Timeout | null = null

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw: Buffer) => {
      const at = nowMs()
      this.received++
      // Only the head is decoded until someone needs the rest (a batch of arrivals is big).
      this.bytes += raw.length
      const head = EVENT_HEAD.exec(raw.toString('utf8', 0, 40))
      if (head) {
        this.events++
        const fn = this.listeners.get(head[1])
        if (fn) fn((JSON.parse(raw.toString()) as { data: unknown }).data, at)
        return
      }
      const reply = JSON.parse(raw.toString()) as Reply
      const done = this.pending.get(reply.id)
      if (done) {
        this.pending.delete(reply.id)
        done(reply)
      }
    })
    ws.on('close', () => {
      this.closed = true
      this.stopHeartbeat()
      for (const done of this.pending.values())
        done({ id: 0, error: { code: -1, message: 'socket closed' } })
      this.pending.clear()
    })
    ws.on('error', () => {
      // 'close' follows and settles what is pending
    })
  }

  static connect(url: string, timeoutMs = 15000): Promise<WireClient> {
    const ws = new WebSocket(withVersion(url), { perMessageDeflate: false })
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate()
        reject(new Error('connect timed out'))
      }, timeoutMs)
      ws.once('open', () => {
        clearTimeout(timer)
        resolve(new WireClient(ws))
      })
      ws.once('error', (e) => {
        clearTimeout(timer)
        reject(e)
      })
    })
  }

  /** One request; resolves with the result, rejects with the server's error. */
  call(method: string, params: unknown = {}, token?: string, timeoutMs = 30000): Promise<any> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`${method} timed out`))
      }, timeoutMs)
      this.pending.set(id, (r) => {
        clearTimeout(timer)
        if (r.error) reject(new Error(`${method}: ${r.error.code} ${r.error.message}`))
        else resolve(r.result)
      })
      this.sent++
      this.ws.send(JSON.stringify({ id, method, params, ...(token ? { token } : {}) }))
    })
  }

  /** Listen to one event (one listener per name); `at` is the arrival time, nowMs(). */
  on(event: string, fn: (data: any, at: number) => void) {
    this.listeners.set(event, fn)
  }

  /** Ping every `everyMs`, starting after a random part of it (members do not beat in step). */
  startHeartbeat(everyMs: number) {
    this.stopHeartbeat()
    const beat = () => {
      const t0 = nowMs()
      this.call('ping', {}, undefined, everyMs * 3).then(
        () => this.pingRtts.push(nowMs() - t0),
        () => undefined,
      )
    }
    this.heartbeat = setTimeout(() => {
      beat()
      this.heartbeat = setInterval(beat, everyMs)
    }, Math.random() * everyMs)
  }

  stopHeartbeat() {
    if (this.heartbeat) clearTimeout(this.heartbeat)
    this.heartbeat = null
  }

  close() {
    this.stopHeartbeat()
    this.ws.terminate()
  }
}
