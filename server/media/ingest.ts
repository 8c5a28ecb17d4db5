// Browser publishing: the web page's MediaRecorder chunks arrive over a binary WebSocket
// (/ingest) and an ffmpeg job, supervised like the recordings, pushes them to the member's own
// signed push URL. The engine's gate then decides exactly as for a live-pusher: this process
// only relays for a publish URL the server itself handed out (stream and token), to its own
// engine. The job ends with the socket, and the socket with the job; it also ends when the
// stream is gone from the conference (unpublish, leave, kick, destroy) and when the page sends
// nothing for --ingest-idle-sec. Each upload is a process: the server, a user and a client
// address may run only so many at once (--max-ingests, -per-user, -per-address).
import { type IncomingMessage } from 'http'
import { type Duplex } from 'stream'
import WebSocket, { WebSocketServer } from 'ws'
import { type Tokens } from '../auth/tokens'
import { type ServerConfig } from '../config'
import { type ConferenceService } from '../conference/service'
import { type Logger } from '../log'
import { clientAddress, trustedProxies } from '../security/client-address'
import { type MediaEngine } from './engine'
import { INGEST_CODECS, type IngestCodec, ingestArgs } from './ingest-args'
import { type Job, Supervisor } from './jobs/supervisor'
import { originOf } from './origin'

export const INGEST_PATH = '/ingest'

/** Close codes the page sees (application range). */
export const IngestClose = {
  BAD_REQUEST: 4400,
  REFUSED: 4403,
  BUSY: 4409,
  /** The server's, the user's or the address's uploads are at their limit. */
  LIMITED: 4429,
  /** Nothing arrived for --ingest-idle-sec. */
  IDLE: 4408,
  /** ffmpeg ended (the engine refused or dropped the push, or the input was bad). */
  ENDED: 4410,
  /** The stream left the conference (unpublished, member left, kicked, destroyed). */
  GONE: 4404,
  SHUTDOWN: 4503,
} as const

/** A MediaRecorder chunk is a few tens of KB; this bounds a hostile one. */
const MAX_CHUNK = 4 * 1024 * 1024
/** Bytes queued towards ffmpeg before the upload counts as stuck and is dropped. */
const MAX_BACKLOG = 8 * 1024 * 1024
const WATCH_MS = 1000
/**
 * How long an upload of a join's granted slot waits for pubStream's claim. The SDK hands the
 * granted URL out at once and claims it on the signalling socket, while the page opens its upload
 * on another connection (through a proxy, another path): the upload may arrive first.
 */
const CLAIM_WAIT_MS = 5000

export type IngestLimits = Pick<
  ServerConfig,
  'maxIngests' | 'maxIngestsPerUser' | 'maxIngestsPerAddress' | 'ingestIdleSec' | 'trustProxy'
>

export interface IngestDeps {
  config: IngestLimits
  tokens: Tokens
  service: ConferenceService
  engine: MediaEngine
  log: Logger
  supervisor?: Supervisor
}

interface Upload {
  ws: WebSocket
  job: Job
  confrId: string
  memberId: string
  userId: string
  /** The client's address (security/client-address.ts). */
  address: string
  codec: IngestCodec
  /** When the page last sent data (or the upload started). */
  lastData: number
}

