// Revision 5's batched arrivals in the SDK, against a scripted server: one `membersJoined` frame
// gives the same callbacks, with the same arguments and in the same order, as one `memberJoined`
// frame per member — yourself left out, a member already known reported as updated — and the
// callbacks of one frame run inside the batcher the app (or the store) set.
import type { Member } from 'miniprogram-conference-protocol'
import { CONFR, FakeServer, member } from './fake-server'
import { testClient } from './test-client'
import { until } from '../../testkit/wait'

let fake: FakeServer
let c: ReturnType<typeof testClient> | undefined
beforeEach(async () => (fake = await FakeServer.start()))
afterEach(async () => {
  await c?.mgr.disconnect()
  await fake.stop()
})

// BOB is in the join reply already; ME is the client itself.
const arrivals: Member[] = [
  member('CY'),
  member('DAN', 1),
  member('BOB', 7),
  member('ME'),
  member('EVE', 1, { ext: { seat: 4 } }),
]

/** Joins, has the server send `frames`, and returns what the app saw after the join. */
async function receive(frames: Array<[string, unknown]>) {
  c = testClient(fake)
  const client = c
  const callbacks: unknown[][] = []
  client.mgr.onMemberJoined = (m: Member) => callbacks.push(['onMemberJoined', m])
  ;(client.mgr as unknown as Record<string, unknown>).onMemberJoin = (m: Member) =>
    callbacks.push(['onMemberJoin', m])
  client.mgr.onMemberUpdated = (m: Member) => callbacks.push(['onMemberUpdated', m])
  const batches: number[] = []
  client.mgr.setCallbackBatcher((apply) => {
    const before = callbacks.length
    apply()
    batches.push(callbacks.length - before)
  })
  await client.mgr.joinConference(CONFR, '')
  const from = { log: client.log.length, callbacks: callbacks.length, batches: batches.length }
  for (const [event, data] of frames) fake.push(event, data)
  await until(() => client.mgr.getMembers().some((m) => m.id === 'EVE'), 3000, 'the last arrival')
  const seen = {
    log: client.log.slice(from.log),
    callbacks: callbacks.slice(from.callbacks),
    batches: batches.slice(from.batches),
    members: client.mgr.getMembers(),
  }
  await client.mgr.disconnect()
  c = undefined
  return seen
}

test('one membersJoined frame: the callbacks of one memberJoined frame per member, in order', async () => {
  const separate = await receive(
    arrivals.map((m) => ['memberJoined', { confrId: CONFR, member: m }] as [string, unknown]),
  )
  const batched = await receive([['membersJoined', { confrId: CONFR, members: arrivals }]])

  const names = batched.log.map(([name, m]) => `${String(name)}:${(m as Member).id}`)
  expect(names).toEqual([
    'memberJoined:CY',
    'memberJoined:DAN',
    'memberUpdated:BOB',
    'memberJoined:EVE',
  ])
  expect(batched.log).toEqual(separate.log)
  expect(batched.callbacks).toEqual(separate.callbacks)
  expect(batched.callbacks.map(([name]) => name)).toEqual([
    'onMemberJoined',
    'onMemberJoin',
    'onMemberJoined',
    'onMemberJoin',
    'onMemberUpdated',
    'onMemberJoined',
    'onMemberJoin',
  ])
  expect(batched.members).toEqual(separate.members)
  // The batch ran its seven callbacks in one call of the batcher; a frame of one arrival needs none.
  expect(batched.batches).toEqual([7])
  expect(separate.batches).toEqual([])
})

test('a batch for another conference, or not a list, changes nothing', async () => {
  c = testClient(fake)
  const client = c
  await client.mgr.joinConference(CONFR, '')
  const from = client.log.length
  fake.push('membersJoined', { confrId: 'C-OTHER', members: [member('ZED')] })
  fake.push('membersJoined', { confrId: CONFR, members: 'ZED' })
  fake.push('membersJoined', { confrId: CONFR, members: [null, 7, member('EVE')] })
  await until(() => client.mgr.getMembers().some((m) => m.id === 'EVE'), 3000, 'EVE')
  expect(client.trail().slice(from)).toEqual(['memberJoined:EVE'])
})
