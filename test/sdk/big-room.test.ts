// The SDK's side of big rooms (protocol 1.2), against a scripted server: play URLs composed from
// the member's credential (and kept when an older server sends them), the member count, and a
// resume whose member page is partial keeping who it cannot vouch for.
import type { MediaCredential, ResumeResult } from 'miniprogram-conference-protocol'
import { CONFR, FakeServer, joinResult, member, stream } from './fake-server'
import { testClient } from './test-client'
import { until } from '../../testkit/wait'

let fake: FakeServer
let c: ReturnType<typeof testClient>
const media: MediaCredential = {
  token: 'm.C1.ME.zz.sig',
  rtmpBase: 'rtmp://media/live',
  flvBase: 'http://media/live',
  ttl: 7200,
}

beforeEach(async () => (fake = await FakeServer.start()))
afterEach(async () => {
  await c?.mgr.disconnect()
  await fake.stop()
})

test('streams arrive without URLs; the SDK composes stream.rtmp / flv from the credential', async () => {
  const bob = member('BOB')
  fake.handle('join', () => ({
    ...joinResult(),
    media,
    streams: [stream('S-BOB', bob, { rtmp: undefined })],
  }))
  c = testClient(fake)
  await c.mgr.joinConference(CONFR, '')
  const [s] = c.mgr.getStreams()
  expect(s).toMatchObject({
    rtmp: 'rtmp://media/live/S-BOB?token=m.C1.ME.zz.sig',
    flv: 'http://media/live/S-BOB.flv?token=m.C1.ME.zz.sig',
  })
  expect(s.ttl).toBeGreaterThan(7000)
  // subStream answers from it: no request.
  expect((await c.mgr.subStream('S-BOB')).data.rtmp).toBe(s.rtmp)
  expect(fake.requests('subscribe')).toHaveLength(0)
  // A later announcement, one frame for all, gets this member's URL too.
  const cy = member('CY')
  fake.push('streamAdded', { confrId: CONFR, stream: stream('S-CY', cy, { rtmp: undefined }) })
  await until(() => c.mgr.getStreams().length === 2, 3000, 'streamAdded')
  const added = c.log.find((e) => e[0] === 'streamAdded' && (e[1] as { id: string }).id === 'S-CY')
  expect((added![1] as { rtmp: string }).rtmp).toBe('rtmp://media/live/S-CY?token=m.C1.ME.zz.sig')
})

test('a server before 1.2 (URLs in the stream, no credential): its URLs are kept', async () => {
  c = testClient(fake)
  await c.mgr.joinConference(CONFR, '')
  expect(c.mgr.getStreams()[0].rtmp).toBe('rtmp://media/live/S-BOB?token=play')
  expect(c.mgr.hasMoreMembers()).toBe(false)
  expect(c.mgr.getMemberCount()).toBeNull()
})

test('memberCount events reach onMemberCount and getMemberCount', async () => {
  fake.handle('join', () => ({ ...joinResult(), memberCount: { members: 2, audience: 0 } }))
  c = testClient(fake)
  const counts: unknown[] = []
  c.mgr.onMemberCount = (n) => counts.push(n)
  await c.mgr.joinConference(CONFR, '')
  expect(c.mgr.getMemberCount()).toEqual({ members: 2, audience: 0 })
  fake.push('memberCount', { confrId: CONFR, members: 5000, audience: 4990 })
  fake.push('memberCount', { confrId: 'OTHER', members: 1, audience: 1 }) // not ours
  await until(() => counts.length === 1, 3000, 'memberCount')
  expect(counts).toEqual([{ members: 5000, audience: 4990 }])
  expect(c.mgr.getMemberCount()).toEqual({ members: 5000, audience: 4990 })
})

test('fetchMembers continues from the join cursor; a partial resume page drops nobody it cannot vouch for', async () => {
  const bob = member('BOB')
  const eve = member('EVE', 1)
  fake.handle('join', () => ({ ...joinResult(), members: [bob], membersCursor: 'cur-1' }))
  fake.handle('getMembers', (req) =>
    req.params.cursor === 'cur-1' ? { members: [eve] } : { members: [bob], cursor: 'cur-1' },
  )
  c = testClient(fake)
  await c.mgr.joinConference(CONFR, '')
  expect(c.mgr.hasMoreMembers()).toBe(true)
  expect(await c.mgr.fetchMembers()).toEqual({ members: [eve] })
  expect(fake.requests('getMembers')[0].params).toEqual({ confrId: CONFR, cursor: 'cur-1' })
  expect(c.mgr.hasMoreMembers()).toBe(false)
  expect(c.mgr.getMembers().map((m) => m.id)).toEqual(['BOB', 'EVE'])
  // Complete: continuing asks nothing.
  expect(await c.mgr.fetchMembers()).toEqual({ members: [] })
  expect(fake.requests('getMembers')).toHaveLength(1)
  // Resumed with one page again (EVE beyond it): EVE is not reported gone.
  const resume: ResumeResult = {
    ...joinResult(),
    members: [bob],
    membersCursor: 'cur-2',
    published: [],
  }
  fake.handle('resume', () => resume)
  c.log.length = 0
  fake.dropAll()
  await until(() => c.log.some((e) => e[0] === 'reconnected'), 3000, 'resumed')
  expect(c.log.filter((e) => e[0] === 'memberExited')).toEqual([])
  expect(c.mgr.getMembers().map((m) => m.id)).toEqual(['BOB', 'EVE'])
  expect(c.mgr.hasMoreMembers()).toBe(true)
})
