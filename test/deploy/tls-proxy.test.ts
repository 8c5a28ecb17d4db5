// docs/deploy.md followed to the letter behind its TLS proxy: the secrets made by its commands,
// the server started by its command line (npx conference-server, production mode), the system
// nginx's site written, enabled and checked by its commands, on a name that is not loopback
// (conference.test, mapped to 127.0.0.1 for Chromium and the Node clients: Chromium exempts
// 127.0.0.1 from mixed-content rules) and a port that is not 443. Through it: a browser publishes
// and plays (embedded engine: HTTP-FLV through the proxy, never http:// from the https page),
// the console signs in, 65 clients from 65 addresses all get in (--trust-proxy), and with the
// nginx engine, as the Run command is written, a browser's upload reaches nginx-rtmp and another
// browser plays it through the proxy from the engine's play edge.
// testkit/tls-proxy.ts says what is replaced in the doc's text, and why.
import fs from 'fs'
import type { Agent } from 'https'
import path from 'path'
import type { Browser, Page } from 'playwright-core'
import { Tokens } from '../../server/auth/tokens'
import { launchChromium, waitForVideo } from '../web/browser'
import { probe, stopAllMedia } from '../../testkit/ffmpeg'
import { describeRequiring } from '../../testkit/optional-suite'
import { RawClient } from '../../testkit/raw-client'
import { nodeClient } from '../../testkit/sdk-client'
import { until } from '../../testkit/wait'
import {
  deployBehindProxy,
  type Deployment,
  deployDoc,
  DOMAIN,
  HostTree,
  tlsProxyAvailability,
} from '../../testkit/tls-proxy'

jest.setTimeout(180_000)

const doc = deployDoc()

