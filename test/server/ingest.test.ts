// The browser ingest's doorway (/ingest) on the real server: it starts ffmpeg only for a push URL
// the server handed out, for a stream of that member, once per stream; anything else is closed
// with a code the page can show, and no process is started.
import WebSocket from 'ws'
import { type ConferenceServer } from '../../server/app'
import { IngestClose } from '../../server/media/ingest'
import { clientPool, until } from '../helpers/sdk-client'
import { startServer } from '../helpers/server'

let server: ConferenceServer
const { client, closeAll } = clientPool(() => server)

beforeAll(async () => {
  server = await startServer({ dev: true })
})
afterAll(async () => {
  await closeAll()
  await server?.stop()
})

function ingestUrl(push: string, codec = 'h264') {
  const u = new URL('/ingest', server.httpUrl.replace(/^http/, 'ws'))
  u.searchParams.set('url', push)
  u.searchParams.set('codec', codec)
  return u.toString()
}

/** Opens an ingest socket; resolves with its close code (or 'open' if still open after ms). */
function closeCode(url: string, ms = 1500): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url)
    const timer = setTimeout(() => resolve('open'), ms)
    ws.on('close', (code) => {
      clearTimeout(timer)
      resolve(code)
    })
    ws.on('error', () => {})
  })
}

describe('/ingest', () => {
  it('refuses what the server did not hand out, and a second upload of one stream', async () => {
    const c = await client('ingest-user')
    await c.emedia.mgr.joinRoom({ roomName: 'ingest-room', role: 3 })
    const pub = await c.emedia.mgr.pubStream('cam')
    const push = pub.data.rtmp

    expect(await closeCode(ingestUrl('not a url'))).toBe(IngestClose.BAD_REQUEST)
    expect(await closeCode(ingestUrl(push, 'theora'))).toBe(IngestClose.BAD_REQUEST)
    expect(await closeCode(ingestUrl(push.replace(/token=[^&]+/, 'token=p.x.y.z.w')))).toBe(
      IngestClose.REFUSED,
    )
    // Someone else's stream id with this member's token: the signature binds the stream.
    expect(await closeCode(ingestUrl(push.replace(/\/ST_[^?]+/, '/ST_other')))).toBe(
      IngestClose.REFUSED,
    )
    expect(server.ingest.pids()).toEqual([])

    // The real URL: ffmpeg starts and waits for WebM; a second socket for the stream is refused.
    const first = new WebSocket(ingestUrl(push))
    await new Promise((r) => first.on('open', r))
    await until(() => server.ingest.pids().length === 1, 5000)
    expect(await closeCode(ingestUrl(push))).toBe(IngestClose.BUSY)

    // Unpublishing ends the upload from the server side, whatever the page does.
    const closed = new Promise<number>((r) => first.on('close', (code) => r(code)))
    await c.emedia.mgr.unpubStream(pub.data.streamId)
    expect([IngestClose.GONE, IngestClose.ENDED]).toContain(await closed)
    await until(() => server.ingest.pids().length === 0, 5000)
  })
})
