// Big rooms (issue 11): streamAdded is one frame for every receiver, each playing it with the URL
// the SDK composes from its own credential; LIVE audiences hear counts instead of each other;
// the join brings one page of the member list and getMembers pages the rest (SDK and store).
// Real server on loopback, raw protocol clients where the exact frames matter, SDK clients and
// real ffmpeg through the embedded engine where the app's view matters.
import { PROTOCOL_REVISION } from 'miniprogram-conference-protocol'
import { checkInvariants } from '../../testkit/invariants'
import { createEmedia, createNodeAdapter } from 'miniprogram-conference-server/client'
import { createConferenceStore } from '../../store/index'
import { pullFrames, pushTestPattern, stopAllMedia } from '../../testkit/ffmpeg'
import { type Frame, type RawClient } from '../../testkit/raw-client'
import { joinInTurn } from '../../testkit/sdk-client'
import { tokenFor } from '../../testkit/server'
import { useServer } from '../../testkit/server-suite'
import { sleep, until } from '../../testkit/wait'

/** All load comes from 127.0.0.1: the per-address limits meant for the internet are lifted. */
const suite = useServer({ maxSocketsPerAddress: 0, msgRatePerAddress: 0 })
const { client } = suite
afterEach(async () => {
  // After useServer has closed the test's clients: give the server the closes, then its indexes
  // and counters must match a recount.
  await stopAllMedia()
  await sleep(100)
  expect(checkInvariants(suite.server.service)).toEqual([])
})

async function raw(user: string, params: Record<string, unknown>, maxRole?: 1 | 3 | 7 | 9) {
  // Clients of this release's revision: memberCount is a revision-2 event (docs/protocol.md).
  const c = await suite.raw({ query: `v=1&rev=${PROTOCOL_REVISION}` })
  const r = await c.call('join', params, tokenFor(suite.server, user, maxRole))
  if (r.error) throw new Error(`${user} join: ${r.error.message}`)
  return { c, r: r.result }
}

const eventsOf = (c: RawClient, name: string): Frame[] => c.frames.filter((f) => f.event === name)
test('streamAdded is one frame for all receivers, and each plays it with the URL the SDK composes', async () => {
  const ann = await client('ann')
  await ann.emedia.mgr.joinRoom({ roomName: 'one-frame', password: '', role: 7 })
  const listeners = []
  for (let i = 0; i < 12; i++) listeners.push((await raw(`l${i}`, { roomName: 'one-frame' })).c)
  const bob = await client('bob')
  const cy = await client('cy')
  await joinInTurn([bob, cy], { roomName: 'one-frame', password: '' }, [1])
  const pub = await ann.emedia.mgr.pubStream('cam')
  const pusher = pushTestPattern(pub.data.rtmp)
  await Promise.all(listeners.map((c) => c.event('streamAdded', () => true, 10000)))
  const texts = listeners.map((c) => c.texts.find((t) => t.includes('"streamAdded"')))
  // Byte for byte the same frame: serialised once, no per-receiver signature in it.
  expect(new Set(texts).size).toBe(1)
  expect(JSON.parse(texts[0]!).data.stream).not.toHaveProperty('rtmp')
  await until(() => bob.events('streamAdded').length === 1 && cy.events('streamAdded').length === 1)
  const [bobStream] = bob.events('streamAdded')[0] as [{ id: string; rtmp: string }]
  const [cyStream] = cy.events('streamAdded')[0] as [{ id: string; rtmp: string }]
  expect(bobStream.id).toBe(pub.data.streamId)
  // Each receiver's own URL, composed by its SDK; what emedia apps read is still stream.rtmp.
  expect(bobStream.rtmp).not.toBe(cyStream.rtmp)
  expect((await bob.emedia.mgr.subStream(bobStream.id)).data.rtmp).toBe(bobStream.rtmp)
  for (const url of [bobStream.rtmp, cyStream.rtmp])
    expect((await pullFrames(url, { frames: 3 })).frames).toBeGreaterThanOrEqual(3)
  await pusher.stop()
})

