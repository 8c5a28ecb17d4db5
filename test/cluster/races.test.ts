// Races across nodes: ten clients on three nodes joining one new room name at once make one
// conference with one admin; a user's second device on another node takes over the membership
// and the first device is told reason 10 (OTHER_DEVICE).
import { ExitReason, Role } from 'miniprogram-conference-protocol'
import { describeWithRedis, selfId, useCluster } from '../../testkit/cluster-suite'
import { joinInTurn } from '../../testkit/sdk-client'
import { until } from '../../testkit/wait'

describeWithRedis('cluster: races across nodes', () => {
  const f = useCluster(3)

  f.test(
    '10 clients on 3 nodes race joinRoom on a new name: one conference, one admin',
    async () => {
      const clients = await Promise.all(
        Array.from({ length: 10 }, (_, i) => f.client(i % 3, `racer${i}`)),
      )
      const joined = await Promise.all(
        clients.map((c) => c.emedia.mgr.joinRoom({ roomName: 'race-cluster' })),
      )
      const confrIds = new Set(joined.map((j) => j.confrId))
      expect(confrIds.size).toBe(1)
      const roles = clients.map((c) => c.emedia.mgr.getSelf()!.role)
      expect(roles.filter((r) => r === Role.ADMIN)).toHaveLength(1)
      // And each member ends up knowing the nine others, wherever they joined.
      await until(
        () => clients.every((c) => c.emedia.mgr.getMembers().length === 9),
        10000,
        'every member sees the nine others',
      )
      const ids = new Set(clients.map(selfId))
      expect(ids.size).toBe(10)
    },
  )

  f.test('the same user joins on n1 then on n2: the first device gets reason 10', async () => {
    const first = await f.client(0, 'twice')
    const second = await f.client(1, 'twice')
    const watcher = await f.client(2, 'watcher')
    const conf = await joinInTurn([watcher, first, second], { roomName: 'two-devices' })
    expect(second.emedia.mgr.getConference()!.confrId).toBe(conf.confrId)
    await until(() => first.exits.length === 1, 5000, 'the first device told')
    expect(first.exits).toEqual([[ExitReason.OTHER_DEVICE, 0]])
    expect(first.emedia.mgr.getConference()).toBeNull()
    expect(second.exits).toEqual([])
    expect(second.emedia.mgr.getConnectionState()).toBe('joined')
    // The watcher sees one 'twice', the second device's membership.
    await until(
      () =>
        watcher.emedia.mgr
          .getMembers()
          .filter((m) => m.name === 'twice')
          .map((m) => m.id)
          .join() === selfId(second),
      5000,
      "the watcher sees the second device's membership only",
    )
  })
})
