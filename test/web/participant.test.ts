// The web participant page in real Chromium (fake camera + microphone) against the real server
// with real media: a browser member and a Node SDK member publishing with ffmpeg in one room.
import type { ConferenceServer } from 'miniprogram-conference-server'
import type { Stream } from 'miniprogram-conference-protocol'
import { mediaChildren, probe } from '../../testkit/ffmpeg'
import { nodeClient } from '../../testkit/sdk-client'
import { cpuMs } from '../../testkit/procs'
import { videoFacts, waitForVideo } from './browser'
import { roomKit } from './room'
import { sleep, until } from '../../testkit/wait'

jest.setTimeout(120_000)

let server: ConferenceServer

const { joinFromPage, nodeTalker, browserStreamAt, clients } = roomKit({ dev: true }, (s) => {
  server = s
})

describe('web participant', () => {
  it('publishes to a Node member and plays the Node member; camera off reaches it as voff', async () => {
    const room = 'web-room-1'
    const bob = await nodeTalker('node-bob', room)
    const page = await joinFromPage(room, 'Alice <b>&')

    // Node side: onStreamAdded for the browser's stream, and ffprobe decodes it.
    const stream = await browserStreamAt(bob.c, 'Alice <b>&')
    const codec = await page.getAttribute('body', 'data-codec')
    const sub = await bob.c.emedia.mgr.subStream(stream)
    const info = await probe(sub.data.rtmp)
    console.log(`browser stream as probed: ${JSON.stringify(info)}, recorder codec ${codec}`)
    expect(info.video).toMatchObject({ codec: 'h264' })
    expect(info.video!.width).toBeGreaterThan(0)
    expect(info.audio).toMatchObject({ codec: 'aac' })
    expect(server.ingest.pids()).toHaveLength(1)
    const pid = server.ingest.pids()[0]
    const cpu0 = cpuMs(pid) / 1000
    await sleep(3000)
    console.log(
      `ingest CPU, H.264 copy 640x360@15: ${(((cpuMs(pid) / 1000 - cpu0) / 3) * 100).toFixed(1)}% of one core`,
    )

    // Browser side: the Node member's video plays, advances and is not black.
    await waitForVideo(page, bob.streamId)
    const facts = await videoFacts(page, bob.streamId)
    console.log(`browser playing the Node member: ${JSON.stringify(facts)}`)
    expect(facts).not.toBeNull()
    expect(facts!.width).toBe(640)
    expect(facts!.height).toBe(360)
    expect(facts!.advanced).toBeGreaterThan(0.3)
    expect(facts!.meanLuma).toBeGreaterThan(30)

    // Camera off: the Node member hears voff through onMediaChanaged.
    await page.click('#cam')
    await until(
      () =>
        bob.c
          .events('mediaChanged')
          .some((e) => (e[0] as Stream).id === stream.id && (e[1] as { voff?: number }).voff === 1),
      10000,
    )

    // The nickname is shown as text, never as markup.
    const label = await page.textContent(`.tile[data-stream-id="${bob.streamId}"] .name`)
    expect(label).toBe('node-bob')
    expect(await page.$('.tile b')).toBeNull()

    // Leaving ends the ingest ffmpeg.
    await page.click('#leave')
    await until(() => server.ingest.pids().length === 0, 10000)
    await until(
      () => bob.c.events('streamRemoved').some((e) => (e[0] as Stream).id === stream.id),
      10000,
    )
    expect(mediaChildren().filter((l) => !l.includes(String(bob.pusher.proc.pid)))).toEqual([])
    await page.close()
  })

  it('a kick ends the browser membership and its ingest ffmpeg', async () => {
    const room = 'web-room-kick'
    const admin = await nodeClient(server, 'node-admin', { maxRole: 7 })
    clients.push(admin)
    await admin.emedia.mgr.joinRoom({ roomName: room, role: 7 })
    const page = await joinFromPage(room, 'kicked')
    const stream = await browserStreamAt(admin, 'kicked')
    await until(() => server.ingest.pids().length === 1, 10000)
    const pid = server.ingest.pids()[0]

    await admin.emedia.mgr.kickMembersById(admin.emedia.mgr.getConference()!.confrId, [
      stream.memId,
    ])
    await page.waitForSelector('body[data-state="exited"]', { timeout: 10000 })
    await until(() => server.ingest.pids().length === 0, 10000)
    expect(mediaChildren().some((l) => l.trim().startsWith(String(pid)))).toBe(false)
    await page.close()
  })

  it('transcodes only when it must: a browser without H.264 recording still reaches others as H.264', async () => {
    const room = 'web-room-vp8'
    const bob = await nodeTalker('node-vp8', room)
    // A browser that records VP8 only (as Firefox does).
    const noH264 = `const isType = MediaRecorder.isTypeSupported.bind(MediaRecorder)
MediaRecorder.isTypeSupported = (t) => !/h264|avc1/i.test(t) && isType(t)`
    const page = await joinFromPage(room, 'vp8-user', noH264)
    expect(await page.getAttribute('body', 'data-codec')).toBe('vp8')
    const stream = await browserStreamAt(bob.c, 'vp8-user')
    const info = await probe((await bob.c.emedia.mgr.subStream(stream)).data.rtmp)
    expect(info.video).toMatchObject({ codec: 'h264', width: 640, height: 360 })
    const pid = server.ingest.pids()[0]
    const cpu0 = cpuMs(pid) / 1000
    await sleep(3000)
    console.log(
      `ingest CPU, VP8 → libx264 640x360@15: ${(((cpuMs(pid) / 1000 - cpu0) / 3) * 100).toFixed(1)}% of one core`,
    )
    await page.close()
  })
})
