// kill -9 of the node hosting a conference: members on all three nodes (two on the dying one),
// two publishers pushing real media to the dying node's engine (one connected to it, one to
// another node). Every member resumes on a surviving node with the same member id and nobody sees
// an exit; the publishers get fresh push URLs on the new host, push again, and the others get
// streamAdded again and can play it.
import { type Stream } from 'miniprogram-conference-protocol'
import { type Pusher, pullFrames, pushTestPattern } from '../../testkit/ffmpeg'
import { type NodeClient } from '../../testkit/sdk-client'
import { describeWithRedis, selfId, useCluster } from '../../testkit/cluster-suite'
import { until } from '../../testkit/wait'

describeWithRedis('cluster: kill -9 of the hosting node', () => {
  const f = useCluster(3)

  f.test(
    'every member resumes elsewhere, publishers re-push, streams are announced again',
    async () => {
      const users: Array<[number, string]> = [
        [0, 'a1'],
        [0, 'a2'],
        [1, 'b1'],
        [1, 'b2'],
        [2, 'c1'],
        [2, 'c2'],
      ]
      const c: Record<string, NodeClient> = {}
      for (const [i, u] of users) c[u] = await f.client(i, u)
      // The first join makes the conference on n1: n1 hosts it.
      const conf = await c.a1.emedia.mgr.joinRoom({ roomName: 'failover' })
      for (const [, u] of users.slice(1)) await c[u].emedia.mgr.joinRoom({ roomName: 'failover' })
      const host = await f.cluster.hostOf(conf.confrId)
      expect(host.id).toBe('n1')
      const ids = Object.fromEntries(users.map(([, u]) => [u, selfId(c[u])]))

      // a1 (on the host) and b1 (on n2) publish to the host's engine.
      const pushers: Record<string, Pusher> = {}
      const streamOf: Record<string, string> = {}
      for (const u of ['a1', 'b1']) {
        const pub = await c[u].emedia.mgr.pubStream('cam')
        expect(pub.data.rtmp.startsWith(host.rtmpBase + '/')).toBe(true)
        streamOf[u] = pub.data.streamId
        pushers[u] = pushTestPattern(pub.data.rtmp)
      }
      const watchers = ['a2', 'b2', 'c1', 'c2']
      const has = (w: string, s: string) => c[w].emedia.mgr.getStreams().some((x) => x.id === s)
      await until(
        () => watchers.every((w) => has(w, streamOf.a1) && has(w, streamOf.b1)),
        15000,
        'both streams live for every watcher',
      )

      // What the pusher component does on onReconnected: a dead pusher starts on the fresh URL.
      let killedAt = 0
      const resumedAt: Record<string, number> = {}
      const freshUrl: Record<string, string> = {}
      for (const [, u] of users) {
        c[u].emedia.mgr.on('reconnected', (info) => {
          resumedAt[u] = Date.now()
          const mine = info.published.find((p) => p.stream.id === streamOf[u])
          if (!mine) return
          freshUrl[u] = mine.rtmp
          const p = pushers[u]
          if (p.proc.exitCode !== null || p.proc.signalCode !== null)
            pushers[u] = pushTestPattern(mine.rtmp)
        })
      }
      const readded: Record<string, Stream> = {}
      const readdedAt: number[] = []
      for (const w of watchers) {
        c[w].emedia.mgr.on('streamAdded', (s) => {
          if (!killedAt) return
          readded[`${w}/${s.id}`] = s
          readdedAt.push(Date.now())
        })
      }

      killedAt = Date.now()
      await host.kill9()
      await until(
        () => users.every(([, u]) => resumedAt[u]),
        20000,
        'every member resumed (reconnected)',
      )
      const lastResumeMs = Math.max(...Object.values(resumedAt)) - killedAt
      const reannounced = () =>
        watchers.every((w) => readded[`${w}/${streamOf.a1}`] && readded[`${w}/${streamOf.b1}`])
      await until(reannounced, 20000, 'both streams announced again to every watcher')
      const lastReannounceMs = Math.max(...readdedAt) - killedAt

      // Same memberships, nobody told it left, on a surviving host.
      for (const [, u] of users) {
        expect(selfId(c[u])).toBe(ids[u])
        expect(c[u].exits).toEqual([])
        expect(c[u].events('memberExited')).toEqual([])
        expect(c[u].emedia.mgr.getConnectionState()).toBe('joined')
      }
      const newHost = await f.cluster.hostOf(conf.confrId, f.node(1))
      expect(newHost.id).not.toBe('n1')
      for (const u of ['a1', 'b1'])
        expect(freshUrl[u].startsWith(newHost.rtmpBase + '/')).toBe(true)
      // The re-announced stream plays from the new host.
      const frames = await pullFrames(readded[`c1/${streamOf.a1}`].rtmp!, { frames: 5 })
      expect(frames.frames).toBeGreaterThanOrEqual(5)
      // Signalling works end to end on the new host.
      await c.b1.emedia.mgr.pauseVideo(streamOf.b1)
      await until(
        () => c.c2.events('mediaChanged').some(([s]) => (s as Stream).id === streamOf.b1),
        5000,
        'mediaChanged after the failover',
      )
      process.stdout.write(
        `[reliability] cluster kill -9 of the host (6 members on 3 nodes, 2 publishers): last resume ${lastResumeMs} ms, last stream re-announced ${lastReannounceMs} ms\n`,
      )
    },
  )
})
