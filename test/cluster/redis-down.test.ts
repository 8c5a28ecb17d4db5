// Redis goes away: every node says so on /healthz (503, redis down) and refuses new joins with
// -503 (UNAVAILABLE); Redis comes back on the same port and the nodes recover by themselves.
import { ErrorCode } from 'miniprogram-conference-protocol'
import { type Health } from '../../testkit/cluster'
import { errorOf } from '../../testkit/sdk-client'
import { describeWithRedis, useCluster } from '../../testkit/cluster-suite'
import { sleep, until } from '../../testkit/wait'

describeWithRedis('cluster: Redis down', () => {
  const f = useCluster(3)

  /** Every node's /healthz, once all answer `status` (or the last answers after `ms`). */
  async function healthWhenAll(status: number, ms = 10000): Promise<Health[]> {
    const deadline = Date.now() + ms
    for (;;) {
      const all = await Promise.all(f.cluster.nodes.map((n) => n.health()))
      if (all.every((h) => h.status === status) || Date.now() > deadline) return all
      await sleep(100)
    }
  }

  f.test(
    'healthz 503 and joins refused with -503 while down; back by itself when Redis returns',
    async () => {
      const before = await healthWhenAll(200)
      for (const h of before) expect(h).toMatchObject({ status: 200, body: { redis: 'up' } })
      const ann = await f.client(0, 'ann')
      const bob = await f.client(1, 'bob')

      await f.redis.stop()
      const downAt = Date.now()
      const down = await healthWhenAll(503)
      const noticedMs = Date.now() - downAt
      for (const h of down)
        expect(h).toMatchObject({ status: 503, body: { ok: false, redis: 'down' } })
      // ...and logs it (at error level: the nodes run at --log-level warn); the line may reach
      // the pipe a moment after /healthz already answers 503.
      await until(
        () => f.cluster.nodes.every((n) => /redis unreachable/.test(n.output())),
        5000,
        'every node to log "redis unreachable"',
      )
      const refused = await errorOf(ann.emedia.mgr.joinRoom({ roomName: 'while-down' }))
      expect(refused.code).toBe(ErrorCode.UNAVAILABLE)

      await f.redis.start()
      const upAt = Date.now()
      const up = await healthWhenAll(200)
      const recoveredMs = Date.now() - upAt
      for (const h of up) expect(h).toMatchObject({ status: 200, body: { ok: true, redis: 'up' } })

      // Joins work again, across nodes.
      const conf = await bob.emedia.mgr.joinRoom({ roomName: 'after-redis' })
      await ann.emedia.mgr.joinRoom({ roomName: 'after-redis' })
      expect(ann.emedia.mgr.getConference()!.confrId).toBe(conf.confrId)
      await until(() => bob.emedia.mgr.getMembers().length === 1, 5000, 'bob sees ann')
      process.stdout.write(
        `[reliability] cluster Redis down: all nodes 503 after ${noticedMs} ms; 200 again ${recoveredMs} ms after Redis returned\n`,
      )
    },
  )
})
