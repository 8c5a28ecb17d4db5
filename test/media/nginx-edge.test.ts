// Media across machines: a conference server with --engine nginx (the origin) and two nginx-rtmp
// edges on loopback, run from the config the project generates for them. SDK members play from
// their edge, which asks the server (same gate as the origin) and relays from the origin: one
// pull per edge whatever the number of players. Real nginx, real sockets, real ffmpeg.
// Without nginx + libnginx-mod-rtmp the suite says loudly that it did not run (and fails under
// CK_REQUIRE_NGINX=1, as in CI).
import { spawnSync } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import type { ConferenceServer } from 'miniprogram-conference-server'
import { edgeFor, parseEdgeList } from '../../server/media/nginx/edge-list'
import { type MediaHooks } from '../../server/media/engine'
import { type EdgedEngine, PLAY_EDGE_NAME } from '../../server/media/edged-engine'
import { type NginxEngine } from '../../server/media/nginx/engine'
import { edgeConfigFromArgs } from '../../server/media/nginx-edge-cli'
import { nginxPaths } from '../../server/media/nginx/options'
import { pullFrames, pushTestPattern, stopAllMedia } from '../../testkit/ffmpeg'
import { describeWithNginx, type RunningEdge, startEdge } from '../../testkit/nginx'
import { type NodeClient, nodeClient } from '../../testkit/sdk-client'
import { startServer } from '../../testkit/server'
import { sleep, until } from '../../testkit/wait'

const PLAYERS = 20
/** How often the edges ask the server again about their players (on_update). */
const UPDATE_SEC = 1
/** Light media: 20 decoders share 2 cores with other work. */
const PATTERN = { width: 160, height: 90, fps: 10 }

