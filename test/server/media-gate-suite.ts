// Media authority end to end at the protocol level, for any engine: real ffmpeg pushes and
// pulls through the engine, and the server decides who may. Run by media-gate.test.ts (embedded)
// and media-gate-nginx.test.ts.
import type { ConferenceServer } from 'miniprogram-conference-server'
import { type ServerConfig } from '../../server/config'
import { pullFrames, pushTestPattern, stopAllMedia } from '../../testkit/ffmpeg'
import { RawClient } from '../../testkit/raw-client'
import { startServer, tokenFor } from '../../testkit/server'
import { type MediaCredential } from 'miniprogram-conference-protocol'

/** A play URL as the SDK composes it from a member's credential (protocol 1.2). */
export function playUrl(media: MediaCredential, streamId: string, flv = false): string {
  if (flv) return `${media.flvBase}/${streamId}.flv?token=${media.token}`
  return `${media.rtmpBase}/${streamId}?token=${media.token}`
}

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
    const { c: bob, r: bobJoin } = await joined('bob', 'media-1')
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
    // One frame for all: no per-receiver URL on the wire; bob plays with his credential.
    expect(added.data.stream.rtmp).toBeUndefined()
    const pulled = await pullFrames(playUrl(bobJoin.media, streamId), { frames: 5 })
    expect(pulled).toMatchObject({ width: 640, height: 360, hasAudio: true })
    expect(pulled.frames).toBeGreaterThanOrEqual(5)
    if (bobJoin.media.flvBase) {
      const flv = await pullFrames(playUrl(bobJoin.media, streamId, true), { frames: 3 })
      expect(flv.frames).toBeGreaterThanOrEqual(3)
    }
    await pusher.stop()
    const removed = await bob.event('streamRemoved', () => true, 5000)
    expect(removed.data.stream.id).toBe(streamId)
  })

  test('forged, unsigned, foreign and non-member URLs are refused by the engine', async () => {
    const { c: ann, r } = await joined('ann', 'media-2')
    const { c: bob, r: bobJoin } = await joined('bob', 'media-2')
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
    const bobUrl = playUrl(bobJoin.media, added.data.stream.id)
    expect((await pullFrames(bobUrl, { frames: 2 })).frames).toBeGreaterThanOrEqual(2)
    await pusher.stop()
  })

  test("a member's credential plays its conference's streams while it is a member, nothing else", async () => {
    const { c: ann, r } = await joined('ann', 'cred-a')
    const { r: bob } = await joined('bob', 'cred-a')
    const { c: carlC, r: carl } = await joined('carl', 'cred-a')
    const { r: dave } = await joined('dave', 'cred-b')
    const confrId = r.conference.confrId
    const pub = (await ann.call('publish', { confrId, rtcId: 'cam' })).result
    const streamId = pub.stream.id
    const pusher = pushTestPattern(pub.rtmp)
    await carlC.event('streamAdded', () => true, 10000)
    const plays = async (url: string, timeoutMs = 4000) =>
      (await pullFrames(url, { frames: 2, timeoutMs })).frames >= 2
    expect(await plays(playUrl(bob.media, streamId), 10000)).toBe(true)
    // The name?query nginx-rtmp keeps (255 bytes) holds it with room to spare.
    const nameQuery = playUrl(bob.media, streamId).split('/').pop()!
    expect(nameQuery.length).toBeLessThan(160)
    // Tampered: another member's id, or another conference's id, under bob's signature.
    const [k, , , exp, sig] = bob.media.token.split('.')
    const forged = (confr: string, member: string) =>
      playUrl({ ...bob.media, token: [k, confr, member, exp, sig].join('.') }, streamId)
    expect(await plays(forged(confrId, carl.self.id))).toBe(false)
    expect(await plays(forged(dave.conference.confrId, bob.self.id))).toBe(false)
    expect(
      await plays(playUrl({ ...bob.media, token: bob.media.token.slice(0, -2) + 'xx' }, streamId)),
    ).toBe(false)
    // Conference B's member cannot play conference A's stream with its own credential.
    expect(await plays(playUrl(dave.media, streamId))).toBe(false)
    // A reserved slot is nothing to play.
    expect(await plays(playUrl(bob.media, carl.grant.stream.id))).toBe(false)
    // Departed (exit) and kicked members' credentials stop working.
    await carlC.call('exit', { confrId })
    expect(await plays(playUrl(carl.media, streamId))).toBe(false)
    expect(await plays(playUrl(bob.media, streamId), 10000)).toBe(true) // still a member
    await ann.call('kick', { confrId, memberNames: ['bob'] })
    expect(await plays(playUrl(bob.media, streamId))).toBe(false)
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
