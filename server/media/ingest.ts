// Browser publishing: the web page's MediaRecorder chunks arrive over a binary WebSocket
// (/ingest) and an ffmpeg job, supervised like the recordings, pushes them to the member's own
// signed push URL. The engine's gate then decides exactly as for a live-pusher: this process
// only relays for a publish URL the server itself handed out (stream and token), to its own
// engine. The job ends with the socket, and the socket with the job; it also ends when the
// stream is gone from the conference (unpublish, leave, kick, destroy).
import { type IncomingMessage } from 'http'
import { type Duplex } from 'stream'
import WebSocket, { WebSocketServer } from 'ws'
import { type Tokens } from '../auth/tokens'
import { type ConferenceService } from '../conference/service'
import { type Logger } from '../log'
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

export interface IngestDeps {
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
  codec: IngestCodec
}

export class Ingest {
  readonly supervisor: Supervisor
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CHUNK })
  /** Running uploads by stream id (one per stream). */
  readonly uploads = new Map<string, Upload>()
  private readonly watch: NodeJS.Timeout

  constructor(private readonly deps: IngestDeps) {
    this.supervisor = deps.supervisor ?? new Supervisor({ logger: deps.log })
    this.watch = setInterval(() => this.sweep(), WATCH_MS)
    this.watch.unref()
  }

  /** Handles an upgrade on INGEST_PATH; false for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean {
    if (url.pathname !== INGEST_PATH) return false
    this.wss.handleUpgrade(req, socket, head, (ws) => this.admit(ws, url.searchParams))
    return true
  }

  /** Ingest ffmpeg processes alive now. */
  pids(): number[] {
    return this.supervisor.pids()
  }

  async stop(): Promise<void> {
    clearInterval(this.watch)
    for (const { ws } of this.uploads.values()) ws.close(IngestClose.SHUTDOWN, 'server stopping')
    await this.supervisor.stopAll()
    this.wss.close()
  }

  private admit(ws: WebSocket, q: URLSearchParams) {
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
    if (!this.streamExists(claims.confrId, claims.memberId, streamId))
      return refuse(IngestClose.REFUSED, 'no such stream of this member')
    if (this.uploads.has(streamId)) return refuse(IngestClose.BUSY, 'stream already uploading')
    if (this.supervisor.stopped) return refuse(IngestClose.SHUTDOWN, 'server stopping')

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
    this.uploads.set(streamId, {
      ws,
      job,
      confrId: claims.confrId,
      memberId: claims.memberId,
      codec,
    })
    this.deps.log.info({ streamId, codec, childPid: job.pid }, 'ingest started')
    ws.on('message', (data, isBinary) => {
      const stdin = job.stdin
      if (!isBinary || !stdin) return
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

  private streamExists(confrId: string, memberId: string, streamId: string): boolean {
    const stream = this.deps.service.conferences.get(confrId)?.streams.get(streamId)
    return !!stream && stream.memberId === memberId
  }

  /** Uploads whose stream left the conference end, whatever the page does. */
  private sweep() {
    for (const [streamId, u] of this.uploads) {
      if (this.streamExists(u.confrId, u.memberId, streamId)) continue
      this.uploads.delete(streamId)
      u.ws.close(IngestClose.GONE, 'stream is no longer in the conference')
      void this.supervisor.stop(u.job)
    }
  }
}
