// A bare protocol client over a real WebSocket: what a hostile or buggy client can send, and a
// way to assert on the exact frames the server returns. The SDK has its own tests.
import WebSocket from 'ws'

export interface Frame {
  id?: number | string | null
  result?: any
  error?: { code: number; message: string }
  event?: string
  data?: any
}

export class RawClient {
  readonly frames: Frame[] = []
  /** The frames' text as it arrived (to compare bytes across receivers). */
  readonly texts: string[] = []
  private nextId = 1
  private waiters: Array<() => void> = []
  closed: { code: number; reason: string } | null = null

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.texts.push(d.toString())
      this.frames.push(JSON.parse(d.toString()))
      this.waiters.splice(0).forEach((w) => w())
    })
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() }
      this.waiters.splice(0).forEach((w) => w())
    })
  }

  /**
   * `localAddress` (127.0.0.2, …) makes one machine many clients for per-address limits;
   * `headers` play a proxy's (X-Forwarded-For, X-Real-IP); `agent`, an https one for wss://.
   */
  static connect(url: string, opts: WebSocket.ClientOptions = {}): Promise<RawClient> {
    const ws = new WebSocket(url, opts)
    const client = new RawClient(ws)
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client))
      ws.once('error', reject)
    })
  }

  sendRaw(data: string | Buffer) {
    this.ws.send(data)
  }

  /** Wait until a frame matching `pred` has arrived (or the socket closes). */
  async waitFor(pred: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const hit = this.frames.find(pred)
      if (hit) return hit
      if (this.closed) throw new Error(`socket closed ${this.closed.code} ${this.closed.reason}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error('timed out waiting for a frame')
      await new Promise<void>((r) => {
        const t = setTimeout(r, left)
        this.waiters.push(() => {
          clearTimeout(t)
          r()
        })
      })
    }
  }

  async call(method: string, params: unknown = {}, token?: string): Promise<Frame> {
    const id = this.nextId++
    this.ws.send(JSON.stringify({ id, method, params, ...(token ? { token } : {}) }))
    return this.waitFor((f) => f.id === id)
  }

  event(name: string, pred: (data: any) => boolean = () => true, timeoutMs?: number) {
    return this.waitFor((f) => f.event === name && pred(f.data), timeoutMs)
  }

  waitClose(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    return this.waitFor(() => false, timeoutMs).then(
      () => this.closed!,
      () => {
        if (this.closed) return this.closed
        throw new Error('socket did not close')
      },
    )
  }

  close() {
    this.ws.terminate()
  }
}
