// Screen sharing from the web participant (Chromium's fake display capture): a desktop stream
// beside the camera, and the conference's maxPubDesktopCount enforced by the server.
import type { ConferenceServer } from 'miniprogram-conference-server'
import { ErrorCode } from 'miniprogram-conference-protocol'
import { probe } from '../../testkit/ffmpeg'
import { roomKit } from './room'
import { until } from '../../testkit/wait'

jest.setTimeout(120_000)

let server: ConferenceServer
const { joinFromPage, nodeTalker, browserStreamAt } = roomKit({ dev: true }, (s) => {
  server = s
})

describe('screen sharing', () => {
  it('reaches a Node member as a second stream of the member; one over the limit is refused', async () => {
    const room = 'web-share'
    const bob = await nodeTalker('node-bob', room)
    const alice = await joinFromPage(room, 'alice')
    const camera = await browserStreamAt(bob.c, 'alice')

    await alice.click('#share')
    await alice.waitForSelector('body[data-sharing="1"]', { timeout: 10000 })
    const desktop = await browserStreamAt(bob.c, 'alice', 'desktop')
    expect(desktop.memId).toBe(camera.memId)
    expect(desktop.id).not.toBe(camera.id)
    const info = await probe((await bob.c.emedia.mgr.subStream(desktop)).data.rtmp)
    console.log(`shared screen as probed: ${JSON.stringify(info)}`)
    expect(info.video).toMatchObject({ codec: 'h264' })
    expect(info.video!.width).toBeGreaterThan(0)
    expect(server.ingest.pids()).toHaveLength(2)

    // maxPubDesktopCount is 1 by default: a second member's share is refused with its code.
    const carol = await joinFromPage(room, 'carol')
    await carol.click('#share')
    await carol.waitForSelector('body[data-share-error]', { timeout: 10000 })
    expect(await carol.getAttribute('body', 'data-share-error')).toBe(
      String(ErrorCode.TOO_MANY_DESKTOPS),
    )
    await expect(bob.c.emedia.mgr.pubStream('screen', { type: 'desktop' })).rejects.toMatchObject({
      code: ErrorCode.TOO_MANY_DESKTOPS,
    })

    // Stopping the share withdraws it and frees the slot.
    await alice.click('#share')
    await until(
      () => bob.c.events('streamRemoved').some((e) => (e[0] as { id: string }).id === desktop.id),
      10000,
    )
    await expect(bob.c.emedia.mgr.pubStream('screen', { type: 'desktop' })).resolves.toBeTruthy()
    await alice.close()
    await carol.close()
  })
})