export class Ingest {
  readonly supervisor: Supervisor
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CHUNK })
  /** Running uploads by stream id (one per stream). */
  readonly uploads = new Map<string, Upload>()
  private readonly watch: NodeJS.Timeout
  /** Uploads of granted slots waiting for pubStream's claim, by stream id. */
  private readonly waiting = new Map<string, { claimed(): void; replaced(): void }>()
  private readonly onClaimed = (_conf: unknown, s: { id: string }) =>
    this.waiting.get(s.id)?.claimed()

  constructor(private readonly deps: IngestDeps) {
    this.supervisor = deps.supervisor ?? new Supervisor({ logger: deps.log })
    this.watch = setInterval(() => this.sweep(), WATCH_MS)
    this.watch.unref()
    deps.service.on('stream-claimed', this.onClaimed)
  }

  /** Handles an upgrade on INGEST_PATH; false for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean {
    if (url.pathname !== INGEST_PATH) return false
    const address = clientAddress(req, trustedProxies(this.deps.config))
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // A refused socket can still get a malformed frame before its close completes.
      ws.on('error', () => ws.terminate())
      this.admit(ws, url.searchParams, address)
    })
    return true
  }

  /** Ingest ffmpeg processes alive now. */
  pids(): number[] {
    return this.supervisor.pids()
  }

  async stop(): Promise<void> {
    clearInterval(this.watch)
    this.deps.service.off('stream-claimed', this.onClaimed)
    for (const { ws } of this.uploads.values()) ws.close(IngestClose.SHUTDOWN, 'server stopping')
    await this.supervisor.stopAll()
    this.wss.close()
  }

  /**
   * Waits (CLAIM_WAIT_MS at most) for pubStream's claim of slot `streamId`, keeping what the page
   * sends meanwhile (bounded) and handing it to the admitted upload; `refused` when it is not
   * claimed in time or the page floods, `replaced` when a newer upload of the slot comes. A slot
   * removed meanwhile is admitted, to be refused with its own reason.
   */
  private awaitClaim(
    ws: WebSocket,
    streamId: string,
    reserved: () => boolean | undefined,
    admitted: () => void,
    refused: () => void,
    replaced: () => void,
  ) {
    const early: Array<[WebSocket.RawData, boolean]> = []
    let bytes = 0
    const settle = (then: () => void) => {
      clearTimeout(timer)
      ws.off('message', keep)
      ws.off('close', closed)
      if (this.waiting.get(streamId) === wait) this.waiting.delete(streamId)
      then()
    }
    const keep = (data: WebSocket.RawData, isBinary: boolean) => {
      early.push([data, isBinary])
      bytes += Buffer.isBuffer(data) ? data.length : 0
      if (bytes > MAX_BACKLOG) settle(refused)
    }
    const claimed = () =>
      settle(() => {
        admitted()
        for (const [data, isBinary] of early) ws.emit('message', data, isBinary)
      })
    const closed = () => settle(() => undefined)
    const timer = setTimeout(
      () => (reserved() === true ? settle(refused) : claimed()),
      CLAIM_WAIT_MS,
    )
    timer.unref()
    ws.on('message', keep)
    ws.on('close', closed)
    // The page's newer upload of the slot (a reload, a retry) takes the place of the older.
    const wait = { claimed, replaced: () => settle(replaced) }
    this.waiting.get(streamId)?.replaced()
    this.waiting.set(streamId, wait)
  }

  private admit(ws: WebSocket, q: URLSearchParams, address: string) {
    const refuse = (code: number, why: string) => {
      this.deps.log.info({ why }, 'ingest refused')
      ws.close(code, why)
    }
    // The push URL as pubStream returned it: …/<streamId>?token=<signed publish token>.
    let push: URL
    try {
      push = new URL(q.get('url') ?? '')
    } catch {
      return refuse(IngestClose.BAD_REQUEST, 'url: the push URL from pubStream')
    }
    const streamId = push.pathname.split('/').pop() ?? ''
    const token = push.searchParams.get('token') ?? ''
    const codec = q.get('codec') as IngestCodec
    if (!INGEST_CODECS.includes(codec))
      return refuse(IngestClose.BAD_REQUEST, `codec: one of ${INGEST_CODECS.join(', ')}`)
    let claims
    try {
      claims = this.deps.tokens.verifyMedia(token, 'pub', streamId)
    } catch (e) {
      return refuse(IngestClose.REFUSED, `bad token: ${(e as Error).message}`)
    }
    const conf = this.deps.service.conferences.get(claims.confrId)
    const stream = conf?.streams.get(streamId)
    const member = conf?.members.get(claims.memberId)
    if (!stream || !member || stream.memberId !== member.id)
      return refuse(IngestClose.REFUSED, 'no such stream of this member')
    if (this.uploads.has(streamId)) return refuse(IngestClose.BUSY, 'stream already uploading')
    // The slot a join grants is a URL for later: it becomes a stream when publish claims it.
    if (stream.reserved)
      return this.awaitClaim(
        ws,
        streamId,
        () => conf!.streams.get(streamId)?.reserved,
        () => this.admit(ws, q, address),
        () => refuse(IngestClose.REFUSED, 'publish the stream first (pubStream claims the slot)'),
        () => refuse(IngestClose.BUSY, 'replaced by a newer upload of this stream'),
      )
    if (this.supervisor.stopped) return refuse(IngestClose.SHUTDOWN, 'server stopping')
    const over = this.overLimit(member.userId, address)
    if (over) return refuse(IngestClose.LIMITED, over)

    // The conference's origin, whatever host the page saw in the URL.
    const origin = originOf(this.deps.engine, claims.confrId)
    const target = `${origin}/${streamId}?token=${encodeURIComponent(token)}`
    const job = this.supervisor.start({
      name: `ingest-${streamId}`,
      args: ingestArgs(codec, target),
      stdin: true,
      // A restart would start mid-stream without the WebM header: the page publishes again.
      restart: { maxRestarts: 0 },
      stopTimeoutMs: 2000,
      onExit: (_job, message) => {
        if (this.uploads.get(streamId)?.job === job) this.uploads.delete(streamId)
        if (ws.readyState === WebSocket.OPEN) ws.close(IngestClose.ENDED, message.slice(0, 120))
      },
    })
    const upload: Upload = {
      ws,
      job,
      confrId: claims.confrId,
      memberId: claims.memberId,
      userId: member.userId,
      address,
      codec,
      lastData: Date.now(),
    }
    this.uploads.set(streamId, upload)
    this.deps.log.info({ streamId, codec, childPid: job.pid }, 'ingest started')
    ws.on('message', (data, isBinary) => {
      const stdin = job.stdin
      if (!isBinary || !stdin) return
      upload.lastData = Date.now()
      if (stdin.writableLength > MAX_BACKLOG) {
        ws.close(IngestClose.ENDED, 'ffmpeg is not keeping up')
        return
      }
      stdin.write(data as Buffer)
    })
    ws.on('close', () => {
      if (this.uploads.get(streamId)?.job === job) this.uploads.delete(streamId)
      void this.supervisor.stop(job)
    })
  }

  /** Why one more upload of `userId` from `address` is refused ('' when it is not). */
  private overLimit(userId: string, address: string): string {
    const { maxIngests, maxIngestsPerUser, maxIngestsPerAddress } = this.deps.config
    let ofUser = 0
    let ofAddress = 0
    for (const u of this.uploads.values()) {
      if (u.userId === userId) ofUser++
      if (u.address === address) ofAddress++
    }
    if (maxIngests > 0 && this.uploads.size >= maxIngests)
      return `the server runs its limit of ${maxIngests} uploads; try again later`
    if (maxIngestsPerUser > 0 && ofUser >= maxIngestsPerUser)
      return `you already run ${maxIngestsPerUser} uploads, the limit`
    if (maxIngestsPerAddress > 0 && ofAddress >= maxIngestsPerAddress)
      return `your address already runs ${maxIngestsPerAddress} uploads, the limit`
    return ''
  }

  private streamExists(confrId: string, memberId: string, streamId: string): boolean {
    const stream = this.deps.service.conferences.get(confrId)?.streams.get(streamId)
    return !!stream && stream.memberId === memberId
  }

  /** Uploads whose stream left the conference, or whose page went silent, end. */
  private sweep() {
    const idleMs = this.deps.config.ingestIdleSec * 1000
    const now = Date.now()
    for (const [streamId, u] of this.uploads) {
      let why: [number, string] | null = null
      if (!this.streamExists(u.confrId, u.memberId, streamId))
        why = [IngestClose.GONE, 'stream is no longer in the conference']
      else if (idleMs > 0 && now - u.lastData > idleMs)
        why = [IngestClose.IDLE, `no data for ${this.deps.config.ingestIdleSec} s`]
      if (!why) continue
      this.uploads.delete(streamId)
      u.ws.close(why[0], why[1])
      void this.supervisor.stop(u.job)
    }
  }
}
