// Media authority end to end at the protocol level, for any engine: real ffmpeg pushes and
// pulls through the engine, and the server decides who may. Run by media-gate.test.ts (embedded)
// and media-gate-nginx.test.ts.
import { type ConferenceServer } from '../../server/app'
import { type ServerConfig } from '../../server/config'
import { pullFrames, pushTestPattern, stopAllMedia } from './ffmpeg'
import { RawClient } from './raw-client'
import { startServer, tokenFor } from './server'

export function mediaGateSuite(overrides: Partial<ServerConfig> = {}) {
  let server: ConferenceServer
  const clients: RawClient[] = []

  async function joined(user: string, roomName: string, role?: number) {
    const c = await RawClient.connect(server.wsUrl)
    clients.push(c)
    const r = await c.call('join', { roomName, role }, tokenFor(server, user))
    return { c, r: r.result }
  }

  beforeAll(async () => (server = await startServer(overrides)))
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close())
    await stopAllMedia()
  })
  afterAll(() => server.stop())

  test('announced when media flows, playable by members, withdrawn when it stops', async () => {
    const { c: ann, r } = await joined('ann', 'media-1')
    const { c: bob } = await joined('bob', 'media-1')
    const confrId = r.conference.confrId
    const pub = await ann.call('publish', { confrId, rtcId: 'cam' })
    const streamId = pub.result.stream.id
    await new Promise((res) => setTimeout(res, 300))
    expect(bob.frames.some((f) => f.event === 'streamAdded')).toBe(false) // no media yet
    const pusher = pushTestPattern(pub.result.rtmp)
    const added = await bob.event('streamAdded', () => true, 10000)
    expect(added.data.stream).toMatchObject({
      id: streamId,
      memName: 'ann',
      rtcId: 'cam',
      type: 'normal',
    })
    const pulled = await pullFrames(added.data.stream.rtmp, { frames: 5 })
    expect(pulled).toMatchObject({ width: 640, height: 360, hasAudio: true })
    expect(pulled.frames).toBeGreaterThanOrEqual(5)
    if (added.data.stream.flv) {
      const flv = await pullFrames(added.data.stream.flv, { frames: 3 })
      expect(flv.frames).toBeGreaterThanOrEqual(3)
    }
    await pusher.stop()
    const removed = await bob.event('streamRemoved', () => true, 5000)
    expect(removed.data.stream.id).toBe(streamId)
  })

  test('forged, unsigned, foreign and non-member URLs are refused by the engine', async () => {
    const { c: ann, r } = await joined('ann', 'media-2')
    const { c: bob } = await joined('bob', 'media-2')
    const confrId = r.conference.confrId
    const pub = (await ann.call('publish', { confrId, rtcId: 'cam' })).result
    const base = pub.rtmp.split('?')[0]
    const token = new URL(pub.rtmp.replace('rtmp:', 'http:')).searchParams.get('token')!
    // Unsigned, forged signature, and ann's URL re-used for bob's stream.
    const bobPub = (await bob.call('publish', { confrId, rtcId: 'cam' })).result
    const attempts = [
      base,
      `${base}?token=${token.slice(0, -3)}abc`,
      `${bobPub.rtmp.split('?')[0]}?token=${token}`,
    ]
    for (const url of attempts) {
      const p = pushTestPattern(url)
      expect(await p.exited).not.toBe(0)
    }
    expect(bob.frames.some((f) => f.event === 'streamAdded')).toBe(false)
    // ann's real URL works; a play URL minted for someone outside the conference does not.
    const pusher = pushTestPattern(pub.rtmp)
    const added = await bob.event('streamAdded', () => true, 10000)
    const { r: other } = await joined('eve', 'media-3')
    const eveUrl = `${base}?token=${server.tokens.mintMedia(
      { kind: 'play', confrId, memberId: other.self.id, streamId: pub.stream.id },
      60,
    )}`
    expect((await pullFrames(eveUrl, { frames: 2, timeoutMs: 5000 })).frames).toBe(0)
    expect((await pullFrames(added.data.stream.rtmp, { frames: 2 })).frames).toBeGreaterThanOrEqual(
      2,
    )
    await pusher.stop()
  })

  test('leaving withdraws the stream everywhere and cuts the publisher', async () => {
    const { c: ann, r } = await joined('ann', 'media-4')
    const { c: bob } = await joined('bob', 'media-4')
    const confrId = r.conference.confrId
    const pub = (await ann.call('publish', { confrId, rtcId: 'cam' })).result
    const pusher = pushTestPattern(pub.rtmp)
    await bob.event('streamAdded', () => true, 10000)
    await ann.call('exit', { confrId })
    expect((await bob.event('streamRemoved')).data.stream.id).toBe(pub.stream.id)
    expect((await bob.event('memberExited')).data.cause).toBe('exit')
    expect(await pusher.exited).not.toBeNull()
  })
}