test("a member outliving its credential's ttl still plays: subscribe renews it, and every URL with it", async () => {
  const ttl = suite.server.config.mediaTokenTtlSec
  suite.server.config.mediaTokenTtlSec = 2
  try {
    const ann = await client('ann')
    const cy = await client('cy')
    const bob = await client('bob')
    await joinInTurn([ann, cy, bob], { roomName: 'long', password: '' }, [7, 3, 1])
    const a = await ann.emedia.mgr.pubStream('cam')
    const c = await cy.emedia.mgr.pubStream('cam')
    const pushers = [pushTestPattern(a.data.rtmp), pushTestPattern(c.data.rtmp)]
    await until(() => bob.emedia.mgr.getStreams().length === 2, 10000)
    const urlOf = (id: string) => bob.emedia.mgr.getStreams().find((s) => s.id === id)!.rtmp!
    const stale = urlOf(c.data.streamId)
    await sleep(2200)
    // Expired: the engine refuses the URL composed from the old credential.
    expect((await pullFrames(stale, { frames: 1, timeoutMs: 4000 })).frames).toBe(0)
    // One subStream of ann's stream renews the credential, so cy's URL is fresh too.
    await bob.emedia.mgr.subStream(a.data.streamId)
    const renewed = urlOf(c.data.streamId)
    expect(renewed).not.toBe(stale)
    expect((await pullFrames(renewed, { frames: 2 })).frames).toBeGreaterThanOrEqual(2)
    await Promise.all(pushers.map((p) => p.stop()))
  } finally {
    suite.server.config.mediaTokenTtlSec = ttl
  }
})

test('LIVE: the audience hears counts, not each other; the stage hears everyone; talkers are announced to all', async () => {
  const { c: admin, r } = await raw('boss', { roomName: 'town-hall', type: 12 })
  const confrId = r.conference.confrId
  const { c: b, r: bJoin } = await raw('bea', { roomName: 'town-hall' })
  expect(bJoin.self.role).toBe(1) // LIVE's default role is AUDIENCE
  const { c: c, r: cJoin } = await raw('cal', { roomName: 'town-hall' })
  expect(cJoin.memberCount).toEqual({ members: 3, audience: 2 })
  // An audience joiner's page is the stage; the rest of the audience is there to page.
  expect(bJoin.members.map((m: { name: string }) => m.name)).toEqual(['boss'])
  expect(bJoin.membersCursor).toBeUndefined()
  expect(cJoin.members.map((m: { name: string }) => m.name)).toEqual(['boss'])
  const rest = await c.call('getMembers', { confrId, cursor: cJoin.membersCursor })
  expect(rest.result).toEqual({ members: [expect.objectContaining({ name: 'bea' })] })
  // The admin is told of each arrival; audience member bea is not told of cal, only counted.
  await admin.event('memberJoined', (d) => d.member.name === 'cal')
  await b.event('memberCount', (d) => d.members === 3 && d.audience === 2, 3000)
  expect(eventsOf(b, 'memberJoined')).toEqual([])
  // A talker's arrival is told to everyone.
  await raw('tom', { roomName: 'town-hall', role: 3 })
  await b.event('memberJoined', (d) => d.member.name === 'tom')
  await c.event('memberJoined', (d) => d.member.name === 'tom')
  // A burst of arrivals: counts at most once a second, the last one current.
  const before = eventsOf(b, 'memberCount').length
  for (let i = 0; i < 15; i++) await raw(`crowd${i}`, { roomName: 'town-hall' })
  await b.event('memberCount', (d) => d.members === 19 && d.audience === 17, 3000)
  expect(eventsOf(b, 'memberCount').length - before).toBeLessThan(15)
  expect(eventsOf(b, 'memberJoined').map((f) => f.data.member.name)).toEqual(['tom'])
  expect(eventsOf(admin, 'memberJoined')).toHaveLength(18)
  // An audience member leaving: the stage hears it, the audience sees the count drop.
  await c.call('exit', { confrId })
  await admin.event('memberExited', (d) => d.member.name === 'cal')
  await b.event('memberCount', (d) => d.members === 18 && d.audience === 16, 3000)
  expect(eventsOf(b, 'memberExited')).toEqual([])
  // Taken to the stage: now everyone hears of crowd0.
  await admin.call('grantRole', { confrId, memberNames: ['crowd0'], role: 3 })
  await b.event('memberJoined', (d) => d.member.name === 'crowd0' && d.member.role === 3)
  await b.event('memberCount', (d) => d.audience === 15, 3000)
})

test('COMMUNICATION rooms are as before: every arrival to everyone, no counts', async () => {
  await raw('dee', { roomName: 'meeting' })
  const { c: b } = await raw('eli', { roomName: 'meeting', role: 1 })
  await raw('fay', { roomName: 'meeting', role: 1 })
  await b.event('memberJoined', (d) => d.member.name === 'fay')
  await sleep(300)
  expect(eventsOf(b, 'memberCount')).toEqual([])
})

