// Arrivals in one turn of the server, on the real server over real sockets: members of revision 5
// get one `membersJoined` frame, older clients one `memberJoined` frame per arrival (the frames
// they always had), and a joiner of that turn only the arrivals after its own. The SDK gives the
// same callbacks, in the same order, whichever frames it was sent.
import { type ConferenceServer } from '../../server/app'
import type { Member } from 'miniprogram-conference-protocol'
import { eventsOf, inOneTurn, toldOf } from '../../testkit/arrivals'
import { RawClient } from '../../testkit/raw-client'
import { clientPool } from '../../testkit/sdk-client'
import { startServer, tokenFor } from '../../testkit/server'
import { until } from '../../testkit/wait'

let server: ConferenceServer
const raws: RawClient[] = []
const { client, closeAll } = clientPool(() => server)

beforeAll(async () => {
  server = await startServer({ maxSocketsPerAddress: 0, msgRatePerAddress: 0 })
})
afterEach(async () => {
  raws.splice(0).forEach((c) => c.close())
  await closeAll()
})
afterAll(() => server.stop())

async function socket(rev: number | null) {
  const c = await RawClient.connect(`${server.wsUrl}?v=1${rev === null ? '' : `&rev=${rev}`}`)
  raws.push(c)
  return c
}

test('one turn of arrivals: one membersJoined for revision 5, one memberJoined each for older clients, each joiner only those after it', async () => {
  const roomName = 'one-turn'
  const owner = await socket(5)
  const r4 = await socket(4)
  const r0 = await socket(null)
  await owner.call('join', { roomName }, tokenFor(server, 'owner'))
  await r4.call('join', { roomName }, tokenFor(server, 'old-3'))
  await r0.call('join', { roomName }, tokenFor(server, 'old-0'))
  await until(() => toldOf(owner).length === 2 && toldOf(r4).length === 1, 5000, 'the first two')
  const before = new Map([owner, r4, r0].map((c) => [c, c.frames.length]))

  // Six joiners, revisions 5 and older in turn, all read by the server in one turn.
  const revs = [5, 4, 5, 3, 5, 5]
  const joiners = await Promise.all(revs.map((rev) => socket(rev)))
  const replies = await inOneTurn(() =>
    joiners.map((c, i) => c.call('join', { roomName }, tokenFor(server, `j${i}`))),
  )
  const ids = replies.map((r) => r.result.self.id as string)
  await until(() => toldOf(r0, before.get(r0)).length === 6, 5000, 'six arrivals for the old')

  // Revision 5: one frame for the six, in join order, each member as its join reply had it.
  const batch = eventsOf(owner, 'membersJoined', before.get(owner))
  expect(batch).toHaveLength(1)
  expect(eventsOf(owner, 'memberJoined', before.get(owner))).toHaveLength(0)
  const order: string[] = batch[0].data.members.map((m: Member) => m.id)
  expect([...order].sort()).toEqual([...ids].sort())
  for (const m of batch[0].data.members as Member[]) {
    const { isSelf: _, ...self } = replies[ids.indexOf(m.id)].result.self as Member
    expect(m).toEqual(self)
  }
  // Older revisions: the same arrivals in the same order, one frame each.
  for (const old of [r4, r0]) {
    expect(eventsOf(old, 'membersJoined', before.get(old))).toHaveLength(0)
    expect(eventsOf(old, 'memberJoined', before.get(old))).toHaveLength(6)
    expect(toldOf(old, before.get(old))).toEqual(order)
  }
  // A joiner of the turn hears of those after it: in one frame (revision 5, when there are two
  // or more), or one frame each (revisions 4, 3); the earlier ones were in its join reply.
  await until(() => toldOf(joiners[ids.indexOf(order[4])]).length === 1, 5000, 'the fifth')
  for (const [k, id] of order.entries()) {
    const c = joiners[ids.indexOf(id)]
    const after = order.slice(k + 1)
    expect(toldOf(c)).toEqual(after)
    const frames = eventsOf(c, 'memberJoined').length + eventsOf(c, 'membersJoined').length
    const rev = revs[ids.indexOf(id)]
    expect(frames).toBe(rev >= 5 ? Math.min(1, after.length) : after.length)
    if (rev >= 5 && after.length === 1) expect(eventsOf(c, 'memberJoined')).toHaveLength(1)
    const earlier = (replies[ids.indexOf(id)].result.members as Member[]).map((m) => m.id)
    expect(earlier).toEqual(expect.arrayContaining(order.slice(0, k)))
  }
})

