// One cluster per test file: a real redis-server and N node processes started before the tests,
// and everything (SDK clients, ffmpeg, nodes, Redis) stopped after them, even when one failed.
// Where redis-server is missing, suites say loudly that they did not run, and fail under
// CK_REQUIRE_REDIS=1 (which CI sets after installing it).
import { stopAllMedia } from './ffmpeg'
import { type ClusterNode, type NodeOptions, TestCluster, withLogs } from './cluster'
import { describeRequiring } from './optional-suite'
import { RedisServer, redisAvailability } from './redis'
import { nodeClient, type NodeClient } from './sdk-client'

export function describeWithRedis(name: string, body: () => void): void {
  describeRequiring(name, redisAvailability, 'CK_REQUIRE_REDIS', body)
}

export function useCluster(n: number, opts: NodeOptions = {}) {
  let redis: RedisServer | undefined
  let cluster: TestCluster | undefined
  const clients: Array<NodeClient & { name?: string }> = []
  /** Each client's events and state, for a failed test's report. */
  const clientReport = {
    output: () =>
      clients
        .map((c) => {
          const mgr = c.emedia.mgr
          const events = c.log.map(([name, a]) => {
            const id = (a as { id?: string } | undefined)?.id
            return id ? `${String(name)}(${id})` : String(name)
          })
          return `${c.name} ${selfId(c) ?? '-'} ${mgr.getConnectionState()}: ${events.join(' ')}`
        })
        .join('\n'),
  }

  beforeAll(async () => {
    redis = await RedisServer.start()
    cluster = await TestCluster.start(redis.url, n, opts)
  }, 60000)

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)))
    await stopAllMedia()
    await cluster?.close()
    await redis?.close()
  }, 30000)

  const fixture = {
    get redis(): RedisServer {
      return redis!
    },
    get cluster(): TestCluster {
      return cluster!
    },
    node(i: number): ClusterNode {
      return cluster!.nodes[i]
    },
    /** An SDK client of `userId` connected to node `i` (it may move to others on its own);
     * CK_TEST_SDK_LOG=debug shows what the SDKs do; `config` is more emedia.config. */
    async client(i: number, userId: string, config: Record<string, unknown> = {}) {
      const node = cluster!.nodes[i]
      const c = await nodeClient({ wsUrl: node.wsUrl, tokens: cluster!.tokens }, userId, {
        config: { logLevel: (process.env.CK_TEST_SDK_LOG ?? 'silent') as 'silent', ...config },
      })
      clients.push(Object.assign(c, { name: `${userId}@${node.id}` }))
      return c
    },
    /** A jest test whose failure report carries every node's and Redis's output. */
    test(name: string, body: () => Promise<void>, timeoutMs = 60000) {
      test(
        name,
        withLogs(() => [cluster, redis, clientReport], body),
        timeoutMs,
      )
    },
  }
  return fixture
}

/** A member's id as the SDK reports it. */
export const selfId = (c: NodeClient) => c.emedia.mgr.getSelf()?.id

/** Did `c` hear `memberJoined` for member id `id`? */
export const sawJoin = (c: NodeClient, id: string | undefined) =>
  c.events('memberJoined').some(([m]) => (m as { id: string }).id === id)
