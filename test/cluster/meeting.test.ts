// Running a meeting across a cluster: the host's controls, hands and chat decided on the
// conference's host whichever node a member is connected to, and kept with the conference — after
// kill -9 of the host a locked room stays locked, a muted member stays muted, the hands and the
// chat history are where they were.
import { ErrorCode, Role } from 'miniprogram-conference-protocol'
import { errorOf } from '../../testkit/sdk-client'
import { until } from '../../testkit/wait'
import { meetingClient } from '../integration/meeting-client'
import { describeWithRedis, selfId, useCluster } from '../../testkit/cluster-suite'

describeWithRedis('cluster: running a meeting', () => {
  const f = useCluster(2)
  const client = async (node: number, userId: string, maxRole?: 1 | 3 | 7 | 9) => {
    const c = meetingClient(await f.client(node, userId))
    // The fixture's clients carry no role cap; one that needs it gets a token of its own.
    if (maxRole) c.emedia.config({ token: f.cluster.mint(userId, maxRole) })
    return c
  }

  f.test('invitations to speak, mute-all and invitation credentials across the nodes', async () => {
    // n1 hosts the LIVE room; the admin and the audience member are on n2, the guest on n1.
    const owner = await client(0, 'owner')
    const conf = await owner.mgr.joinRoom({ roomName: 'stage', type: 12 })
    expect((await f.cluster.hostOf(conf.confrId)).id).toBe('n1')
    const admin = await client(1, 'stage-admin', 7)
    await admin.mgr.joinRoom({ roomName: 'stage', role: Role.ADMIN })
    const aud = await client(1, 'aud')
    await aud.mgr.joinRoom({ roomName: 'stage' })
    expect(aud.mgr.getSelf()!.role).toBe(Role.AUDIENCE)

    await aud.mgr.raiseHand()
    await until(() => owner.mgr.getHands().length === 1, 5000, 'the owner on n1 sees the hand')
    expect(await errorOf(aud.mgr.inviteToSpeak('', 'owner'))).toMatchObject({
      code: ErrorCode.NO_RIGHTS,
    })
    await admin.mgr.inviteToSpeak('', 'aud')
    await until(() => aud.heard.speakInvitation.length === 1, 5000, 'the invitation')
    expect(await aud.mgr.answerSpeakInvitation(true)).toEqual({ role: Role.TALKER })
    await until(() => owner.heard.speakInvitationAnswered.length === 1, 5000, 'the answer on n1')
    await until(() => owner.mgr.getHands().length === 0, 5000, 'the hand went down')

    // Mute-all through n2 holds the new talker; its own unmute is refused on the host.
    await aud.mgr.pubStream('cam')
    expect((await admin.mgr.muteAll('', { audio: true })).audio).toBe(true)
    await until(() => aud.mgr.getMutedByHost().audio, 5000, "aud's hold")
    await until(() => owner.heard.controlsChanged.length === 1, 5000, 'the owner saw mute-all')
    expect(await errorOf(aud.mgr.resumeAudio())).toMatchObject({ code: ErrorCode.MUTED_BY_HOST })

    // An invitation issued through n2 admits a guest connected to n1.
    const { invitation } = await admin.mgr.createInvitation('', { ttlSec: 120 })
    const guest = await client(0, 'guest')
    await guest.mgr.joinConferenceWithInvitation(invitation)
    expect(guest.mgr.getConference()!.confrId).toBe(conf.confrId)
    // The guest joined under mute-all: told so in its join reply.
    expect(guest.mgr.getControls().muteAll.audio).toBe(true)
  })

  f.test(
    'controls, hands and chat through the node that does not host; all kept after kill -9 of the host',
    async () => {
      // n1 hosts (the first join makes the conference there); the admin and bob are on n2.
      const first = await client(0, 'first')
      const conf = await first.mgr.joinRoom({ roomName: 'board' })
      expect((await f.cluster.hostOf(conf.confrId)).id).toBe('n1')
      const admin = await client(1, 'admin', 7)
      await admin.mgr.joinRoom({ roomName: 'board', role: Role.ADMIN })
      const bob = await client(1, 'bob')
      await bob.mgr.joinRoom({ roomName: 'board' })
      await bob.mgr.pubStream('cam')

      // Who may, what the others see, what a refused caller gets — across the nodes.
      expect(await errorOf(bob.mgr.lockConference('', true))).toMatchObject({
        code: ErrorCode.NO_RIGHTS,
      })
      await admin.mgr.muteMembers('', ['bob'], { audio: true })
      await until(() => bob.heard.mutedByHost.length === 1, 5000, "bob's onMutedByHost via n2")
      expect(bob.mgr.getPublished()[0].stream.aoff).toBe(1)
      await bob.mgr.raiseHand()
      await first.mgr.raiseHand()
      await until(() => admin.mgr.getHands().length === 2, 5000, 'the admin sees both hands')
      await bob.mgr.sendMessage({ text: 'from n2' })
      await first.mgr.sendMessage({ text: 'from n1' })
      await until(() => admin.heard.message.length === 2, 5000, 'the admin got both messages')
      await admin.mgr.lockConference('', true)
      await until(
        () => first.heard.controlsChanged.length === 1,
        5000,
        'first (on n1) saw the lock',
      )
      const outsider = await client(1, 'outsider')
      expect((await errorOf(outsider.mgr.joinRoom({ roomName: 'board' }))).code).toBe(
        ErrorCode.CONFERENCE_LOCKED,
      )

      // The host dies; every member resumes on n2, which takes the conference over from Redis.
      const ids = [first, admin, bob].map(selfId)
      // (A member may resume twice: on the new host, then once more when its node hands over.)
      const resumed = new Set<string>()
      for (const c of [first, admin, bob]) c.mgr.on('reconnected', () => resumed.add(selfId(c)!))
      await f.node(0).kill9()
      await until(() => resumed.size === 3, 30000, 'everyone resumed on n2')
      expect([first, admin, bob].map(selfId)).toEqual(ids)
      expect((await f.cluster.hostOf(conf.confrId, f.node(1))).id).toBe('n2')

      // Locked: still refused. Muted: still held, and its own unmute still refused.
      const late = await client(1, 'late')
      expect((await errorOf(late.mgr.joinRoom({ roomName: 'board' }))).code).toBe(
        ErrorCode.CONFERENCE_LOCKED,
      )
      expect(bob.mgr.getMutedByHost()).toMatchObject({ audio: true, allowSelfUnmute: false })
      expect(await errorOf(bob.mgr.resumeAudio())).toMatchObject({ code: ErrorCode.MUTED_BY_HOST })
      // Hands in the order they went up, and the chat history, as they were.
      expect(admin.mgr.getHands().map((h) => h.name)).toEqual(['bob', 'first'])
      const kept = await admin.mgr.getMessages()
      expect(kept.messages.map((m) => m.text)).toEqual(['from n2', 'from n1'])
      // And the meeting goes on on the new host.
      await admin.mgr.lowerHand('bob')
      await until(() => bob.mgr.getHands().length === 1, 5000, 'the lowered hand')
      const next = await admin.mgr.sendMessage({ text: 'after the failover' })
      expect(next.id).toBeGreaterThan(kept.messages[1].id)
    },
    90000,
  )
})
