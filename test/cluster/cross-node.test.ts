// Members of one room on three different nodes: they see each other, and a stream published by a
// member of one node plays (real ffmpeg frames) for a member of another.
import { type Stream } from 'miniprogram-conference-protocol'
import { pullFrames, pushTestPattern } from '../../testkit/ffmpeg'
import { describeWithRedis, sawJoin, selfId, useCluster } from '../../testkit/cluster-suite'
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
})
