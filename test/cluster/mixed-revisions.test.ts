// A cluster in the middle of a rolling upgrade: one node offers this release's revision, the
// other is held back (--protocol-revision 1, as an upgraded node is held at the old release's
// revision until every node runs the new one; docs/protocol.md, Versions). A request goes to a
// conference's host only if the host knows its method, and every join reply says what the path
// through its node offers: the lower of the two revisions.
import { ErrorCode, PROTOCOL_REVISION } from 'miniprogram-conference-protocol'
import { RawClient } from '../../testkit/raw-client'
import { describeWithRedis, useCluster } from '../../testkit/cluster-suite'

describeWithRedis('cluster: nodes of two revisions', () => {
  const f = useCluster(2, { perNode: [[], ['--protocol-revision', '1']] })
  const raws: RawClient[] = []
  afterAll(() => raws.forEach((r) => r.ws.terminate()))

  const join = async (node: number, userId: string, room: string) => {
    const c = await RawClient.connect(`${f.node(node).wsUrl}?v=1&rev=${PROTOCOL_REVISION}`)
    raws.push(c)
    const res = await c.call('join', { roomName: room, type: 10 }, f.cluster.mint(userId))
    expect(res.error).toBeUndefined()
    return { c, rev: res.result.rev as number, confrId: res.result.conference.confrId as string }
  }
  const refusal = (message: string) => ({ code: ErrorCode.UNKNOWN_METHOD, message })

  f.test(
    'a conference on the current node: the path through the held-back one offers 1',
    async () => {
      const here = await join(0, 'a1', 'mixed-on-current')
      const through = await join(1, 'a2', 'mixed-on-current')
      expect(here.rev).toBe(PROTOCOL_REVISION)
      expect(through.rev).toBe(1)
      expect((await here.c.call('getMembers', { confrId: here.confrId })).error).toBeUndefined()
      // The held-back node refuses what it does not offer itself.
      expect((await through.c.call('getMembers', { confrId: here.confrId })).error).toEqual(
        refusal('"getMembers" needs protocol revision 2; this server offers 1'),
      )
    },
  )

  f.test(
    'a conference on the held-back node: the current node does not forward what it lacks',
    async () => {
      const host = await join(1, 'b1', 'mixed-on-held')
      const through = await join(0, 'b2', 'mixed-on-held')
      expect((await f.cluster.hostOf(host.confrId)).id).toBe('n2')
      expect(through.rev).toBe(1)
      expect((await through.c.call('getMembers', { confrId: host.confrId })).error).toEqual(
        refusal(
          '"getMembers" needs protocol revision 2; the server hosting this conference offers 1',
        ),
      )
      // What both know still goes through.
      const set = await through.c.call('setAttrs', { confrId: host.confrId, key: 'k', val: 'v' })
      expect(set.error).toBeUndefined()
    },
  )
})
