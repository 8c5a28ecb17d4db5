// The nginx engine's play edge (server/media/play-edge.ts) on the real server with real nginx and
// ffmpeg: members' play URLs lead to it, it pulls each live stream from nginx once, and a new
// player gets the last GOP from its cache instead of waiting for nginx's next key frame.
import { RtmpClient, MSG, type RtmpMessage } from '../../bench/rtmp'
import { nowMs } from '../../bench/stats'
import type { ConferenceServer } from 'miniprogram-conference-server'
import { type EdgedEngine } from '../../server/media/edged-engine'
import { type NginxEngine } from '../../server/media/nginx/engine'
import { nameWithQuery } from '../../server/media/play-edge'
import { pullContinuously, pullFrames, pushTestPattern, stopAllMedia } from '../../testkit/ffmpeg'
import { describeWithNginx, originPlays } from '../../testkit/nginx'
import { nodeClient, type NodeClient } from '../../testkit/sdk-client'
import { until } from '../../testkit/wait'
import { startServer } from '../../testkit/server'

jest.setTimeout(60_000)

test('the pull names its stream with the query, as nginx-rtmp reads "name?query"', () => {
  expect(nameWithQuery('rtmp://127.0.0.1:1935/live/S1?token=v.C.M.x.s-g_')).toBe(
    'rtmp://127.0.0.1:1935/live/S1%3Ftoken%3Dv.C.M.x.s-g_',
  )
  const back = new URL(nameWithQuery('rtmp://[::1]:1935/live/S1?token=a&b=c'))
  expect(decodeURIComponent(back.pathname)).toBe('/live/S1?token=a&b=c')
})

/** A raw RTMP player: every video message with its timestamp and arrival time. */
async function rawPlayer(url: string) {
  const { client, name } = await RtmpClient.open(url)
  const video: Array<{ ts: number; at: number; key: boolean }> = []
  client.onMedia = (m: RtmpMessage, at: number) => {
    if (m.type === MSG.video && m.payload.length > 1 && m.payload[1] === 1)
      video.push({ ts: m.timestamp, at, key: m.payload[0] >> 4 === 1 })
  }
  await client.play(name)
  return { client, video }
}

