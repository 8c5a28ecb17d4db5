// The operator console in real Chromium against the real server with real media: sign-in, the
// cookie session and its CSRF defences, the live wall, and the admin actions as SDK clients see
// them (kick, grant role, destroy), including a kick that ends a browser member's ingest.
import type { BrowserContext } from 'playwright-core'
import type { ConferenceServer } from 'miniprogram-conference-server'
import { ErrorCode, ExitReason, Role } from 'miniprogram-conference-protocol'
import { nodeClient, type NodeClient } from '../../testkit/sdk-client'
import { screenshotPath, videoFacts, waitForVideo } from './browser'
import { roomKit } from './room'
import { until } from '../../testkit/wait'

jest.setTimeout(120_000)

let server: ConferenceServer
const {
  joinFromPage,
  nodeTalker,
  browserStreamAt,
  signInConsole: signIn,
  clients,
} = roomKit({ dev: true }, (s) => {
  server = s
})

async function sessionCookie(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) => c.name === 'ck_console')
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' })
  return `ck_console=${cookie!.value}`
}

describe('operator console', () => {
  it('refuses a wrong secret, a request without the session and one from a foreign origin', async () => {
    const { context, page } = await signIn('not-the-secret')
    await page.waitForSelector('body[data-state="refused"]')
    expect(await context.cookies()).toEqual([])
    await context.close()

    const base = server.httpUrl
    const origin = { origin: base, 'content-type': 'application/json' }
    expect((await fetch(`${base}/api/state`)).status).toBe(401)
    const noSession = await fetch(`${base}/api/conferences/X`, {
      method: 'DELETE',
      headers: origin,
    })
    expect(noSession.status).toBe(401)

    const good = await signIn(server.config.adminSecret)
    await good.page.waitForSelector('body[data-state="signed-in"]')
    const cookie = await sessionCookie(good.context)
    // Nothing of the secret in the page's storage or URL.
    const stored = await good.page.evaluate(
      'JSON.stringify([localStorage, sessionStorage, location.href])',
    )
    expect(stored).not.toContain(server.config.adminSecret)

    // The console's session works on the operator routes themselves.
    expect((await fetch(`${base}/api/state`, { headers: { cookie } })).status).toBe(200)
    expect((await fetch(`${base}/api/conferences`, { headers: { cookie } })).status).toBe(200)
    const foreign = await fetch(`${base}/api/conferences/X`, {
      method: 'DELETE',
      headers: { cookie, origin: 'http://evil.example' },
    })
    expect(foreign.status).toBe(403)
    const noOrigin = await fetch(`${base}/api/conferences/X/kick`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(noOrigin.status).toBe(403)
    const form = await fetch(`${base}/api/conferences/X/kick`, {
      method: 'POST',
      headers: { cookie, origin: base, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    })
    expect(form.status).toBe(415)
    // Signing out ends the session on the server, not only in the browser.
    await good.page.click('#sign-out')
    await good.page.waitForSelector('body[data-state="signed-out"]')
    expect((await fetch(`${base}/api/state`, { headers: { cookie } })).status).toBe(401)
    await good.context.close()
  })

  it('shows the streams playing on the wall; kick, grant and destroy reach the SDK clients', async () => {
    const room = 'console-room'
    const bob = await nodeTalker('console-bob', room)
    const eve = await nodeClient(server, 'console-eve')
    clients.push(eve)
    await eve.emedia.mgr.joinRoom({
      roomName: room,
      role: Role.AUDIENCE,
      config: { nickName: '<img src=x onerror=alert(1)>' },
    })
    const carl = await nodeClient(server, 'console-carl')
    clients.push(carl)
    await carl.emedia.mgr.joinRoom({ roomName: room, role: Role.AUDIENCE })

    const { context, page } = await signIn(server.config.adminSecret)
    await page.waitForSelector('body[data-state="signed-in"]')
    await waitForVideo(page, bob.streamId)
    const facts = await videoFacts(page, bob.streamId)
    console.log(`console wall playing the Node member: ${JSON.stringify(facts)}`)
    expect(facts!.width).toBe(640)
    expect(facts!.advanced).toBeGreaterThan(0.3)
    expect(facts!.meanLuma).toBeGreaterThan(30)
    // The hostile nickname is text in the table, not an element.
    await page.waitForSelector(`text=<img src=x onerror=alert(1)>`)
    expect(await page.$('.conf img')).toBeNull()
    await page.screenshot({ path: screenshotPath('web-console'), fullPage: true })

    const memberId = (c: NodeClient) => c.emedia.mgr.getSelf()!.id
    // Grant: eve becomes a talker and hears it through onRoleChanged.
    await page.selectOption(`select.role[data-member="${memberId(eve)}"]`, String(Role.TALKER))
    await page.click(`button.grant[data-member="${memberId(eve)}"]`)
    await until(() => eve.events('roleChanged').some((e) => e[0] === Role.TALKER), 10000)

    // The host's mute from the console: bob hears it (nobody of the room named), then it is let go.
    const bobId = memberId(bob.c)
    await page.click(`button.mute[data-member="${bobId}"][data-held="0"]`)
    await until(() => bob.c.emedia.mgr.getMutedByHost().audio, 10000)
    await page.waitForSelector(`button.mute[data-member="${bobId}"][data-held="1"]`)
    // A raised hand shows in the member's row.
    const carlRow = `tr:has(button.kick[data-member="${memberId(carl)}"])`
    expect(await page.textContent(carlRow)).not.toContain('✋')
    await carl.emedia.mgr.raiseHand()
    await page.waitForSelector(`${carlRow} >> text=✋`)
    await page.click(`button.mute[data-member="${bobId}"][data-held="1"]`)
    await until(() => !bob.c.emedia.mgr.getMutedByHost().audio, 10000)

    // Kick: eve is out (onConferenceExit(2, -504)), the others see her leave.
    const eveId = memberId(eve)
    await page.click(`button.kick[data-member="${eveId}"]`)
    await until(() => eve.exits.length === 1, 10000)
    expect(eve.exits[0]).toEqual([ExitReason.REFUSED, ErrorCode.MEMBER_INVALID])
    await until(
      () => bob.c.events('memberExited').some((e) => (e[0] as { id: string }).id === eveId),
      10000,
    )

    // Destroy: everyone left gets onConferenceExit(CLOSED, -302) and the wall empties.
    await page.click('button.destroy')
    await until(() => bob.c.exits.length === 1 && carl.exits.length === 1, 10000)
    expect(bob.c.exits[0]).toEqual([ExitReason.CLOSED, ErrorCode.CONFERENCE_DISBANDED])
    expect(carl.exits[0]).toEqual([ExitReason.CLOSED, ErrorCode.CONFERENCE_DISBANDED])
    await page.waitForSelector(`video[data-stream-id="${bob.streamId}"]`, {
      state: 'detached',
      timeout: 10000,
    })
    await context.close()
  })

  it('a kick from the console ends a browser member and its ingest ffmpeg', async () => {
    const room = 'console-web'
    const watcher = await nodeTalker('console-watcher', room)
    const alice = await joinFromPage(room, 'alice-web')
    const stream = await browserStreamAt(watcher.c, 'alice-web')
    await until(() => server.ingest.pids().length === 1, 10000)
    await waitForVideo(alice, watcher.streamId)
    await alice.waitForTimeout(1000)
    await alice.screenshot({ path: screenshotPath('web-participant') })

    const { context, page } = await signIn(server.config.adminSecret)
    await page.waitForSelector(`button.kick[data-member="${stream.memId}"]`)
    // The member table says where alice is from: the web page.
    const row = await page.textContent(`tr:has(button.kick[data-member="${stream.memId}"])`)
    expect(row).toContain('web')
    await page.click(`button.kick[data-member="${stream.memId}"]`)
    await alice.waitForSelector('body[data-state="exited"]', { timeout: 10000 })
    await until(() => server.ingest.pids().length === 0, 10000)
    await context.close()
    await alice.close()
  })
})
