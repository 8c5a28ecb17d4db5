// A minimal RTMP client for load and latency work: handshake, connect, createStream, then publish
// (send FLV tags as messages) or play (parse the chunk stream into messages). Hundreds of these
// cost the load generator far less than hundreds of ffmpeg processes, and a publisher and a player
// in one process share one clock, so a frame's trip through the engine can be timed exactly.
// Not a general client: one stream per connection, no extended features, no RTMPS.
import { randomBytes } from 'crypto'
import { connect as tcpConnect, type Socket } from 'net'
import { type Amf, decodeAmf0, encodeAmf0 } from './amf0'
import { nowMs } from './stats'

export interface RtmpMessage {
  type: number
  streamId: number
  timestamp: number
  payload: Buffer
}

/** RTMP message types used here. */
export const MSG = {
  setChunkSize: 1,
  ack: 3,
  userControl: 4,
  windowAck: 5,
  audio: 8,
  video: 9,
  data: 18,
  command: 20,
} as const

const HEADER_BYTES = [11, 7, 3, 0]
const HANDSHAKE = 1536
const OUT_CHUNK = 4096
const CS_CONTROL = 2
const CS_COMMAND = 3
const CS_STREAM = 8

interface ChunkState {
  ts: number
  delta: number
  len: number
  type: number
  sid: number
  ext: boolean
  parts: Buffer[]
  remaining: number
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0)
  return b
}

/** rtmp://host:port/app/name?query → where to connect and what to ask for. */
export function parseRtmpUrl(url: string) {
  const u = new URL(url)
  if (u.protocol !== 'rtmp:') throw new Error(`not an rtmp:// URL: ${url}`)
  const [, app, ...rest] = u.pathname.split('/')
  if (!app || rest.length === 0) throw new Error(`rtmp URL needs /app/name: ${url}`)
  const port = Number(u.port || 1935)
  return {
    host: u.hostname,
    port,
    app,
    name: rest.join('/') + u.search,
    tcUrl: `rtmp://${u.hostname}:${port}/${app}`,
  }
}

export class RtmpClient {
  /** Called with every audio, video and data message a player receives, and its arrival time. */
  onMedia: ((m: RtmpMessage, at: number) => void) | null = null
  bytesIn = 0
  readonly closed: Promise<void>
  private inbuf: Buffer = Buffer.alloc(0)
  private handshaken: (() => void) | null = null
  private inChunkSize = 128
  private readonly chunks = new Map<number, ChunkState>()
  private lastAck = 0
  private ackWindow = 2_500_000
  private txn = 1
  private readonly results = new Map<number, (v: Amf[] | Error) => void>()
  private status: ((info: { code?: string; level?: string }) => void) | null = null
  private streamId = 0
  private gone: Error | null = null

  private constructor(private readonly sock: Socket) {
    sock.setNoDelay(true)
    sock.on('data', (d) => this.onData(d))
    this.closed = new Promise((resolve) => {
      sock.on('close', () => {
        this.gone ??= new Error('connection closed')
        for (const fn of this.results.values()) fn(this.gone)
        this.results.clear()
        this.status?.({ level: 'error', code: this.gone.message })
        resolve()
      })
    })
    sock.on('error', (e) => (this.gone = e))
  }

  /** TCP connect, handshake, `connect` command and `createStream`. */
  static async open(url: string, timeoutMs = 10000): Promise<{ client: RtmpClient; name: string }> {
    const target = parseRtmpUrl(url)
    const sock = tcpConnect(target.port, target.host)
    const client = new RtmpClient(sock)
    const timer = setTimeout(() => sock.destroy(new Error('rtmp open timed out')), timeoutMs)
    try {
      await new Promise<void>((resolve, reject) => {
        sock.once('connect', resolve)
        sock.once('error', reject)
      })
      await client.handshake()
      client.write(CS_CONTROL, MSG.setChunkSize, 0, 0, u32(OUT_CHUNK))
      await client.command('connect', {
        app: target.app,
        type: 'nonprivate',
        flashVer: 'FMLE/3.0 (compatible; ck-bench)',
        tcUrl: target.tcUrl,
        fpad: false,
        capabilities: 15,
        audioCodecs: 4071,
        videoCodecs: 252,
        videoFunction: 1,
      })
      const created = await client.command('createStream', null)
      client.streamId = typeof created[3] === 'number' ? created[3] : 1
      return { client, name: target.name }
    } catch (e) {
      sock.destroy()
      throw e
    } finally {
      clearTimeout(timer)
    }
  }

