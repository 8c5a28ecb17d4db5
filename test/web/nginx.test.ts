// The web participant and the console with --engine nginx, the production engine: the page
// publishes (the ingest pushes RTMP to nginx, whose on_publish asks the server like any pusher's)
// and plays HTTP-FLV from the nginx engine's play edge, which pulls each stream from nginx once
// however many browsers watch; a kick cuts a browser's playback at the server.
import type { ConferenceServer } from 'miniprogram-conference-server'
import { type EdgedEngine } from '../../server/media/edged-engine'
import { probe, pullFrames } from '../../testkit/ffmpeg'
import { describeWithNginx, originPlays } from '../../testkit/nginx'
import { nodeClient } from '../../testkit/sdk-client'
import { until } from '../../testkit/wait'
import { videoFacts, waitForVideo } from './browser'
import { roomKit } from './room'

jest.setTimeout(180_000)

describeWithNginx('web participant and console on nginx-rtmp', () => {
  let server: ConferenceServer
  let engine: EdgedEngine
  let plays: string[] = []
  const { joinFromPage, nodeTalker, browserStreamAt, signInConsole, clients } = roomKit(
    { dev: true, engine: 'nginx' },
    (s) => {
      server = s
      engine = s.engine as EdgedEngine
      plays = originPlays(engine)
    },
  )

  /** The <video> of `streamId` on `page` shows a picture that moves and is not black. */
  async function moving(page: Parameters<typeof videoFacts>[0], streamId: string) {
    await waitForVideo(page, streamId)
    const facts = await videoFacts(page, streamId, 2000)
    expect(facts).not.toBeNull()
    expect(facts!.width).toBe(640)
    expect(facts!.advanced).toBeGreaterThan(0.3)
    expect(facts!.meanLuma).toBeGreaterThan(30)
  }

  it('browsers and the console wall play a member; nginx serves one pull for all of them', async () => {
    const room = 'web-nginx'
    const bob = await nodeTalker('nginx-bob', room)
    const pages = [await joinFromPage(room, 'alice'), await joinFromPage(room, 'carol')]
    // The browser's own publish reached nginx and plays as H.264 for a Node member.
    const alice = await browserStreamAt(bob.c, 'alice')
    const info = await probe((await bob.c.emedia.mgr.subStream(alice)).data.rtmp)
    expect(info.video).toMatchObject({ codec: 'h264' })

    for (const page of pages) await moving(page, bob.streamId)
    const wall = await signInConsole(server.config.adminSecret)
    await wall.page.waitForSelector('body[data-state="signed-in"]')
    await moving(wall.page, bob.streamId)

    // Two pages and the wall watch bob: nginx was asked for his stream once, by the edge.
    expect(plays.filter((s) => s === bob.streamId)).toEqual([bob.streamId])
    await wall.context.close()
    for (const page of pages) await page.close()
  })

  it("a kick cuts the browser's playback at the server", async () => {
    const room = 'web-nginx-kick'
    const bob = await nodeTalker('nginx-kick-bob', room)
    const admin = await nodeClient(server, 'nginx-admin', { maxRole: 7 })
    clients.push(admin)
    await admin.emedia.mgr.joinRoom({ roomName: room, role: 7 })
    const flvUrls: string[] = []
    const page = await joinFromPage(room, 'kicked', undefined, async (p) => {
      p.on('request', (r) => {
        if (r.url().includes(`/${bob.streamId}.flv?`)) flvUrls.push(r.url())
      })
    })
    await moving(page, bob.streamId)
    const memId = (await browserStreamAt(admin, 'kicked')).memId
    const confrId = admin.emedia.mgr.getConference()!.confrId
    const member = server.service.conferences.get(confrId)!.members.get(memId)!
    // The page's play of bob, as the edge reported it to the gate.
    const sessions = [...member.playSessions]
      .filter(([, stream]) => stream === bob.streamId)
      .map(([id]) => id)
    expect(sessions).toHaveLength(1)
    expect(engine.edge.holds(sessions[0])).toBe(true)
    const closed: string[] = []
    const close = engine.edge.closeSession.bind(engine.edge)
    engine.edge.closeSession = (id) => {
      closed.push(id)
      close(id)
    }

    await admin.emedia.mgr.kickMembersById(confrId, [memId])
    await page.waitForSelector('body[data-state="exited"]', { timeout: 10000 })
    // The server closed the play itself (a page that ignored the exit would lose it too).
    await until(() => closed.includes(sessions[0]) && !engine.edge.holds(sessions[0]), 10000)
    // And the URL the page played is refused now.
    expect(flvUrls.length).toBeGreaterThan(0)
    expect((await pullFrames(flvUrls.at(-1)!, { frames: 1, timeoutMs: 5000 })).frames).toBe(0)
    await page.close()
  })
})
