// SIGTERM drains a node: it hands the conference it hosts to another node and asks its clients
// to move; they resume elsewhere with the same member ids (nobody sees an exit), the process
// exits 0 within --drain-ms, and the conference carries on.
import { describeWithRedis, sawJoin, selfId, useCluster } from '../../testkit/cluster-suite'
import { until } from '../../testkit/wait'

const DRAIN_MS = 8000

describeWithRedis('cluster: SIGTERM drain', () => {
  const f = useCluster(3, { drainMs: DRAIN_MS })

  f.test(
    'members of the draining host move, the process exits 0, the conference goes on',
    async () => {
      const a1 = await f.client(0, 'a1')
      const a2 = await f.client(0, 'a2')
      const b1 = await f.client(1, 'b1')
      const c1 = await f.client(2, 'c1')
      const all = [a1, a2, b1, c1]
      const conf = await a1.emedia.mgr.joinRoom({ roomName: 'drain' })
      for (const c of all.slice(1)) await c.emedia.mgr.joinRoom({ roomName: 'drain' })
      const n1 = f.node(0)
      expect((await f.cluster.hostOf(conf.confrId)).id).toBe('n1')
      const ids = all.map(selfId)

      const t0 = Date.now()
      const code = await n1.sigterm()
      const exitMs = Date.now() - t0
      expect(code).toBe(0)
      expect(exitMs).toBeLessThan(DRAIN_MS + 5000)
      // Moved, not dropped: the same members, joined, nobody told of an exit.
      await until(() => all.every((c) => c.emedia.mgr.getConnectionState() === 'joined'), 10000)
      expect(all.map(selfId)).toEqual(ids)
      for (const c of all) {
        expect(c.exits).toEqual([])
        expect(c.events('memberExited')).toEqual([])
      }
      // a1 and a2 were on n1: they reconnected (to another node) and resumed.
      expect(a1.events('reconnected').length).toBeGreaterThan(0)
      expect(a2.events('reconnected').length).toBeGreaterThan(0)
      const newHost = await f.cluster.hostOf(conf.confrId, f.node(1))
      expect(newHost.id).not.toBe('n1')

      // The conference goes on: a newcomer is seen by all, a request of a1 reaches everyone.
      const d1 = await f.client(2, 'd1')
      await d1.emedia.mgr.joinRoom({ roomName: 'drain' })
      expect(d1.emedia.mgr.getConference()!.confrId).toBe(conf.confrId)
      await until(() => all.every((c) => sawJoin(c, selfId(d1))), 5000, 'the newcomer seen by all')
      await a1.emedia.mgr.exitConference()
      await until(() => d1.events('memberExited').length === 1, 5000, 'a1 leaving seen by d1')
      process.stdout.write(
        `[reliability] cluster SIGTERM drain: the node exited 0 after ${exitMs} ms\n`,
      )
    },
  )
})