  /** Start publishing `name`; resolves on NetStream.Publish.Start. */
  publish(name: string, timeoutMs = 10000): Promise<void> {
    const started = this.awaitStatus('NetStream.Publish.Start', timeoutMs)
    this.write(
      CS_STREAM,
      MSG.command,
      this.streamId,
      0,
      encodeAmf0('publish', 0, null, name, 'live'),
    )
    return started
  }

  /** Start playing `name`; resolves on NetStream.Play.Start. */
  play(name: string, timeoutMs = 10000): Promise<void> {
    const started = this.awaitStatus('NetStream.Play.Start', timeoutMs)
    // SetBufferLength, as players send it before play.
    const setBuffer = Buffer.concat([Buffer.from([0, 3]), u32(this.streamId), u32(1000)])
    this.write(CS_CONTROL, MSG.userControl, 0, 0, setBuffer)
    this.write(CS_STREAM, MSG.command, this.streamId, 0, encodeAmf0('play', 0, null, name, -1000))
    return started
  }

  /** One FLV tag as a message of the published stream (script data gets @setDataFrame). */
  sendTag(type: number, timestamp: number, data: Buffer) {
    const payload = type === MSG.data ? Buffer.concat([encodeAmf0('@setDataFrame'), data]) : data
    this.write(type === MSG.audio ? 4 : 6, type, this.streamId, timestamp, payload)
  }

  close() {
    this.sock.destroy()
  }

  private handshake(): Promise<void> {
    const c1 = Buffer.concat([Buffer.alloc(8), randomBytes(HANDSHAKE - 8)])
    this.sock.write(Buffer.concat([Buffer.from([3]), c1]))
    return new Promise((resolve) => (this.handshaken = resolve))
  }

  private command(name: string, ...args: Amf[]): Promise<Amf[]> {
    const id = this.txn++
    return new Promise((resolve, reject) => {
      if (this.gone) return reject(this.gone)
      this.results.set(id, (v) => {
        this.results.delete(id)
        if (v instanceof Error) reject(v)
        else resolve(v)
      })
      this.write(CS_COMMAND, MSG.command, 0, 0, encodeAmf0(name, id, ...args))
    })
  }

