// A cluster behind TLS as docs/deploy.md sets it up ("Clusters behind TLS"): each node started by
// the doc's command line with its own --public-url, each behind its own proxy (the doc's site for
// that node's name), one Redis. The node list names the other node by its wss:// URL, and a
// client connected through n1's proxy is moved on n1's drain to n2's public URL and reconnects
// through n2's proxy, the same member, nobody told of an exit; after kill -9 of a node, its client
// fails over to the other node's public URL, through that node's proxy, the same member.
import fs from 'fs'
import type { Agent } from 'https'
import path from 'path'
import { Tokens } from '../../server/auth/tokens'
import { RawClient } from '../../testkit/raw-client'
import { describeRequiring } from '../../testkit/optional-suite'
import { RedisServer, redisAvailability } from '../../testkit/redis'
import { nodeClient, type NodeClient } from '../../testkit/sdk-client'
import { until } from '../../testkit/wait'
import {
  deployBehindProxy,
  type Deployment,
  deployDoc,
  DOMAIN,
  HostTree,
  httpsGet,
  tlsProxyAvailability,
} from '../../testkit/tls-proxy'
import { selfId } from '../../testkit/cluster-suite'

jest.setTimeout(180_000)

const available = tlsProxyAvailability.ok ? redisAvailability : tlsProxyAvailability
const doc = deployDoc()
const names = ['n1', 'n2'].map((n) => `${n}.${DOMAIN}`)

describeRequiring('docs/deploy.md: a cluster behind TLS', available, 'CK_REQUIRE_REDIS', () => {
  let redis: RedisServer
  const trees: HostTree[] = []
  const nodes: Deployment[] = []
  const clients: NodeClient[] = []
  let agent: Agent
  let tokens: Tokens
  let certDir: string

  /** Node n(i+1) as the doc starts it: n2's command is n1's "with n2 for n1". */
  const deployNode = (i: number) => {
    const line = i === 0 ? doc.node : doc.node.replace(/\bn1\b/g, 'n2')
    const opts = { tree: trees[i], line, domain: names[i], certDir, agent }
    return deployBehindProxy({ ...opts, redis: redis.url })
  }
  /** An SDK client through `node`'s proxy, and every URL its socket is opened to. */
  const client = async (node: Deployment, user: string) => {
    const c = await nodeClient({ wsUrl: node.wsUrl, tokens }, user, {
      adapter: { socket: { agent } },
    })
    clients.push(c)
    const urls: string[] = []
    const connect = c.adapter.connect.bind(c.adapter)
    c.adapter.connect = (url) => {
      urls.push(url)
      return connect(url)
    }
    return { c, urls }
  }
  /** Until node `i` counts `n` alive nodes. */
  const seeing = (i: number, n: number) =>
    until(
      async () => {
        const health = await httpsGet(`${nodes[i].base}/healthz`, agent)
        return (JSON.parse(health.body) as { nodes?: number }).nodes === n
      },
      15000,
      `n${i + 1} to see ${n} nodes`,
    )

  beforeAll(async () => {
    redis = await RedisServer.start()
    trees.push(new HostTree(), new HostTree())
    // The secrets made once as the doc says, and the same on every node.
    tokens = new Tokens(trees[0].makeSecrets().secret, 'default')
    fs.cpSync(path.join(trees[0].etc, 'conference'), path.join(trees[1].etc, 'conference'), {
      recursive: true,
    })
    const cert = trees[0].selfSignedCert(names)
    agent = cert.agent
    certDir = cert.dir
    for (const i of names.keys()) nodes.push(await deployNode(i))
    // Both know each other before anyone joins (the node list comes with the join).
    await seeing(0, 2)
  })

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined)
    for (const n of nodes) await n.stop()
    await redis?.close()
    for (const t of trees) t.remove()
  })

  test('the node list names n2 by its public URL; a drain of n1 moves its client there', async () => {
    const [n1, n2] = nodes
    // What a join through n1 is told of the others.
    const raw = await RawClient.connect(n1.wsUrl, { localAddress: '127.0.0.1', agent })
    const joined = await raw.call('join', { roomName: 'tls-probe' }, tokens.mintUser('probe', 600))
    expect(joined.result.nodes).toEqual([n2.wsUrl])
    raw.close()

    const { c: ann, urls } = await client(n1, 'ann')
    const { c: bob } = await client(n2, 'bob')
    await ann.emedia.mgr.joinRoom({ roomName: 'tls-drain' })
    await bob.emedia.mgr.joinRoom({ roomName: 'tls-drain' })
    const annId = selfId(ann)

    expect(await n1.stop()).toBe(0)
    await until(
      () => ann.emedia.mgr.getConnectionState() === 'joined' && urls.length === 2,
      15000,
      'ann to resume on n2',
    )
    // The SDK adds its version to the URL's query.
    const moves = urls.map((u) => u.split('?')[0])
    expect(moves).toEqual([n1.wsUrl, `wss://n2.${DOMAIN}:${new URL(n2.base).port}/ws`])
    expect(selfId(ann)).toBe(annId)
    expect(ann.exits).toEqual([])
    expect(bob.events('memberExited')).toEqual([])
    // Through n2's proxy: nginx logs the upgrade (101) when that socket ends.
    await ann.close()
    await until(
      () => /"GET \/ws(\?\S*)? HTTP\/1\.1" 101 /.test(n2.proxy.accessLog()),
      10000,
      "ann's socket in n2's proxy log",
    )
  })

  test('kill -9 of a node: its client fails over to the other public URL, the same member', async () => {
    // n1 again (drained by the test before), on a new proxy port; n2 hosts the conference.
    nodes[0] = await deployNode(0)
    await seeing(1, 2)
    const [n1, n2] = nodes
    const { c: cat, urls } = await client(n2, 'cat')
    await cat.emedia.mgr.joinRoom({ roomName: 'tls-failover' })
    const catId = selfId(cat)

    await n2.server.kill()
    await until(
      () => cat.emedia.mgr.getConnectionState() === 'joined' && urls.length >= 2,
      30000,
      'cat to resume on n1',
    )
    const moves = urls.map((u) => u.split('?')[0])
    expect(moves[0]).toBe(n2.wsUrl)
    // Every later attempt went to a public wss:// URL, the last to n1's.
    expect(moves.slice(1).every((u) => u.startsWith('wss://'))).toBe(true)
    expect(moves.at(-1)).toBe(`wss://n1.${DOMAIN}:${new URL(n1.base).port}/ws`)
    expect(selfId(cat)).toBe(catId)
    expect(cat.exits).toEqual([])
  })
})
