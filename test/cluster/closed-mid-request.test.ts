// A socket that closes while its request is still on its way (bridged to the host, or waiting on
// Redis) must not leave a membership behind: what the request gives it after the close waits out
// the grace window like any membership of a closed socket; so must the sockets of a node that was
// killed and started again before the others noticed. Found by the churn soak: a client that
// vanished while its resume was at the host, or with the node it was bridged through, left a
// member nobody held, in memory and in Redis.
import { RawClient } from '../../testkit/raw-client'
import { describeWithRedis, useCluster } from '../../testkit/cluster-suite'
import { sleep, until } from '../../testkit/wait'

const GRACE_MS = 3000

describeWithRedis('cluster: a socket closed while its request is away', () => {
  const f = useCluster(2, { graceMs: GRACE_MS })
  const raws: RawClient[] = []
  afterAll(() => raws.forEach((r) => r.ws.terminate()))

  const raw = async (node: number, userId: string) => {
    const c = await RawClient.connect(f.node(node).wsUrl)
    raws.push(c)
    expect((await c.call('auth', { token: f.cluster.mint(userId) })).error).toBeUndefined()
    return c
  }
  const membersOn = async (node: number, confrId: string) => {
    const detail = await f.cluster.admin<{ memberList: Array<{ id: string; connected: boolean }> }>(
      f.node(node),
      `/api/conferences/${confrId}`,
    )
    return detail.memberList.map(({ id, connected }) => ({ id, connected }))
  }
  /** After a grace window `gone` is no member of the host's conference, and `left` is its only one. */
  const onlyLeft = async (confrId: string, gone: string, left: string) => {
    await until(
      async () => (await membersOn(0, confrId)).every((m) => m.id !== gone),
      GRACE_MS + 5000,
      'the member removed after its grace window',
    ).catch(() => undefined)
    expect(await membersOn(0, confrId)).toEqual([{ id: left, connected: true }])
  }

  f.test('a resume bridged to a stalled host, its socket gone before the reply', async () => {
    // a on n1 makes the room (n1 hosts it); b joins through n2 (bridged).
    const a = await raw(0, 'a')
    const joined = (await a.call('join', { roomName: 'mid-request' })).result
    const confrId: string = joined.conference.confrId
    const b = await raw(1, 'b')
    const bJoin = (await b.call('join', { roomName: 'mid-request' })).result
    const memberId: string = bJoin.self.id
    // b loses its socket: n2 tells n1, whose grace window for b starts.
    b.ws.terminate()
    await until(
      async () => (await membersOn(0, confrId)).some((m) => m.id === memberId && !m.connected),
      5000,
      "b's grace window on n1",
    )

    // The host stalls; b's client comes back through n2 and resumes, and vanishes again while
    // the resume waits at the host. Then the host goes on and takes the resume.
    f.node(0).freeze()
    try {
      const b2 = await raw(1, 'b')
      b2.sendRaw(
        JSON.stringify({
          id: 99,
          method: 'resume',
          params: { confrId, memberId, resumeToken: bJoin.resumeToken },
        }),
      )
      await sleep(300)
      b2.ws.terminate()
      await sleep(300)
    } finally {
      f.node(0).thaw()
    }

    // Nobody holds b: after a grace window it is gone, and only a is left.
    await onlyLeft(confrId, memberId, joined.self.id)
  })

  f.test(
    'a node killed and started again within one beat: what its old run bridged is detached',
    async () => {
      // a on n1 makes the room (n1 hosts it); b joins through n2 (bridged).
      const a = await raw(0, 'a-restart')
      const joined = (await a.call('join', { roomName: 'quick-restart' })).result
      const confrId: string = joined.conference.confrId
      const b = await raw(1, 'b-restart')
      const memberId: string = (await b.call('join', { roomName: 'quick-restart' })).result.self.id
      // n2 is killed with b's socket on it and comes back under the same id; the host, stalled
      // meanwhile, never sees n2 without a process (as when a restart falls between two beats).
      f.node(0).freeze()
      try {
        await f.node(1).kill9()
        await f.node(1).restart()
      } finally {
        f.node(0).thaw()
      }
      expect(b.ws.readyState).not.toBe(b.ws.OPEN)
      // b's socket died with n2's old run: after a grace window b is gone, and only a is left.
      await onlyLeft(confrId, memberId, joined.self.id)
    },
  )
})
