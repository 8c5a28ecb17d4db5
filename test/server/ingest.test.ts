// The browser ingest's doorway (/ingest) on the real server: it starts ffmpeg only for a push URL
// the server handed out, for a stream of that member, once per stream; anything else is closed
// with a code the page can show, and no process is started. Uploads are capped per user, address
// and server, and end when the page goes silent.
import WebSocket from 'ws'
import { IngestClose } from '../../server/media/ingest'
import { tokenFor } from '../../testkit/server'
import { useServer } from '../../testkit/server-suite'
import { sleep, until } from '../../testkit/wait'

const suite = useServer({ dev: true })
const { client } = suite

function ingestUrl(push: string, codec = 'h264') {
  const u = new URL('/ingest', suite.server.httpUrl.replace(/^http/, 'ws'))
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
    expect(suite.server.ingest.pids()).toEqual([])

    // The real URL: ffmpeg starts and waits for WebM; a second socket for the stream is refused.
    const first = new WebSocket(ingestUrl(push))
    await new Promise((r) => first.on('open', r))
    await until(() => suite.server.ingest.pids().length === 1, 5000)
    expect(await closeCode(ingestUrl(push))).toBe(IngestClose.BUSY)

    // Unpublishing ends the upload from the server side, whatever the page does.
    const closed = new Promise<number>((r) => first.on('close', (code) => r(code)))
    await c.emedia.mgr.unpubStream(pub.data.streamId)
    expect([IngestClose.GONE, IngestClose.ENDED]).toContain(await closed)
    await until(() => suite.server.ingest.pids().length === 0, 5000)
  })
})

describe('/ingest limits', () => {
  /** A member of `room` over a raw socket, with `n` streams published: their push URLs. */
  async function pushUrls(user: string, room: string, n: number) {
    const c = await suite.raw()
    const j = await c.call('join', { roomName: room, role: 3 }, tokenFor(suite.server, user))
    const confrId = j.result.conference.confrId
    const urls: string[] = []
    for (let i = 0; i < n; i++)
      urls.push((await c.call('publish', { confrId, rtcId: `cam${i}` })).result.rtmp)
    return { urls, grant: j.result.grant?.rtmp as string | undefined }
  }

  function from(url: string, localAddress: string): Promise<WebSocket> {
    const ws = new WebSocket(url, { localAddress })
    return new Promise((resolve) => ws.on('open', () => resolve(ws)))
  }

  it('refuses the slot a join reserved unless publish claims it within 5 s', async () => {
    const { grant } = await pushUrls('slot-user', 'slot-room', 0)
    expect(grant).toEqual(expect.any(String))
    expect(await closeCode(ingestUrl(grant!), 1500)).toBe('open') // waiting for the claim
    expect(await closeCode(ingestUrl(grant!), 8000)).toBe(IngestClose.REFUSED)
    expect(suite.server.ingest.pids()).toEqual([])
  })

  it('an upload of the granted slot that arrives before the claim (the newest, if several) starts once it is claimed', async () => {
    // The SDK hands the granted URL out at once and claims it on the signalling socket; the page's
    // upload (another connection) may come first.
    const c = await suite.raw()
    const j = await c.call(
      'join',
      { roomName: 'early-room', role: 3 },
      tokenFor(suite.server, 'early'),
    )
    const { confrId } = j.result.conference
    const grant = j.result.grant as { rtmp: string; stream: { id: string; rtcId: string } }
    // A page that retries: its newer upload of the slot takes the older one's place.
    const older = await from(ingestUrl(grant.rtmp), '127.0.0.70')
    const olderClosed = new Promise<number>((resolve) => older.on('close', resolve))
    const ws = await from(ingestUrl(grant.rtmp), '127.0.0.70')
    expect(await olderClosed).toBe(IngestClose.BUSY)
    let code: number | null = null
    ws.on('close', (c) => (code = c))
    await sleep(300)
    expect(suite.server.ingest.pids()).toEqual([])
    const claim = await c.call('publish', {
      confrId,
      rtcId: 'cam',
      streamId: grant.stream.id,
    })
    expect(claim.error).toBeUndefined()
    await until(() => suite.server.ingest.pids().length === 1, 5000, 'the upload to start')
    expect(code).toBeNull()
    ws.close()
    await until(() => suite.server.ingest.pids().length === 0, 5000)
  })

  it('caps uploads per user, per address and per server, and closes idle ones', async () => {
    Object.assign(suite.server.config, {
      maxIngestsPerUser: 2,
      maxIngestsPerAddress: 3,
      maxIngests: 4,
      ingestIdleSec: 0,
    })
    const open: WebSocket[] = []
    try {
      const ann = await pushUrls('cap-ann', 'cap-room', 3)
      open.push(await from(ingestUrl(ann.urls[0]), '127.0.0.61'))
      open.push(await from(ingestUrl(ann.urls[1]), '127.0.0.62'))
      // Ann's third, from yet another address: the user's limit (2).
      expect(await closeCode(ingestUrl(ann.urls[2]))).toBe(IngestClose.LIMITED)
      const bob = await pushUrls('cap-bob', 'cap-room-b', 2)
      open.push(await from(ingestUrl(bob.urls[0]), '127.0.0.61'))
      const cyd = await pushUrls('cap-cyd', 'cap-room-c', 2)
      open.push(await from(ingestUrl(cyd.urls[0]), '127.0.0.61'))
      // 127.0.0.61 now runs three (the address's limit)…
      const third = new WebSocket(ingestUrl(bob.urls[1]), { localAddress: '127.0.0.61' })
      const code = await new Promise<number>((r) => third.on('close', (c) => r(c)))
      expect(code).toBe(IngestClose.LIMITED)
      // …and the server four (its limit), whoever asks.
      expect(await closeCode(ingestUrl(cyd.urls[1]))).toBe(IngestClose.LIMITED)
      await until(() => suite.server.ingest.pids().length === 4, 5000)

      // Silent uploads end after --ingest-idle-sec, and their processes with them.
      const closes = open.map((ws) => new Promise<number>((r) => ws.on('close', (c) => r(c))))
      suite.server.config.ingestIdleSec = 1
      expect(await Promise.all(closes)).toEqual([4408, 4408, 4408, 4408])
      await until(() => suite.server.ingest.pids().length === 0, 5000)
    } finally {
      open.forEach((ws) => ws.close())
      Object.assign(suite.server.config, {
        maxIngestsPerUser: 2,
        maxIngestsPerAddress: 8,
        maxIngests: 32,
        ingestIdleSec: 10,
      })
    }
  })
})