/** A COMMUNICATION room of `n` members: `talkers` of them talkers, joining last; one HIDING. */
async function bigRoom(room: string, n: number, talkers: number) {
  const { r } = await raw(`${room}-owner`, { roomName: room, config: { maxAudienceCount: n } })
  const ids = new Set<string>([r.self.id])
  const joins = Array.from({ length: n - 1 }, (_, i) => i)
  for (let i = 0; i < joins.length; i += 25) {
    const batch = joins.slice(i, i + 25).map(async (k) => {
      const role = k >= n - 1 - talkers ? 3 : 1
      const { r: j } = await raw(`${room}-${k}`, { roomName: room, role })
      ids.add(j.self.id)
    })
    await Promise.all(batch)
  }
  const { r: hidden } = await raw(`${room}-ghost`, { roomName: room, role: 9 }, 7)
  expect(hidden.self.role).toBe(9)
  return { confrId: r.conference.confrId as string, ids }
}

test('a join into a room of 250 brings a page and a cursor; getMembers pages through the rest exactly', async () => {
  const { confrId, ids } = await bigRoom('paged', 250, 3)
  const { c: me, r } = await raw('pager', { roomName: 'paged', role: 1 })
  expect(r.members).toHaveLength(100)
  expect(typeof r.membersCursor).toBe('string')
  expect(r.memberCount).toEqual({ members: 251, audience: 247 })
  // The stage first: the owner (ADMIN) and the three talkers, who joined last.
  expect(r.members.slice(0, 4).map((m: { role: number }) => m.role)).toEqual([7, 3, 3, 3])
  const seen: string[] = r.members.map((m: { id: string }) => m.id)
  let cursor: string | undefined = r.membersCursor
  let pages = 0
  while (cursor) {
    const page = await me.call('getMembers', { confrId, cursor, limit: 60 })
    expect(page.error).toBeUndefined()
    expect(page.result.members.length).toBeLessThanOrEqual(60)
    seen.push(...page.result.members.map((m: { id: string }) => m.id))
    cursor = page.result.cursor
    pages++
  }
  expect(pages).toBe(3) // 150 more, 60 a page
  expect(seen).toHaveLength(new Set(seen).size) // no duplicates
  expect(new Set(seen)).toEqual(ids) // everyone visible but the pager itself; no HIDING member
  // Without a cursor: the first page again.
  const first = await me.call('getMembers', { confrId })
  expect(first.result.members.map((m: { id: string }) => m.id)).toEqual(seen.slice(0, 100))
  // Garbage, a tampered cursor, another member's cursor: -400 with a message that says why.
  const { c: other, r: otherJoin } = await raw('other', { roomName: 'paged', role: 1 })
  const theirs: string = otherJoin.membersCursor
  const ours: string = r.membersCursor
  for (const bad of ['garbage', ours.slice(0, -1) + (ours.endsWith('A') ? 'B' : 'A'), theirs]) {
    const res = await me.call('getMembers', { confrId, cursor: bad })
    expect(res.error).toMatchObject({ code: -400, message: expect.stringMatching(/cursor/) })
  }
  expect((await other.call('getMembers', { confrId, cursor: theirs })).error).toBeUndefined()
  // Only members page: a socket in another conference, and a limit out of range.
  const { c: outsider } = await raw('outsider', { roomName: 'elsewhere' })
  expect((await outsider.call('getMembers', { confrId })).error).toMatchObject({ code: -504 })
  expect((await me.call('getMembers', { confrId, limit: 501 })).error).toMatchObject({ code: -400 })
})

test('store: loadMoreMembers fills the member list page by page; SDK fetchMembers and counts', async () => {
  const { ids } = await bigRoom('stored', 230, 1)
  const emedia = createEmedia({ adapter: createNodeAdapter() })
  emedia.config({
    host: suite.server.wsUrl,
    token: tokenFor(suite.server, 'viewer'),
    logLevel: 'silent',
  })
  const store = createConferenceStore(emedia as never)
  try {
    expect(await store.session.joinRoom({ roomName: 'stored', role: 1 })).toBe(true)
    expect(store.session.members.size).toBe(100)
    expect(store.session.hasMoreMembers).toBe(true)
    expect(store.session.memberCount).toBe(231)
    expect(emedia.mgr.hasMoreMembers()).toBe(true)
    while (store.session.hasMoreMembers) expect(await store.session.loadMoreMembers()).toBe(true)
    expect(new Set(store.session.members.keys())).toEqual(ids)
    expect(emedia.mgr.getMembers()).toHaveLength(ids.size)
    // The list is complete: continuing gives nothing; from the start (null) the first page again.
    expect(await emedia.mgr.fetchMembers()).toEqual({ members: [] })
    const again = await emedia.mgr.fetchMembers({ cursor: null, limit: 5 })
    expect(again.members).toHaveLength(5)
    expect(typeof again.cursor).toBe('string')
    await expect(emedia.mgr.fetchMembers({ limit: 0 })).rejects.toMatchObject({ code: -400 })
  } finally {
    await store.session.leave()
    await emedia.mgr.disconnect()
  }
})