describeWithNginx('play edge of the nginx engine', () => {
  let server: ConferenceServer
  let engine: EdgedEngine
  const clients: NodeClient[] = []
  /** The streams of the origin's on_play callbacks. */
  let plays: string[] = []

  beforeAll(async () => {
    server = await startServer({ engine: 'nginx' })
    engine = server.engine as EdgedEngine
    plays = originPlays(engine)
  })
  afterAll(async () => {
    await stopAllMedia()
    await Promise.all(clients.map((c) => c.close()))
    await server?.stop()
  })

  async function room(name: string) {
    const pub = await nodeClient(server, `${name}-pub`)
    const viewer = await nodeClient(server, `${name}-viewer`)
    clients.push(pub, viewer)
    await pub.emedia.mgr.joinRoom({ roomName: name })
    await viewer.emedia.mgr.joinRoom({ roomName: name })
    const p = await pub.emedia.mgr.pubStream('cam')
    const pusher = pushTestPattern(p.data.rtmp)
    const streamId = p.data.streamId
    await until(
      () => viewer.events('streamAdded').some(([s]) => (s as { id: string }).id === streamId),
      15000,
    )
    const stream = viewer
      .events('streamAdded')
      .find(([s]) => (s as { id: string }).id === streamId)![0]
    const sub = await viewer.emedia.mgr.subStream(stream as never)
    return { pub, viewer, pusher, streamId, rtmp: sub.data.rtmp, flv: sub.data.flv as string }
  }

  it('members play RTMP and HTTP-FLV from the edge; the edge pulls the stream from nginx once', async () => {
    const r = await room('edge-basic')
    expect(new URL(r.rtmp).port).toBe(new URL(engine.playBase()).port)
    expect(new URL(r.rtmp).port).not.toBe(new URL(engine.rtmpBase()).port)
    expect(r.flv.startsWith(`${engine.flvBase()}/${r.streamId}.flv?token=`)).toBe(true)
    const [rtmp, flv, again] = await Promise.all([
      pullFrames(r.rtmp, { frames: 5 }),
      pullFrames(r.flv, { frames: 5 }),
      pullFrames(r.rtmp, { frames: 5 }),
    ])
    for (const got of [rtmp, flv, again]) {
      expect(got.frames).toBe(5)
      expect(got.width).toBe(640)
      expect(got.hasAudio).toBe(true)
    }
    expect(engine.edge.pulling()).toContain(r.streamId)
    expect(plays.filter((s) => s === r.streamId)).toHaveLength(1)
  })

  it('a new player gets the last GOP from the cache, not the next key frame', async () => {
    const r = await room('edge-gop')
    const early = await rawPlayer(r.rtmp)
    try {
      await until(() => early.video.filter((v) => v.key).length >= 2, 15000)
      // Mid-GOP: half a second after a key frame (the pattern has one a second).
      const lastKey = early.video.filter((v) => v.key).pop()!
      await new Promise((res) => setTimeout(res, Math.max(0, lastKey.at + 500 - nowMs())))
      const joinedAt = nowMs()
      const late = await rawPlayer(r.rtmp)
      try {
        await until(() => late.video.length > 0, 5000)
        const first = late.video[0]
        expect(first.key).toBe(true)
        // That key frame had reached the early player before the late one connected: it came
        // from the cache (nginx alone would start the late player at its next key frame).
        const before = early.video.filter((v) => v.at < joinedAt)
        expect(before.map((v) => v.ts)).toContain(first.ts)
      } finally {
        late.client.close()
      }
    } finally {
      early.client.close()
    }
  })

  it('asks the media gate: an expired play URL is refused over RTMP and HTTP-FLV', async () => {
    const r = await room('edge-expired')
    const confrId = r.viewer.emedia.mgr.getConference()!.confrId
    const memberId = r.viewer.emedia.mgr.getSelf()!.id
    const claims = { kind: 'play' as const, confrId, memberId, streamId: r.streamId }
    const expired = server.tokens.mintMedia(claims, -5)
    const rtmp = `${engine.playBase()}/${r.streamId}?token=${expired}`
    const flv = `${engine.flvBase()}/${r.streamId}.flv?token=${expired}`
    for (const url of [rtmp, flv]) {
      expect((await pullFrames(url, { frames: 1, timeoutMs: 5000 })).frames).toBe(0)
    }
    const fresh = server.tokens.mintMedia(claims, 60)
    const ok = `${engine.flvBase()}/${r.streamId}.flv?token=${fresh}`
    expect((await pullFrames(ok, { frames: 1 })).frames).toBe(1)
  })

  it('refuses publishers: they go to the origin', async () => {
    const r = await room('edge-no-publish')
    const pubUrl = new URL((await r.pub.emedia.mgr.pubStream('second')).data.rtmp)
    const atEdge = `${engine.playBase()}${pubUrl.pathname.replace(/^\/[^/]+/, '')}${pubUrl.search}`
    const refused = pushTestPattern(atEdge)
    expect(await refused.exited).not.toBe(0)
    expect((await pullFrames(r.rtmp, { frames: 3 })).frames).toBe(3)
  })

  it('makes a pull again when the origin drops it while the stream is live', async () => {
    const r = await room('edge-repull')
    const watcher = pullContinuously(r.rtmp)
    await until(() => watcher.bytes() > 20000, 15000)
    const origin = engine.origin as NginxEngine
    const pullAtOrigin = () =>
      origin
        .sessions()
        .filter((s) => s.kind === 'play' && s.session.stream === r.streamId)
        .map((s) => s.session.sessionId)
    const [first] = pullAtOrigin()
    origin.closeSession(first)
    await until(() => pullAtOrigin().length === 1 && pullAtOrigin()[0] !== first, 10000)
    const before = watcher.bytes()
    await until(() => watcher.bytes() > before + 20000, 15000)
    expect(plays.filter((s) => s === r.streamId)).toHaveLength(2)
    await watcher.stop()
  })

  it('pulls while the stream is live: a publisher that leaves and returns gets one new pull', async () => {
    const r = await room('edge-republish')
    const watcher = pullContinuously(r.rtmp)
    await until(() => watcher.bytes() > 20000, 15000)
    const pubUrl = r.pusher.proc.spawnargs.at(-1)!
    await r.pusher.stop()
    await until(() => !engine.edge.pulling().includes(r.streamId), 10000)
    const again = pushTestPattern(pubUrl)
    await until(() => engine.edge.pulling().includes(r.streamId), 10000)
    const before = watcher.bytes()
    // The player stayed attached to the edge and gets the new publish.
    await until(() => watcher.bytes() > before + 20000, 15000)
    expect(plays.filter((s) => s === r.streamId)).toHaveLength(2)
    await again.stop()
    await watcher.stop()
  })
})
