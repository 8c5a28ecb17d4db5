// The operator API on any node of a cluster (behind a load balancer the operator reaches one at
// random): each answers for every conference with the same fields, and its changes are done on
// the conference's host and written to the shared store before the reply, as a member's are.
import { ErrorCode, Role } from 'miniprogram-conference-protocol'
import { RawClient } from '../../testkit/raw-client'
import { describeWithRedis, useCluster } from '../../testkit/cluster-suite'
import { until } from '../../testkit/wait'

interface Detail {
  confrId: string
  members: number
  memberList: Array<{ id: string; name: string; role: number; connected: boolean }>
}
interface Listing {
  conferences: Array<{ confrId: string; host?: string; members: number }>
}

describeWithRedis('cluster: the operator API answers on any node', () => {
  const f = useCluster(2)
  const raws: RawClient[] = []
  afterAll(() => raws.forEach((r) => r.ws.terminate()))

  /** A member of room `room` through node `node` (the first join makes the room there). */
  const member = async (node: number, userId: string, room: string) => {
    const c = await RawClient.connect(`${f.node(node).wsUrl}?v=1&rev=4`)
    raws.push(c)
    const res = await c.call('join', { roomName: room, type: 10 }, f.cluster.mint(userId))
    expect(res.error).toBeUndefined()
    return { c, id: res.result.self.id as string, confrId: res.result.conference.confrId as string }
  }
  const detail = (node: number, confrId: string) =>
    f.cluster.admin<Detail>(f.node(node), `/api/conferences/${confrId}`)

  f.test('every node gives the same conference, with the same fields', async () => {
    const alice = await member(0, 'alice', 'ops-same')
    await member(1, 'bob', 'ops-same')
    expect((await f.cluster.hostOf(alice.confrId)).id).toBe('n1')
    const [onHost, elsewhere] = await Promise.all([
      detail(0, alice.confrId),
      detail(1, alice.confrId),
    ])
    expect(elsewhere).toEqual(onHost)
    expect(onHost.memberList.map((m) => m.name).sort()).toEqual(['alice', 'bob'])
    const lists = await Promise.all(
      [0, 1].map((i) => f.cluster.admin<Listing>(f.node(i), '/api/conferences')),
    )
    const rows = lists.map((l) => l.conferences.find((c) => c.confrId === alice.confrId))
    expect(rows[1]).toEqual(rows[0])
    expect(rows[0]).toMatchObject({ host: 'n1', members: 2 })
  })

  f.test(
    'destroy through a node that does not host the conference ends it for everyone',
    async () => {
      const carol = await member(0, 'carol', 'ops-destroy')
      const dave = await member(1, 'dave', 'ops-destroy')
      await f.cluster.admin(f.node(1), `/api/conferences/${carol.confrId}`, 'DELETE')
      for (const m of [carol, dave]) await m.c.event('conferenceExit', (d) => d.failed === -302)
      await expect(detail(0, carol.confrId)).rejects.toThrow('HTTP 404')
      await expect(detail(1, carol.confrId)).rejects.toThrow('HTTP 404')
    },
  )

  f.test(
    'a role change through another node reaches the member and survives the host’s kill -9',
    async () => {
      const erin = await member(0, 'erin', 'ops-role')
      const frank = await member(1, 'frank', 'ops-role')
      const path = `/api/conferences/${erin.confrId}/role`
      const body = { memberId: frank.id, role: Role.AUDIENCE }
      expect(await f.cluster.admin(f.node(1), path, 'POST', body)).toEqual({ granted: [frank.id] })
      await frank.c.event('memberUpdated', (d) => d.member.role === Role.AUDIENCE)
      // The change went to the store with the reply: the node that takes the conference over
      // from the killed host has it, though nothing changed in the conference since.
      await f.node(0).kill9()
      let after: Detail | null = null
      await until(
        async () => {
          after = await detail(1, erin.confrId).catch(() => null)
          return after !== null
        },
        30000,
        'n2 to take the conference over',
      )
      expect(after!.memberList.find((m) => m.id === frank.id)?.role).toBe(Role.AUDIENCE)
      const missing = await f.cluster
        .admin(f.node(1), '/api/conferences/CF_none', 'GET')
        .catch((e: Error) => e.message)
      expect(missing).toContain('HTTP 404')
      expect(missing).toContain(String(ErrorCode.NO_SUCH_CONFERENCE))
    },
    60000,
  )
})
