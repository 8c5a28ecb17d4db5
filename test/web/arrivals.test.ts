// The web participant's member list in real Chromium against the real server: joins that the
// server reads in one turn reach one page as the batch (revision 5's `membersJoined`) and another
// page as one `memberJoined` frame each (its socket's frames split on the way, as an older
// revision gets them): both pages list the same members in the same order.
import type { Page, WebSocketRoute } from 'playwright-core'
import { type ConferenceServer } from '../../server/app'
import { inOneTurn } from '../../testkit/arrivals'
import { RawClient } from '../../testkit/raw-client'
import { tokenFor } from '../../testkit/server'
import { until } from '../../testkit/wait'
import { roomKit } from './room'

jest.setTimeout(120_000)

let server: ConferenceServer
const { joinFromPage } = roomKit({ dev: true, maxSocketsPerAddress: 0 }, (s) => {
  server = s
})

/**
 * The page's signalling socket through the test: every event frame it is sent is noted by name;
 * with `split`, a batch of arrivals is handed to the page as one memberJoined frame per member.
 */
function routeSignalling(split: boolean) {
  const events: string[] = []
  const prepare = (page: Page) =>
    page.routeWebSocket(/\/ws\?/, (ws: WebSocketRoute) => {
      const real = ws.connectToServer()
      real.onMessage((message) => {
        const frame = JSON.parse(String(message)) as { event?: string; data?: any }
        if (frame.event) events.push(frame.event)
        if (!split || frame.event !== 'membersJoined') return ws.send(message)
        const { confrId, members } = frame.data
        for (const member of members)
          ws.send(JSON.stringify({ event: 'memberJoined', data: { confrId, member } }))
      })
    })
  return { events, prepare }
}

/** The member ids the page lists, in order (in-page code is text: the tests have no DOM types). */
const listed = (page: Page): Promise<string[]> =>
  page.evaluate(`[...document.querySelectorAll('#people li')].map((li) => li.dataset.memberId)`)

it('a batch of arrivals gives the member list that separate frames give, in the same order', async () => {
  const room = 'web-arrivals'
  const batched = routeSignalling(false)
  const split = routeSignalling(true)
  const pageA = await joinFromPage(room, 'Ann', undefined, batched.prepare)
  const pageB = await joinFromPage(room, 'Ben', undefined, split.prepare)
  await until(async () => (await listed(pageA)).length === 2, 10000, 'Ann lists Ben')
  expect(await pageA.textContent('#people li:first-child')).toBe('Ann (me)')
  const before = { a: await listed(pageA), b: await listed(pageB) }

  // Five members join, read by the server in one turn.
  const joiners = await Promise.all(
    Array.from({ length: 5 }, () => RawClient.connect(`${server.wsUrl}?v=1&rev=5`)),
  )
  try {
    const replies = await inOneTurn(() =>
      joiners.map((c, i) => c.call('join', { roomName: room, role: 1 }, tokenFor(server, `w${i}`))),
    )
    const ids = replies.map((r) => r.result.self.id as string)
    const newOn = async (page: Page, was: string[]) =>
      (await listed(page)).filter((id) => !was.includes(id))
    await until(async () => (await newOn(pageA, before.a)).length === 5, 10000, 'Ann lists 5')
    await until(async () => (await newOn(pageB, before.b)).length === 5, 10000, 'Ben lists 5')
    const order = await newOn(pageA, before.a)
    expect([...order].sort()).toEqual([...ids].sort())
    expect(await newOn(pageB, before.b)).toEqual(order)
    expect(await pageA.textContent('#people-count')).toBe('7')
    expect(await pageB.textContent('#people-count')).toBe('7')
    // Ann's page was sent the batch; Ben's page saw the same five frame by frame.
    expect(batched.events.filter((e) => e === 'membersJoined')).toHaveLength(1)
    expect(batched.events.filter((e) => e === 'memberJoined')).toHaveLength(1)
    expect(split.events).toContain('membersJoined')

    // One leaving is taken off both lists.
    await joiners[0].call('exit', { confrId: replies[0].result.conference.confrId })
    await until(async () => !(await listed(pageA)).includes(ids[0]), 10000, 'Ann drops w0')
    await until(async () => !(await listed(pageB)).includes(ids[0]), 10000, 'Ben drops w0')
  } finally {
    for (const c of joiners) c.close()
    await pageA.close()
    await pageB.close()
  }
})