  private awaitStatus(code: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${code} in ${timeoutMs} ms`)), timeoutMs)
      this.status = (info) => {
        if (info.code === code) {
          clearTimeout(timer)
          resolve()
        } else if (info.level === 'error') {
          clearTimeout(timer)
          reject(new Error(`${code} refused: ${info.code}`))
        }
      }
    })
  }

  /** One message as fmt-0 chunks (ours are all short-lived streams: no extended timestamps). */
  private write(csid: number, type: number, sid: number, ts: number, payload: Buffer) {
    if (this.gone) return
    const head = Buffer.alloc(12)
    head[0] = csid
    head.writeUIntBE(ts & 0xffffff, 1, 3)
    head.writeUIntBE(payload.length, 4, 3)
    head[7] = type
    head.writeUInt32LE(sid, 8)
    const chunkSize = csid === CS_CONTROL && type === MSG.setChunkSize ? 128 : OUT_CHUNK
    const parts: Buffer[] = [head]
    for (let off = 0; off < payload.length; off += chunkSize) {
      if (off > 0) parts.push(Buffer.from([0xc0 | csid]))
      parts.push(payload.subarray(off, off + chunkSize))
    }
    this.sock.write(Buffer.concat(parts))
  }

  private onData(d: Buffer) {
    const at = nowMs()
    this.bytesIn += d.length
    this.inbuf = this.inbuf.length ? Buffer.concat([this.inbuf, d]) : d
    if (this.handshaken) {
      if (this.inbuf.length < 1 + 2 * HANDSHAKE) return
      this.sock.write(this.inbuf.subarray(1, 1 + HANDSHAKE)) // C2 echoes S1
      this.inbuf = this.inbuf.subarray(1 + 2 * HANDSHAKE)
      const done = this.handshaken
      this.handshaken = null
      done()
    }
    this.parse(at)
    if (this.ackWindow > 0 && this.bytesIn - this.lastAck >= this.ackWindow) {
      this.write(CS_CONTROL, MSG.ack, 0, 0, u32(this.bytesIn))
      this.lastAck = this.bytesIn
    }
  }

  /** Chunk stream → messages. State is committed only once a whole chunk is in the buffer. */
  private parse(at: number) {
    for (;;) {
      const b = this.inbuf
      if (b.length < 1) return
      const fmt = b[0] >> 6
      let csid = b[0] & 0x3f
      let i = 1
      if (csid === 0) {
        if (b.length < 2) return
        csid = 64 + b[1]
        i = 2
      } else if (csid === 1) {
        if (b.length < 3) return
        csid = 64 + b[1] + b[2] * 256
        i = 3
      }
      if (b.length < i + HEADER_BYTES[fmt]) return
      const st = this.chunks.get(csid) ?? {
        ts: 0,
        delta: 0,
        len: 0,
        type: 0,
        sid: 0,
        ext: false,
        parts: [],
        remaining: 0,
      }
      let tsField = 0
      let { len, type, sid } = st
      if (fmt <= 2) tsField = b.readUIntBE(i, 3)
      if (fmt <= 1) {
        len = b.readUIntBE(i + 3, 3)
        type = b[i + 6]
      }
      if (fmt === 0) sid = b.readUInt32LE(i + 7)
      i += HEADER_BYTES[fmt]
      const ext = fmt <= 2 ? tsField === 0xffffff : st.ext
      if (ext) {
        if (b.length < i + 4) return
        if (fmt <= 2) tsField = b.readUInt32BE(i)
        i += 4
      }
      const starting = st.remaining === 0
      const remaining = starting ? len : st.remaining
      const n = Math.min(this.inChunkSize, remaining)
      if (b.length < i + n) return
      if (starting) {
        if (fmt === 0) st.ts = st.delta = tsField
        else if (fmt <= 2) st.ts += st.delta = tsField
        else st.ts += st.delta
        Object.assign(st, { len, type, sid, parts: [] })
      }
      st.ext = ext
      st.parts.push(b.subarray(i, i + n))
      st.remaining = remaining - n
      this.chunks.set(csid, st)
      this.inbuf = b.subarray(i + n)
      if (st.remaining === 0) {
        const payload = st.parts.length === 1 ? st.parts[0] : Buffer.concat(st.parts)
        st.parts = []
        this.dispatch({ type: st.type, streamId: st.sid, timestamp: st.ts, payload }, at)
      }
    }
  }

  private dispatch(m: RtmpMessage, at: number) {
    switch (m.type) {
      case MSG.setChunkSize:
        this.inChunkSize = m.payload.readUInt32BE(0) & 0x7fffffff
        break
      case MSG.windowAck:
        this.ackWindow = m.payload.readUInt32BE(0)
        break
      case MSG.userControl:
        // PingRequest (6) → PingResponse (7) with the same timestamp, or nginx drops us.
        if (m.payload.readUInt16BE(0) === 6) {
          const pong = Buffer.concat([Buffer.from([0, 7]), m.payload.subarray(2, 6)])
          this.write(CS_CONTROL, MSG.userControl, 0, 0, pong)
        }
        break
      case MSG.command: {
        const v = decodeAmf0(m.payload)
        if ((v[0] === '_result' || v[0] === '_error') && typeof v[1] === 'number') {
          const fn = this.results.get(v[1])
          fn?.(v[0] === '_error' ? new Error(`rtmp ${JSON.stringify(v[3])}`) : v)
        } else if (v[0] === 'onStatus' && v[3] && typeof v[3] === 'object') {
          this.status?.(v[3] as { code?: string; level?: string })
        }
        break
      }
      case MSG.audio:
      case MSG.video:
      case MSG.data:
        this.onMedia?.(m, at)
        break
    }
  }
}