test('a member who leaves in the turn it arrived is announced arriving first, then leaving', async () => {
  const roomName = 'join-and-leave'
  const owner = await socket(5)
  const joined = await owner.call('join', { roomName }, tokenFor(server, 'owner-2'))
  const confrId = joined.result.conference.confrId
  const from = owner.frames.length
  const [a, b] = await Promise.all([socket(5), socket(4)])
  // a's join and exit reach the server together, with b's join: one turn for the three.
  const [ra] = await inOneTurn(() => [
    a.call('join', { roomName }, tokenFor(server, 'a')),
    a.call('exit', { confrId }),
    b.call('join', { roomName }, tokenFor(server, 'b')),
  ])
  const aId = ra.result.self.id
  await until(() => eventsOf(owner, 'memberExited', from).length === 1, 5000, 'the exit')
  await until(() => toldOf(owner, from).length === 2, 5000, 'both arrivals')
  const frames = owner.frames.slice(from)
  const arrived = frames.findIndex((f) => toldOf({ frames: [f] }).includes(aId))
  const left = frames.findIndex((f) => f.event === 'memberExited' && f.data.member.id === aId)
  expect(arrived).toBeGreaterThanOrEqual(0)
  expect(arrived).toBeLessThan(left)
})

test('the SDK gives the same callbacks, in the same order, from one batch as from separate frames', async () => {
  const roomName = 'sdk-one-turn'
  const fresh = await client('sdk-new')
  // An older SDK's socket: the server sends it what it always sent.
  const old = await client('sdk-old', { config: { host: `${server.wsUrl}?v=1&rev=4` } })
  await fresh.emedia.mgr.joinRoom({ roomName })
  await old.emedia.mgr.joinRoom({ roomName })
  await until(() => fresh.events('memberJoined').length === 2, 5000, 'the old SDK joined')
  const mark = { fresh: fresh.log.length, old: old.log.length }
  let batches = 0
  fresh.emedia.mgr.setCallbackBatcher((apply) => {
    batches++
    apply()
  })

  const joiners = await Promise.all([5, 4, 5, 5, 3].map((rev) => socket(rev)))
  const replies = await inOneTurn(() =>
    joiners.map((c, i) => c.call('join', { roomName }, tokenFor(server, `s${i}`))),
  )
  const ids = replies.map((r) => r.result.self.id)
  const heard = (c: typeof fresh, from: number) =>
    c.log.slice(from).map(([name, m]) => `${String(name)}:${(m as Member).id}`)
  await until(() => heard(old, mark.old).length === 5, 5000, 'five arrivals for the old SDK')
  await until(() => heard(fresh, mark.fresh).length === 5, 5000, 'five for the new one')
  expect(heard(fresh, mark.fresh)).toEqual(heard(old, mark.old))
  expect(
    heard(fresh, mark.fresh)
      .map((e) => e.split(':')[1])
      .sort(),
  ).toEqual([...ids].sort())
  expect(heard(fresh, mark.fresh).every((e) => e.startsWith('memberJoined:'))).toBe(true)
  // The five came in one frame: one batch of callbacks.
  expect(batches).toBe(1)
  // Both hold the five after each other (each list leaves out its owner).
  const others = (c: typeof fresh) =>
    c.emedia.mgr
      .getMembers()
      .map((m) => m.id)
      .slice(1)
  expect(others(fresh)).toEqual(others(old))
})
