// kill -9 (or SIGTERM) of a conference's host, again and again, with seeded timing: members on every node (a
// publisher among those on the host), the host killed after a random pause and started again
// after another. However the resumes, the take-over's `move`s and the restart interleave, every
// member must end joined (or exited) once the reconnect budget is spent — never `reconnecting`.
// CK_FAILOVER_RUNS sets the number of runs (default 4), CK_FAILOVER_SEED replays one.
import { prng } from '../../testkit/prng'
import { type NodeClient } from '../../testkit/sdk-client'
import { describeWithRedis, selfId, useCluster } from '../../testkit/cluster-suite'
import { sleep, until } from '../../testkit/wait'

const RUNS = Number(process.env.CK_FAILOVER_RUNS) || 4
const SEED = Number(process.env.CK_FAILOVER_SEED) || Date.now() % 1e9
// A short budget keeps a run short; the take-over itself needs ≤ 1 s after a kill -9.
const RECONNECT = { retries: 16, delayMs: 500, firstDelayMs: 100 }
const BUDGET_MS = RECONNECT.retries * RECONNECT.delayMs

describeWithRedis('cluster: the host killed (-9 or TERM), repeated with seeded timing', () => {
  const f = useCluster(3)

  f.test(
    `${RUNS} runs: every member ends joined, none stays reconnecting`,
    async () => {
      const rand = prng(SEED)
      const report: string[] = []
      for (let run = 0; run < RUNS; run++) {
        const host = rand.int(3)
        // SIGTERM drains (hands the conference over, moves every socket); kill -9 says nothing.
        const how = rand.pick(['kill -9', 'SIGTERM'] as const)
        const killAfter = rand.pick([0, 50, 150, 400])
        const restartAfter = rand.pick([0, 300, 700, 1500, 3000])
        const what = `seed ${SEED} run ${run}: host n${host + 1}, ${how} after ${killAfter} ms, restart after ${restartAfter} ms`
        report.push(what)
        const room = `repeat-${SEED}-${run}`
        const order = [host, (host + 1) % 3, (host + 2) % 3]
        const clients: NodeClient[] = []
        for (const i of order)
          for (const k of [1, 2])
            clients.push(await f.client(i, `u${run}-${i}-${k}`, { reconnect: RECONNECT }))
        let confrId = ''
        for (const c of clients) confrId = (await c.emedia.mgr.joinRoom({ roomName: room })).confrId
        expect((await f.cluster.hostOf(confrId)).id).toBe(`n${host + 1}`)
        await clients[0].emedia.mgr.pubStream('cam')
        const ids = clients.map(selfId)

        await sleep(killAfter)
        if (how === 'kill -9') await f.node(host).kill9()
        else await f.node(host).sigterm()
        await sleep(restartAfter)
        await f.node(host).restart()

        const states = () => clients.map((c) => c.emedia.mgr.getConnectionState())
        try {
          await until(
            () => states().every((s) => s === 'joined' || s === 'exited'),
            BUDGET_MS + 5000,
            'every member joined or exited',
          )
          // Nobody lost anybody: each member still sees all six, and nobody was told one left.
          await until(
            () =>
              clients.every((c) => {
                const seen = new Set([...c.emedia.mgr.getMembers().map((m) => m.id), selfId(c)])
                return ids.every((id) => seen.has(id!))
              }),
            5000,
            'every member sees every other',
          )
        } catch (e) {
          throw new Error(`${what}: states ${states().join(',')}: ${(e as Error).message}`)
        }
        expect(states()).toEqual(clients.map(() => 'joined'))
        for (const c of clients) {
          expect(c.exits).toEqual([])
          expect(c.events('memberExited')).toEqual([])
        }
        await Promise.all(clients.map((c) => c.close()))
        await f.cluster.formed()
      }
      process.stdout.write(`[reliability] the host killed, repeated:\n  ${report.join('\n  ')}\n`)
    },
    RUNS * (BUDGET_MS + 25000),
  )
})
