// Edges in a cluster: every node runs nginx-rtmp (--engine nginx) and hands members play URLs on
// one edge; the edge's hooks go to a node that does NOT host the conference. That node asks the
// host over the bus; the host's gate decides and redirects the edge to its own engine (the
// origin). Real Redis, three server processes, real nginx, real ffmpeg.
import { type Stream } from 'miniprogram-conference-protocol'
import { pullFrames, pushTestPattern } from '../../testkit/ffmpeg'
import { describeWithNginx, type RunningEdge, startEdge } from '../../testkit/nginx'
import { type NodeOptions } from '../../testkit/cluster'
import { describeWithRedis, useCluster } from '../../testkit/cluster-suite'
import { until } from '../../testkit/wait'

const PATTERN = { width: 160, height: 90, fps: 10 }

describeWithNginx('cluster with nginx edges', () => {
  describeWithRedis('an edge asking a node that does not host the conference', () => {
    const opts: NodeOptions = { flags: [] }
    let edge: RunningEdge | undefined
    // The edge first: the nodes are started with its port (its hooks are pointed at n3 below).
    beforeAll(async () => {
      edge = await startEdge({ name: 'edge1' })
      opts.flags = ['--engine', 'nginx', '--edge-rtmp', edge.rtmpBase]
    })
    const f = useCluster(3, opts)
    afterAll(async () => {
      await edge?.stop()
    })

    f.test(
      'a member on n2 plays through the edge, whose hooks call n3; the host n1 decides',
      async () => {
        const host = await f.client(0, 'host')
        const viewer = await f.client(1, 'viewer')
        const conf = await host.emedia.mgr.joinRoom({ roomName: 'edged', role: 7, type: 12 })
        await viewer.emedia.mgr.joinRoom({ roomName: 'edged', role: 1 })
        const hostNode = await f.cluster.hostOf(conf.confrId)
        expect(hostNode.id).toBe(f.node(0).id)
        await edge!.point({ serverUrl: f.node(2).httpUrl, secret: f.cluster.secret })

        const pub = await host.emedia.mgr.pubStream('cam')
        expect(pub.data.rtmp.startsWith(hostNode.rtmpBase + '/')).toBe(true)
        const pusher = pushTestPattern(pub.data.rtmp, PATTERN)
        const added = () =>
          viewer
            .events('streamAdded')
            .find(([s]) => (s as Stream).id === pub.data.streamId)?.[0] as Stream | undefined
        await until(() => !!added(), 15000, 'streamAdded at the viewer')
        expect(added()!.rtmp!.startsWith(edge!.rtmpBase + '/')).toBe(true)

        const got = await pullFrames(added()!.rtmp!, { frames: 5, timeoutMs: 20000 })
        expect(got.frames).toBeGreaterThanOrEqual(5)
        expect([got.width, got.height]).toEqual([PATTERN.width, PATTERN.height])

        // A forged credential is refused by the same path (n3 → the host's gate), nothing relayed.
        const forged = added()!.rtmp!.replace(/token=[^&]+/, 'token=m.x.y.z.forged')
        const refused = await pullFrames(forged, { frames: 1, timeoutMs: 5000 }).catch(() => null)
        expect(refused?.frames ?? 0).toBe(0)
        await pusher.stop()
      },
    )
  })
})
