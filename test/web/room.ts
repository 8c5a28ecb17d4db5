// A room for the browser tests: the real server and Chromium for the test file (started before
// its tests, everything stopped after), pages joined through the web participant, Node SDK talkers
// publishing ffmpeg test patterns, and how to find a browser member's stream from the Node side.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { ConferenceServer } from 'miniprogram-conference-server'
import type { Stream } from 'miniprogram-conference-protocol'
import type { ServerConfig } from '../../server/config'
import { pushTestPattern, stopAllMedia } from '../../testkit/ffmpeg'
import { nodeClient, type NodeClient } from '../../testkit/sdk-client'
import { startServer } from '../../testkit/server'
import { launchChromium } from './browser'
import { until } from '../../testkit/wait'

/** Registers the file's beforeAll / afterAll; `started` hands the test file its server and
 * browser. Node clients pushed on `clients` are closed with the rest. */
export function roomKit(
  serverOptions: Partial<ServerConfig>,
  started: (server: ConferenceServer, browser: Browser) => void = () => {},
) {
  let server: ConferenceServer | undefined
  let browser: Browser | undefined
  const clients: NodeClient[] = []
  beforeAll(async () => {
    server = await startServer(serverOptions)
    browser = await launchChromium()
    started(server, browser)
  })
  afterAll(async () => {
    await browser?.close()
    for (const c of clients) await c.close().catch(() => {})
    await stopAllMedia()
    await server?.stop()
  })
  const get = () => ({ server: server!, browser: browser! })

  /** `initScript` runs in the page before its own code (e.g. a fake getUserMedia); `prepare`
   * gets the page before it loads (e.g. to route its WebSocket or listen to its requests). */
  async function joinFromPage(
    room: string,
    nick: string,
    initScript?: string,
    prepare?: (page: Page) => Promise<void>,
  ): Promise<Page> {
    const page = await get().browser.newPage()
    if (initScript) await page.addInitScript(initScript)
    await prepare?.(page)
    await page.goto(`${get().server.httpUrl}/?lang=en&room=${encodeURIComponent(room)}`)
    await page.fill('#nick', nick)
    await page.click('#join')
    await page.waitForSelector('body[data-state="joined"][data-publishing="1"]', { timeout: 20000 })
    return page
  }

  /** The operator console in a context of its own, signing in with `secret`. */
  async function signInConsole(secret: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await get().browser.newContext()
    const page = await context.newPage()
    await page.goto(`${get().server.httpUrl}/console?lang=en`)
    await page.waitForSelector('body[data-state="signed-out"]')
    await page.fill('#secret', secret)
    await page.click('#sign-in button[type="submit"]')
    return { context, page }
  }

  async function nodeTalker(userId: string, room: string) {
    const c = await nodeClient(get().server, userId)
    clients.push(c)
    await c.emedia.mgr.joinRoom({ roomName: room, role: 3 })
    const pub = await c.emedia.mgr.pubStream('cam')
    const pusher = pushTestPattern(pub.data.rtmp)
    return { c, pusher, streamId: pub.data.streamId }
  }

  /** The browser member's stream as the Node member was told about it. */
  async function browserStreamAt(
    c: NodeClient,
    nick: string,
    type: Stream['type'] = 'normal',
  ): Promise<Stream> {
    let found: Stream | undefined
    await until(() => {
      found = c
        .events('streamAdded')
        .map((e) => e[0] as Stream)
        .find((s) => s.owner.nickName === nick && s.type === type)
      return !!found
    }, 30000)
    return found!
  }

  return { joinFromPage, nodeTalker, browserStreamAt, signInConsole, clients }
}
