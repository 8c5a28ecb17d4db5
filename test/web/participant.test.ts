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

  it('the meeting on the web page: chat (with the kept history), hands, the member list, the host mute', async () => {
    const room = 'web-meeting'
    const host = await nodeClient(server, 'web-host', { maxRole: 7 })
    clients.push(host)
    await host.emedia.mgr.joinRoom({ roomName: room, role: 7 })
    const hostMsgs: string[] = []
    host.emedia.mgr.on('message', (m) => hostMsgs.push(m.text ?? ''))
    await host.emedia.mgr.sendMessage({ text: 'agenda <b>first</b>' })
    const page = await joinFromPage(room, 'web-ann')

    // The kept history reached the late joiner, as text.
    await page.waitForSelector('#messages li .text')
    expect(await page.textContent('#messages li .text')).toBe('agenda <b>first</b>')
    expect(await page.$('#messages .text b')).toBeNull()
    // Both in the member list; the host as ADMIN.
    const hostId = host.emedia.mgr.getSelf()!.id
    await page.waitForSelector(`#people li[data-member-id="${hostId}"][data-role="7"]`)
    // The page chats, and raises its hand: the host sees both.
    await page.fill('#chat-text', 'hello from the web')
    await page.click('#chat-form button[type="submit"]')
    await until(() => hostMsgs.includes('hello from the web'), 10000)
    await page.click('#hand')
    await until(() => host.emedia.mgr.getHands().some((h) => h.nickName === 'web-ann'), 10000)
    const annId = host.emedia.mgr.getHands()[0].memberId
    await page.waitForSelector(`#people li[data-member-id="${annId}"][data-hand="1"]`)

    // The host mutes the page's member: a notice, the microphone track off, its unmute refused.
    await host.emedia.mgr.muteMembers('', [annId], { audio: true })
    await page.waitForSelector('body[data-muted-by-host="1"]')
    expect(await page.isVisible('#notice')).toBe(true)
    const audioOn = () =>
      page.evaluate(
        "document.querySelector('.tile.self video').srcObject.getAudioTracks()[0].enabled",
      ) as Promise<boolean>
    expect(await audioOn()).toBe(false)
    await page.click('#mic')
    await page.waitForSelector('body[data-last-error="-527"]')
    expect(await audioOn()).toBe(false)
    // The host's view of the page's stream: muted by the server's flag.
    await until(
      () => host.emedia.mgr.getStreams().some((s) => s.memId === annId && s.aoff === 1),
      10000,
    )
    // Let go: the page may unmute itself.
    await host.emedia.mgr.muteMembers('', [annId], { audio: false })
    await page.waitForSelector('body[data-muted-by-host="0"]')
    await page.click('#mic')
    await until(async () => await audioOn(), 10000)

    // An invitation to speak: the page shows who asks, accepting answers the host.
    const answers: boolean[] = []
    host.emedia.mgr.on('speakInvitationAnswered', (m, accept) => {
      if (m.id === annId) answers.push(accept)
    })
    await host.emedia.mgr.inviteToSpeak('', annId)
    await page.waitForSelector('#invite:not([hidden])')
    expect(await page.textContent('#inviter')).toBe('web-host')
    await page.click('#accept')
    await until(() => answers.length === 1, 10000)
    expect(answers).toEqual([true])
    expect(await page.isVisible('#invite')).toBe(false)
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
