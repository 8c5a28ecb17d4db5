// The store on the real SDK, against a scripted server: one `membersJoined` frame (revision 5)
// leaves the store as one `memberJoined` frame per member does — the same members in the same
// order, the same `memberjoin` events, the same tiles — and its bindings react once to the batch,
// not once per member.
import { reaction } from 'mobx-miniprogram'
import type { Member } from 'miniprogram-conference-protocol'
import { createConferenceStore } from '../../store/root'
import { CONFR, FakeServer, member } from '../sdk/fake-server'
import { testClient } from '../sdk/test-client'
import { until } from '../../testkit/wait'

let fake: FakeServer
beforeEach(async () => (fake = await FakeServer.start()))
afterEach(() => fake.stop())

const arrivals: Member[] = [member('CY'), member('DAN', 1), member('EVE'), member('FAY')]

async function receive(frames: Array<[string, unknown]>) {
  const { emedia } = testClient(fake)
  const store = createConferenceStore(emedia)
  try {
    const joins: string[] = []
    store.on('memberjoin', ({ member: m }) => joins.push(m.id))
    expect(await store.session.joinRoom({ roomName: 'weekly' })).toBe(true)
    let reactions = 0
    const stop = reaction(
      () => store.tileIds,
      () => reactions++,
    )
    for (const [event, data] of frames) fake.push(event, data)
    await until(() => store.session.members.has('FAY'), 3000, 'the last arrival in the store')
    stop()
    return {
      members: [...store.session.members.keys()],
      joins,
      tileIds: store.tileIds,
      names: store.tiles.map((t) => t.name),
      reactions,
    }
  } finally {
    store.dispose()
    await emedia.mgr.disconnect()
  }
}

test('a batch of arrivals: the store as after separate frames, and one reaction instead of one each', async () => {
  const separate = await receive(
    arrivals.map((m) => ['memberJoined', { confrId: CONFR, member: m }] as [string, unknown]),
  )
  const batched = await receive([['membersJoined', { confrId: CONFR, members: arrivals }]])
  expect(batched.members).toEqual(['BOB', 'CY', 'DAN', 'EVE', 'FAY'])
  expect(batched.members).toEqual(separate.members)
  expect(batched.joins).toEqual(['CY', 'DAN', 'EVE', 'FAY'])
  expect(batched.joins).toEqual(separate.joins)
  expect(batched.tileIds).toEqual(separate.tileIds)
  expect(batched.names).toEqual(separate.names)
  // Talkers have placeholder tiles: each separate frame changed the tile list, the batch once.
  expect(separate.reactions).toBe(3)
  expect(batched.reactions).toBe(1)
})
