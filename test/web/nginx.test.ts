// The web participant with --engine nginx: publishing works (the ingest pushes RTMP to nginx,
// whose on_publish asks the server like any pusher's); playing in the page does not, because
// nginx-rtmp serves no HTTP-FLV: the page says so on the tile instead of showing a black one.
import { probe } from '../../testkit/ffmpeg'
import { describeWithNginx } from '../../testkit/nginx'
import { roomKit } from './room'

jest.setTimeout(120_000)

describeWithNginx('web participant on nginx-rtmp', () => {
  const { joinFromPage, nodeTalker, browserStreamAt } = roomKit({ dev: true, engine: 'nginx' })

  it('publishes from the browser; the page marks the remote tile unplayable', async () => {
    const bob = await nodeTalker('nginx-bob', 'web-nginx')
    const page = await joinFromPage('web-nginx', 'alice')
    const stream = await browserStreamAt(bob.c, 'alice')
    const info = await probe((await bob.c.emedia.mgr.subStream(stream)).data.rtmp)
    expect(info.video).toMatchObject({ codec: 'h264' })
    await page.waitForSelector(`.tile.unplayable[data-stream-id="${bob.streamId}"]`, {
      timeout: 30000,
    })
    await page.close()
  })
})