const baseOf = (url: string) => url.slice(0, url.lastIndexOf('/'))
/** `p`'s value, or null if it takes longer than `ms` (the timer does not outlive it). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)))
  try {
    return await Promise.race([p, late])
  } finally {
    clearTimeout(timer)
  }
}

describe('edge config and edge choice (no nginx needed)', () => {
  it('prints an edge config whose hooks carry the key of the server secret, and checks input', () => {
    const args = ['--name', 'e1', '--server', 'http://10.0.0.5:8080', '--listen', '0.0.0.0:1936']
    const conf = edgeConfigFromArgs(args, { CK_SECRET: 's3cret' })
    expect(conf).toMatch(/listen 0\.0\.0\.0:1936;/)
    expect(conf).toMatch(/^\s*deny publish all;$/m)
    const hook =
      /on_play (http:\/\/10\.0\.0\.5:8080\/rtmp-edge\/([0-9a-f]{32})\/e1)\/on_play;/.exec(conf)
    expect(hook).not.toBeNull()
    expect(conf).toContain(`on_play_done ${hook![1]}/on_play_done;`)
    expect(conf).toContain(`on_update ${hook![1]}/on_update;`)
    expect(conf).toMatch(/notify_update_timeout 10s;/)
    const never = edgeConfigFromArgs([...args, '--update-sec', '0'], { CK_SECRET: 's3cret' })
    expect(never).not.toMatch(/on_update|notify_update_timeout/)
    // Another secret, another key: a config is only good for its server.
    const other = edgeConfigFromArgs(args, { CK_SECRET: 'other' })
    expect(other).not.toContain(hook![2])
    expect(() => edgeConfigFromArgs(args, {})).toThrow(/CK_SECRET/)
    expect(() =>
      edgeConfigFromArgs(['--name', 'e 1', ...args.slice(2)], { CK_SECRET: 's' }),
    ).toThrow(/edge name/)
  })

  it('gives each member one edge, always the same, spread over the edges', () => {
    const edges = parseEdgeList('rtmp://a:1935/live, rtmp://b:1935/live/', 'live')
    expect(edges.bases).toEqual(['rtmp://a:1935/live', 'rtmp://b:1935/live'])
    const ids = Array.from({ length: 1000 }, (_, i) => `MS_member${i}`)
    const onA = ids.filter((id) => edgeFor(edges, id) === 'rtmp://a:1935/live').length
    expect(onA).toBeGreaterThan(400)
    expect(onA).toBeLessThan(600)
    for (const id of ids.slice(0, 20)) expect(edgeFor(edges, id)).toBe(edgeFor(edges, id))
    expect(edgeFor(parseEdgeList('', 'live'), 'MS_x')).toBeNull()
    expect(() => parseEdgeList('rtmp://a:1935/other', 'live')).toThrow(/must end in \/live/)
    expect(() => parseEdgeList('http://a/live', 'live')).toThrow(/rtmp:\/\//)
  })
})

describeWithNginx('edge config (nginx -t)', () => {
  it('what `conference-server edge-config` prints is a config nginx accepts', () => {
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-edge-t-'))
    try {
      const file = path.join(prefix, 'nginx.conf')
      const args = ['--name', 'e1', '--server', 'http://127.0.0.1:8080', '--prefix', prefix]
      fs.writeFileSync(
        file,
        edgeConfigFromArgs([...args, '--listen', '127.0.0.1:1935'], { CK_SECRET: 'x' }),
      )
      const { nginxPath } = nginxPaths({})
      const t = spawnSync(nginxPath!, ['-t', '-p', prefix + '/', '-c', file], { encoding: 'utf8' })
      expect(t.stderr).toMatch(/test is successful/)
      expect(t.status).toBe(0)
    } finally {
      fs.rmSync(prefix, { recursive: true, force: true })
    }
  })
})

describeWithNginx('nginx-rtmp edges relaying from the origin', () => {
  let server: ConferenceServer
  let origin: NginxEngine
  const edges: RunningEdge[] = []
  const clients: NodeClient[] = []
  let publisher: NodeClient
  let players: NodeClient[] = []
  let confrId = ''
  let pushUrl = ''
  let streamId = ''

  /** The origin's relay pulls of the stream now: edge name by session id. */
  const relays = () =>
    new Map(
      origin
        .sessions()
        .filter((s) => s.kind === 'play' && s.session.stream === streamId)
        .filter((s) => s.session.query.edge !== PLAY_EDGE_NAME)
        .map((s) => [s.session.sessionId, s.session.query.edge ?? '(none)']),
    )
  /** Every play the origin's nginx asked about (its on_play callbacks), in order. */
  const originPlays: Array<{ stream: string; edge: string; allowed: boolean }> = []
  /** The origin's on_play callbacks for the stream since `from`: the edge each came from. */
  const originPlaysOf = (from = 0) =>
    originPlays
      .slice(from)
      .filter((p) => p.stream === streamId)
      .map((p) => `${p.edge || '(no edge)'} ${p.allowed ? 'allowed' : 'refused'}`)
  const playUrlOf = (c: NodeClient) =>
    (c
      .events('streamAdded')
      .map((e) => e[0] as { id: string; rtmp: string })
      .find((s) => s.id === streamId)?.rtmp ?? '') as string
  const memberOf = (userId: string) =>
    [...server.service.conferences.get(confrId)!.members.values()].find((m) => m.userId === userId)!

  beforeAll(async () => {
    // The edges first: the server is started with their ports, then they are pointed at it.
    for (const name of ['edge1', 'edge2'])
      edges.push(await startEdge({ name, updateSec: UPDATE_SEC }))
    server = await startServer({
      engine: 'nginx',
      edgeRtmp: edges.map((e) => e.rtmpBase).join(','),
    })
    for (const edge of edges)
      await edge.point({ serverUrl: server.httpUrl, secret: server.config.secret })
    // nginx itself, beside the server's play edge (which serves HTTP-FLV only here).
    origin = (server.engine as EdgedEngine).origin as NginxEngine
    // Count the origin's on_play callbacks at the hooks its engine calls (the server's gate).
    const gate = (origin as unknown as { hooks: MediaHooks }).hooks
    const authorize = gate.authorize.bind(gate)
    gate.authorize = (kind, session) => {
      const reason = authorize(kind, session)
      // The edges' players come to the same gate (ids "edge1/7"); the origin's are nginx's.
      // The server's own play edge pulls every live stream once (for HTTP-FLV): not counted.
      if (kind === 'play' && /^\d+$/.test(session.sessionId)) {
        const edge = session.query.edge ?? ''
        if (edge === PLAY_EDGE_NAME) return reason
        originPlays.push({ stream: session.stream, edge, allowed: reason === null })
      }
      return reason
    }
    publisher = await nodeClient(server, 'edge-pub', { maxRole: 7 })
    clients.push(publisher)
    // A LIVE room: one host publishing, an audience playing.
    const conf = await publisher.emedia.mgr.joinRoom({
      roomName: 'edges',
      password: '',
      role: 7,
      type: 12,
    })
    confrId = (conf as { confrId: string }).confrId
    players = await Promise.all(
      Array.from({ length: PLAYERS }, (_, i) => nodeClient(server, `edge-player-${i}`)),
    )
    clients.push(...players)
    await Promise.all(
      players.map((p) => p.emedia.mgr.joinRoom({ roomName: 'edges', password: '', role: 1 })),
    )
  }, 60000)

  afterEach(async () => {
    await stopAllMedia()
    if (streamId) await publisher.emedia.mgr.unpubStream(streamId)
    streamId = ''
  })
  afterAll(async () => {
    await stopAllMedia()
    await Promise.all(clients.map((c) => c.close()))
    await Promise.all(edges.map((e) => e.stop()))
    await server?.stop()
  }, 30000)

  /** Publish through the SDK's push URL and wait until every player was told. */
  async function publish() {
    const pub = await publisher.emedia.mgr.pubStream('cam')
    pushUrl = pub.data.rtmp
    streamId = pub.data.streamId
    const pusher = pushTestPattern(pushUrl, PATTERN)
    await until(
      () => players.every((p) => playUrlOf(p) !== ''),
      15000,
      'streamAdded at every player',
    )
    return pusher
  }

  it('publishers push to the origin; each member is handed a play URL on its own edge', async () => {
    const pusher = await publish()
    expect(baseOf(pushUrl.split('?')[0])).toBe(origin.rtmpBase())
    const bases = players.map((p) => baseOf(playUrlOf(p).split('?')[0]))
    const edgeBases = edges.map((e) => e.rtmpBase)
    for (const b of bases) expect(edgeBases).toContain(b)
    // 20 random member ids on 2 edges: both get players (all on one: a 2^-19 chance).
    for (const e of edgeBases) expect(bases).toContain(e)
    // The same edge every time for a member (here: a fresh subscribe).
    const again = await players[0].emedia.mgr.subStream(streamId)
    expect(baseOf(again.data.rtmp.split('?')[0])).toBe(bases[0])
    await pusher.stop()
  })

  it(`${PLAYERS} players on 2 edges all get media; the origin serves one pull per edge`, async () => {
    const pusher = await publish()
    await sleep(500)
    const from = originPlays.length
    const t0 = Date.now()
    const took: number[] = []
    const results = await Promise.all(
      players.map((p) =>
        pullFrames(playUrlOf(p), { frames: 10, timeoutMs: 30000 }).then((r) => {
          took.push(Date.now() - t0)
          return r
        }),
      ),
    )
    for (const r of results) {
      expect(r).toMatchObject({ width: PATTERN.width, height: PATTERN.height, hasAudio: true })
      expect(r.frames).toBe(10)
    }
    // Exactly one relay pull per edge, each authorised on the origin like any play.
    expect(originPlaysOf(from).sort()).toEqual(['edge1 allowed', 'edge2 allowed'])
    const perEdge = edges.map(
      (e) => players.filter((p) => playUrlOf(p).startsWith(e.rtmpBase + '/')).length,
    )
    console.log(
      `edges: ${PLAYERS} players (${perEdge.join(' + ')} per edge), ${originPlaysOf(from).length} plays on the origin;` +
        ` 10 frames (1 s of media at ${PATTERN.fps} fps) decoded by all in ${Math.min(...took)}–${Math.max(...took)} ms incl. ffmpeg start`,
    )
    // The pulls end with their last player; the edges' on_play_done reached the server.
    await until(() => relays().size === 0, 10000, 'the relay pulls to end')
    await until(
      () => players.every((_, i) => memberOf(`edge-player-${i}`).playSessions.size === 0),
      10000,
      'edge play sessions to be forgotten',
    )
    await pusher.stop()
  }, 60000)

  it('refuses a bad token on an edge without relaying, and any pull without a credential', async () => {
    const pusher = await publish()
    await until(() => relays().size === 0, 10000, 'no relay left from before')
    const good = playUrlOf(players[0])
    const edgeBase = baseOf(good.split('?')[0])
    const token = new URL(good.replace('rtmp:', 'http:')).searchParams.get('token')!
    const from = originPlays.length
    const bad = [
      `${edgeBase}/${streamId}`,
      `${edgeBase}/${streamId}?token=${token.slice(0, -3)}abc`,
      `${edgeBase}/${streamId}?token=${token}&edge=edge1`.replace(streamId, `${streamId}x`),
    ]
    for (const url of bad) {
      const r = await pullFrames(url, { frames: 2, timeoutMs: 8000 })
      expect(r.frames).toBe(0)
      expect(r.code).not.toBe(0)
    }
    // No relay was asked of the origin, for this stream or any other.
    expect(originPlays.slice(from)).toEqual([])
    // The origin takes no pull without a credential, marked as an edge's or not.
    for (const url of [
      `${origin.rtmpBase()}/${streamId}`,
      `${origin.rtmpBase()}/${streamId}?edge=edge1`,
    ]) {
      expect((await pullFrames(url, { frames: 2, timeoutMs: 8000 })).frames).toBe(0)
    }
    expect(originPlaysOf(from)).toEqual(['(no edge) refused', 'edge1 refused'])
    for (const e of edges) expect(await e.stat()).not.toContain(`<name>${streamId}</name>`)
    // Nobody publishes to an edge, not even with the member's own push URL.
    const onEdge = pushTestPattern(
      pushUrl.replace(baseOf(pushUrl.split('?')[0]), edgeBase),
      PATTERN,
    )
    expect(await onEdge.exited).not.toBe(0)
    // The same edge with the member's real URL plays.
    expect((await pullFrames(good, { frames: 3 })).frames).toBe(3)
    await pusher.stop()
  }, 60000)

  it('a stream that stops on the origin ends on the edges', async () => {
    const pusher = await publish()
    await until(() => relays().size === 0, 10000, 'no relay left from before')
    const one = edges.map((e) => players.find((p) => playUrlOf(p).startsWith(e.rtmpBase + '/'))!)
    // Long players: ffmpeg's own timeout (60 s) is far beyond what the test waits.
    const playing = one.map((p) => pullFrames(playUrlOf(p), { frames: 100000, timeoutMs: 60000 }))
    await until(() => relays().size === 2, 15000, 'a relay pull from each edge')
    await until(
      () => players.some((_, i) => memberOf(`edge-player-${i}`).playSessions.size > 0),
      5000,
      'edge players known to the server',
    )
    let over = false
    void Promise.all(playing).then(() => (over = true))
    await sleep(1500) // media flowing through the edges
    expect(over).toBe(false)
    await pusher.stop()
    const t0 = Date.now()
    const ended = await within(Promise.all(playing), 20000)
    expect(ended).not.toBeNull()
    for (const r of ended!) expect(r.frames).toBeGreaterThan(0)
    console.log(`edges: players ended ${Date.now() - t0} ms after the publisher stopped`)
    await until(() => relays().size === 0, 5000, 'the relays to be gone')
    for (const e of edges) expect(await e.stat()).not.toContain(`<name>${streamId}</name>`)
  }, 60000)

  it('a member kicked while playing on an edge is cut there at the next update; others play on', async () => {
    const pusher = await publish()
    await until(() => relays().size === 0, 10000, 'no relay left from before')
    const edgeOf = (p: NodeClient) => baseOf(playUrlOf(p).split('?')[0])
    const witness = players.findIndex((p, i) => i > 0 && edgeOf(p) === edgeOf(players[0]))
    const [victimPlay, witnessPlay] = [players[0], players[witness]].map((p) =>
      pullFrames(playUrlOf(p), { frames: 100000, timeoutMs: 60000 }),
    )
    const victim = memberOf('edge-player-0')
    const other = memberOf(`edge-player-${witness}`)
    await until(
      () => victim.playSessions.size > 0 && other.playSessions.size > 0,
      15000,
      'both playing on the edge',
    )
    let witnessOver = false
    void witnessPlay.then(() => (witnessOver = true))
    await sleep(500)
    server.service.operatorKick(server.service.conferences.get(confrId)!, [victim.id])
    const t0 = Date.now()
    const cut = await within(victimPlay, 15000)
    expect(cut).not.toBeNull()
    expect(cut!.frames).toBeGreaterThan(0)
    console.log(
      `edges: kicked member's player cut ${Date.now() - t0} ms after the kick (update every ${UPDATE_SEC} s)`,
    )
    // Its relay stays for the other player of that edge, who plays on.
    await sleep(2 * UPDATE_SEC * 1000)
    expect(witnessOver).toBe(false)
    expect(relays().size).toBe(1)
    await pusher.stop()
    expect((await witnessPlay).frames).toBeGreaterThan(0)
  }, 60000)
})