describeRequiring(
  'docs/deploy.md behind its TLS proxy',
  tlsProxyAvailability,
  'CK_REQUIRE_NGINX',
  () => {
    let tree: HostTree
    let cert: ReturnType<HostTree['selfSignedCert']>
    let agent: Agent
    let tokens: Tokens
    let adminSecret: string
    let browser: Browser
    const running: Deployment[] = []

    beforeAll(async () => {
      tree = new HostTree()
      const t0 = Date.now()
      const secrets = tree.makeSecrets()
      const secretsMs = Date.now() - t0
      tokens = new Tokens(secrets.secret, 'default')
      adminSecret = secrets.adminSecret
      expect(fs.statSync(path.join(tree.etc, 'conference')).mode & 0o777).toBe(0o700)
      cert = tree.selfSignedCert([DOMAIN])
      agent = cert.agent
      const t1 = Date.now()
      running.push(await deploy('embedded'))
      const deployMs = Date.now() - t1
      process.stdout.write(
        `[deploy] following docs/deploy.md: secrets ${secretsMs} ms, server (npx) + proxy ` +
          `(site, ln -s, nginx -t, start) ${deployMs} ms: ${secretsMs + deployMs} ms to a ` +
          `production-mode server answering https://${DOMAIN}/healthz through the proxy\n`,
      )
      browser = await launchChromium([
        `--host-resolver-rules=MAP ${DOMAIN} 127.0.0.1`,
        '--ignore-certificate-errors',
      ])
    })

    afterAll(async () => {
      await browser?.close()
      await stopAllMedia()
      for (const d of running.splice(0)) expect(await d.stop()).toBe(0)
      tree?.remove()
    })

    /** The Run command; for the embedded engine without its `--engine nginx`, as the doc says. */
    function deploy(engine: 'nginx' | 'embedded'): Promise<Deployment> {
      const line = engine === 'nginx' ? doc.run : doc.run.replace(' --engine nginx', '')
      return deployBehindProxy({ tree, line, domain: DOMAIN, certDir: cert.dir, agent })
    }

    /** The end of what the running server printed, for a failure's message. */
    const serverSaid = () => running[0]?.server.output().slice(-3000)

    /** A page of `userId` joined to `room` through the proxy, publishing its camera. */
    async function joinPage(base: string, room: string, userId: string) {
      const page = await browser.newPage()
      const requests: string[] = []
      const console: string[] = []
      page.on('request', (r) => requests.push(r.url()))
      page.on('console', (m) => console.push(m.text()))
      await page.goto(`${base}/?lang=en&room=${room}`)
      await page.fill('#nick', userId)
      await page.fill('#token', tokens.mintUser(userId, 3600))
      await page.click('#join')
      await page
        .waitForSelector('body[data-state="joined"][data-publishing="1"]', { timeout: 30000 })
        .catch(async (e: Error) => {
          const state = await page.evaluate('JSON.stringify(document.body.dataset)')
          throw new Error(
            `${userId} not publishing: ${e.message}\npage ${state}\nconsole:\n${console.join('\n')}\nserver:\n${serverSaid()}`,
          )
        })
      return { page, requests, console }
    }

    /** The stream id of the first remote tile of `page` once there is one (the other page's
     * camera reaches the engine through the ingest's ffmpeg first: slow on a loaded machine). */
    async function remoteStream(page: Page): Promise<string> {
      let id: string | null = null
      const js = `document.querySelector('.tile:not(.self)')?.dataset.streamId ?? null`
      await until(
        async () => !!(id = await page.evaluate<string | null>(js)),
        60000,
        () => `a remote tile; the server said:\n${serverSaid()}`,
      )
      return id!
    }

    test('a browser publishes and plays through the proxy; its media URLs are https, same origin', async () => {
      const { base, proxy } = running[0]
      const alice = await joinPage(base, 'tls-room', 'alice')
      const bob = await joinPage(base, 'tls-room', 'bob')
      const aliceSees = await remoteStream(alice.page)
      const bobSees = await remoteStream(bob.page)
      await waitForVideo(alice.page, aliceSees)
      await waitForVideo(bob.page, bobSees)

      for (const { requests, console } of [alice, bob]) {
        // Nothing fetched outside the proxy's origin over plain http: no mixed content to block.
        expect(requests.filter((u) => u.startsWith('http:') || u.startsWith('ws:'))).toEqual([])
        expect(console.filter((m) => /Mixed Content/i.test(m))).toEqual([])
        const flv = requests.filter((u) => /\/live\/[^/]+\.flv\?token=/.test(u))
        expect(flv.length).toBeGreaterThan(0)
        for (const u of flv) expect(u.startsWith(`${base}/live/`)).toBe(true)
      }
      // What nginx-rtmp would be given of such a play: its name?query.
      const played = new URL(bob.requests.find((u) => u.includes('.flv?token='))!)
      const nameQuery = `${path.basename(played.pathname, '.flv')}?token=${played.searchParams.get('token')}`
      process.stdout.write(`[deploy] a play URL's name?query: ${nameQuery.length} bytes\n`)
      expect(nameQuery.length).toBeLessThan(128)
      await alice.page.close()
      await bob.page.close()
      // The proxy carried the pages' media (200) and their uploads (101): nginx logs a request
      // when it ends, so once the pages are gone.
      const carried = (log: string) =>
        /"GET \/live\/\S+\.flv\?token=\S+ HTTP\/1\.1" 200 /.test(log) &&
        /"GET \/ingest\?\S+ HTTP\/1\.1" 101 /.test(log)
      await until(() => carried(proxy.accessLog()), 10000, 'the FLV and ingest lines of the log')
    }, 180000)

    test('the console signs in on a port other than 443, with a Secure cookie', async () => {
      const { base } = running[0]
      const context = await browser.newContext()
      const page = await context.newPage()
      await page.goto(`${base}/console?lang=en`)
      await page.waitForSelector('body[data-state="signed-out"]')
      await page.fill('#secret', adminSecret)
      await page.click('#sign-in button[type="submit"]')
      await page.waitForSelector('body[data-state="signed-in"]', { timeout: 15000 })
      const cookie = (await context.cookies()).find((c) => c.name === 'ck_console')
      expect(cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict' })
      await context.close()
    })

    test('65 clients from 65 addresses through the proxy all get in (64 sockets per address)', async () => {
      const url = running[0].wsUrl
      const clients: RawClient[] = []
      try {
        for (let i = 0; i < 65; i++) {
          const c = await RawClient.connect(url, { localAddress: `127.0.0.${i + 2}`, agent })
          clients.push(c)
          const auth = await c.call('auth', { token: tokens.mintUser(`crowd-${i}`, 600) })
          expect(auth.result?.userId).toBe(`crowd-${i}`)
        }
        for (const c of clients) expect((await c.call('ping')).result).toBeDefined()
        expect(clients.filter((c) => c.closed)).toEqual([])
      } finally {
        clients.forEach((c) => c.close())
      }
    })

    test('with --engine nginx, as written: a browser publishes through the proxy to nginx-rtmp and another plays it from the play edge, through the proxy', async () => {
      expect(await running.splice(0)[0].stop()).toBe(0)
      running.push(await deploy('nginx'))
      const { base } = running[0]
      const watcher = await nodeClient({ wsUrl: running[0].wsUrl, tokens }, 'watcher', {
        adapter: { socket: { agent } },
      })
      try {
        await watcher.emedia.mgr.joinRoom({ roomName: 'tls-nginx' })
        const carol = await joinPage(base, 'tls-nginx', 'carol')
        // The page's camera goes through the ingest's ffmpeg to nginx-rtmp before it is announced:
        // on a loaded machine that start-up alone has taken over 30 s.
        await until(
          () => watcher.events('streamAdded').length > 0,
          60000,
          () => `carol's stream; the server said:\n${serverSaid()}`,
        )
        const stream = watcher.events('streamAdded')[0][0] as Parameters<
          typeof watcher.emedia.mgr.subStream
        >[0]
        const info = await probe((await watcher.emedia.mgr.subStream(stream)).data.rtmp)
        expect(info.video).toMatchObject({ codec: 'h264' })
        // The play edge's HTTP-FLV, through the proxy's /live/ like the embedded engine's.
        const id = (stream as { id: string }).id
        const dave = await joinPage(base, 'tls-nginx', 'dave')
        await waitForVideo(dave.page, id)
        const flv = dave.requests.filter((u) => u.includes(`/live/${id}.flv?token=`))
        expect(flv.length).toBeGreaterThan(0)
        for (const u of flv) expect(u.startsWith(`${base}/live/`)).toBe(true)
        await dave.page.close()
        await carol.page.close()
      } finally {
        await watcher.close()
      }
    }, 180000)
  },
)
