// Members of one room on three different nodes: they see each other, and a stream published by a
// member of one node plays (real ffmpeg frames) for a member of another.
import { type Member, type Stream } from 'miniprogram-conference-protocol'
import { eventsOf, toldOf } from '../../testkit/arrivals'
import { pullFrames, pushTestPattern } from '../../testkit/ffmpeg'
import { describeWithRedis, sawJoin, selfId, useCluster } from '../../testkit/cluster-suite'
import { RawClient } from '../../testkit/raw-client'
import { until } from '../../testkit/wait'

describeWithRedis('cluster: one room across three nodes', () => {
  const f = useCluster(3)

  f.test('members on n1, n2, n3 see each other; n1 publishes, n2 and n3 play it', async () => {
    const ann = await f.client(0, 'ann')
    const bob = await f.client(1, 'bob')
    const cat = await f.client(2, 'cat')
    const conf = await ann.emedia.mgr.joinRoom({ roomName: 'across' })
    await bob.emedia.mgr.joinRoom({ roomName: 'across' })
    await cat.emedia.mgr.joinRoom({ roomName: 'across' })
    expect(bob.emedia.mgr.getConference()!.confrId).toBe(conf.confrId)
    expect(cat.emedia.mgr.getConference()!.confrId).toBe(conf.confrId)

    // Each heard of the ones who came after it, and found the ones before it in its join reply.
    await until(() => sawJoin(ann, selfId(bob)) && sawJoin(ann, selfId(cat)), 5000, 'ann hears')
    await until(() => sawJoin(bob, selfId(cat)), 5000, 'bob hears cat')
    // Everyone's view of the others (getMembers leaves oneself out).
    const all = [ann, bob, cat]
    for (const c of all) {
      const others = all.filter((o) => o !== c).map(selfId)
      expect(
        c.emedia.mgr
          .getMembers()
          .map((m) => m.id)
          .sort(),
      ).toEqual(others.sort())
    }

    // The push URL points at the engine of the node hosting the conference.
    const hostNode = await f.cluster.hostOf(conf.confrId, f.node(1))
    const pub = await ann.emedia.mgr.pubStream('cam')
    expect(pub.data.rtmp.startsWith(hostNode.rtmpBase + '/')).toBe(true)
    const pusher = pushTestPattern(pub.data.rtmp)
    const added = (c: typeof ann) =>
      c.events('streamAdded').find(([s]) => (s as Stream).id === pub.data.streamId)?.[0] as
        Stream | undefined
    await until(() => !!added(bob) && !!added(cat), 15000, 'streamAdded on n2 and n3')

    const [onBob, onCat] = await Promise.all([
      pullFrames(added(bob)!.rtmp!, { frames: 5 }),
      pullFrames(added(cat)!.rtmp!, { frames: 5 }),
    ])
    expect(onBob.frames).toBeGreaterThanOrEqual(5)
    expect(onCat.frames).toBeGreaterThanOrEqual(5)
    expect([onBob.width, onBob.height]).toEqual([640, 360])
    await pusher.stop()

    // Leaving from any node is seen on the others, and the cluster forgets the room.
    await cat.emedia.mgr.exitConference()
    await until(() => bob.events('memberExited').length === 1, 5000, 'bob sees cat leave')
    expect(ann.exits).toEqual([])
    expect(bob.exits).toEqual([])
  })

  f.test('attribute changes cross nodes: the SDKs there get the whole set', async () => {
    const ann = await f.client(0, 'ann')
    const bob = await f.client(1, 'bob')
    const cat = await f.client(2, 'cat')
    await ann.emedia.mgr.joinRoom({ roomName: 'attrs-across', role: 7 })
    await bob.emedia.mgr.joinRoom({ roomName: 'attrs-across', role: 3 })
    await cat.emedia.mgr.joinRoom({ roomName: 'attrs-across' })
    // Set from n2 (forwarded to the host, replied without the set), removed from n1.
    expect(await bob.emedia.mgr.setConferenceAttrs({ key: 'topic', val: 'scale' })).toEqual({
      topic: 'scale',
    })
    await ann.emedia.mgr.setConferenceAttrs({ key: 'slide', val: '2' })
    const both = { topic: 'scale', slide: '2' }
    await until(
      () =>
        [ann, bob, cat].every(
          (c) =>
            (c.events('confrAttrsUpdated').pop()?.[0] as Record<string, string> | undefined)
              ?.slide === '2',
        ),
      5000,
      'every node has the change',
    )
    for (const c of [ann, bob, cat]) expect(c.emedia.mgr.getConferenceAttrs()).toEqual(both)
    await ann.emedia.mgr.deleteConferenceAttrs({ key: 'topic' })
    await until(() => !('topic' in cat.emedia.mgr.getConferenceAttrs()), 5000, 'cat lost topic')
    expect(cat.events('confrAttrsUpdated').pop()![0]).toEqual({ slide: '2' })
  })

  f.test(
    'joins through other nodes arrive in batches for revision 5, one frame each for older sockets',
    async () => {
      const raws: RawClient[] = []
      const socket = async (node: number, rev: number) => {
        const c = await RawClient.connect(`${f.node(node).wsUrl}?v=1&rev=${rev}`)
        raws.push(c)
        return c
      }
      try {
        const roomName = 'arrivals-across'
        // The room is hosted by n1; members of revision 5 on n1 and n2, of revision 4 on n3.
        const watchers = [await socket(0, 5), await socket(1, 5), await socket(2, 4)]
        for (const [i, w] of watchers.entries())
          await w.call('join', { roomName }, f.cluster.mint(`watch-${i}`))
        // Each watcher told of those after it, so that what follows counts the 24 only.
        await until(
          () => watchers.every((w, i) => toldOf(w).length === watchers.length - 1 - i),
          5000,
          'the watchers',
        )
        const from = watchers.map((w) => w.frames.length)

        // 24 joins sent at once through n2 and n3: forwarded to n1 over the bus.
        const joiners = await Promise.all(
          Array.from({ length: 24 }, (_, i) => socket(1 + (i % 2), i % 3 === 0 ? 4 : 5)),
        )
        const replies = await Promise.all(
          joiners.map((c, i) =>
            c.call('join', { roomName, role: 1 }, f.cluster.mint(`arrive-${i}`)),
          ),
        )
        expect(replies.filter((r) => r.error)).toEqual([])
        const ids = replies.map((r) => r.result.self.id as string)
        await until(
          () => watchers.every((w, i) => toldOf(w, from[i]).length === 24),
          10000,
          'every watcher told of the 24',
        )
        // Every watcher heard the 24 in the same order; revision 4 in 24 frames, revision 5 (on
        // the host and through the bus) in fewer: the joins of one turn came in one frame.
        const order = toldOf(watchers[0], from[0])
        expect([...order].sort()).toEqual([...ids].sort())
        for (const [i, w] of watchers.entries()) expect(toldOf(w, from[i])).toEqual(order)
        const frames = watchers.map(
          (w, i) =>
            eventsOf(w, 'memberJoined', from[i]).length +
            eventsOf(w, 'membersJoined', from[i]).length,
        )
        console.log(`frames for 24 arrivals (n1 rev 5, n2 rev 5, n3 rev 4): ${frames.join(', ')}`)
        expect(frames[2]).toBe(24)
        expect(eventsOf(watchers[2], 'membersJoined', from[2])).toHaveLength(0)
        expect(frames[0]).toBeLessThan(24)
        expect(frames[1]).toBeLessThan(24)
        // Each joiner, wherever it is, was told of exactly those after it.
        await until(
          () => joiners.every((c, i) => toldOf(c).length === 23 - order.indexOf(ids[i])),
          10000,
          'every joiner told of those after it',
        )
        for (const [i, c] of joiners.entries()) {
          expect(toldOf(c)).toEqual(order.slice(order.indexOf(ids[i]) + 1))
          const members = eventsOf(c, 'membersJoined').flatMap((e) => e.data.members as Member[])
          for (const m of members) expect(m.id).toMatch(/^MS_/)
        }
      } finally {
        for (const c of raws) c.close()
      }
    },
  )
})
