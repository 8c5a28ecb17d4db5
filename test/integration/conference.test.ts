// The emedia API end to end: several Node SDK clients against the real server over real sockets,
// every method and callback, the error paths, and reconnect with the same membership.
import { pullFrames, pushTestPattern, stopAllMedia } from '../../testkit/ffmpeg'
import { errorOf, joinInTurn, type NodeClient } from '../../testkit/sdk-client'
import { useServer } from '../../testkit/server-suite'
import { sleep, until } from '../../testkit/wait'

const suite = useServer({ graceMs: 4000 })
const { client } = suite
afterEach(() => stopAllMedia())

/** The first joins `roomName` as its ADMIN, the others as TALKERs, in order (emedia's full form). */
const joinAll = (roomName: string, clients: NodeClient[]) =>
  joinInTurn(clients, { roomName, password: '', config: {} }, [7, 3])

test('create, ticket, password and room joins; member callbacks; info; exit', async () => {
  const ann = await client('ann')
  const bob = await client('bob')
  const cy = await client('cy')
  const conf = await ann.emedia.mgr.createConference(10, 'pw')
  const ticket = await bob.emedia.mgr.getConferenceTkt(conf.confrId, 'pw')
  await ann.emedia.mgr.joinConferenceWithTicket(conf.confrId, conf.ticket, { seat: 1 })
  expect(ann.events('memberJoined')[0][0]).toMatchObject({ name: 'ann', isSelf: true, role: 7 })
  const prose: string[] = [] // the document's prose calls it onMemberJoin
  bob.emedia.mgr.onMemberJoin = (m) => prose.push(m.name)
  await bob.emedia.mgr.joinConferenceWithTicket(conf.confrId, ticket, {})
  expect(prose).toEqual(['bob', 'ann'])
  // bob learns about ann (already there); ann learns about bob.
  expect(bob.events('memberJoined').map((e: any) => e[0].name)).toEqual(['bob', 'ann'])
  await until(() => ann.events('memberJoined').length === 2)
  await cy.emedia.mgr.joinConference(conf.confrId, 'pw', { nick: 'C' })
  await until(
    () => ann.events('memberJoined').length === 3 && bob.events('memberJoined').length === 3,
  )
  expect(
    ann.emedia.mgr
      .getMembers()
      .map((m) => m.name)
      .sort(),
  ).toEqual(['bob', 'cy'])

  const info = await cy.emedia.mgr.getConferenceInfo(conf.confrId, 'pw')
  expect(info).toMatchObject({ confrId: conf.confrId, memberCount: 3, talkerCount: 3 })

  await cy.emedia.mgr.exitConference(conf.confrId)
  expect(cy.exits).toEqual([[0, 0]])
  await until(
    () => ann.events('memberExited').length === 1 && bob.events('memberExited').length === 1,
  )
  expect(ann.events('memberExited')[0][0]).toMatchObject({ name: 'cy' })
  expect(cy.emedia.mgr.getConnectionState()).toBe('exited')
})

test('error paths: -508, -500, -502, -101, -522, -523, destroy → 11; refused joins also reach onConferenceExit', async () => {
  const ann = await client('ann')
  const bob = await client('bob')
  const cy = await client('cy')
  const dee = await client('dee')
  const conf = await ann.emedia.mgr.joinRoom({
    roomName: 'errors',
    password: 'pw',
    role: 7,
    config: { maxTalkerCount: 2, maxAudienceCount: 1 },
  })
  expect((await errorOf(bob.emedia.mgr.joinConference(conf.confrId, 'wrong', {}))).code).toBe(-508)
  const forged = conf.ticket.slice(0, -2) + (conf.ticket.endsWith('xx') ? 'yy' : 'xx')
  expect(
    (await errorOf(bob.emedia.mgr.joinConferenceWithTicket(conf.confrId, forged, {}))).code,
  ).toBe(-500)
  const expired = suite.server.tokens.mintTicket(conf.confrId, 'bob', -1)
  expect(
    (await errorOf(bob.emedia.mgr.joinConferenceWithTicket(conf.confrId, expired, {}))).code,
  ).toBe(-502)

  await bob.emedia.mgr.joinConference(conf.confrId, 'pw', {})
  const tooMany = await errorOf(
    cy.emedia.mgr.joinRoom({ roomName: 'errors', password: 'pw', role: 3, config: {} }),
  )
  expect(tooMany.code).toBe(-523)
  await cy.emedia.mgr.joinRoom({ roomName: 'errors', password: 'pw', role: 1, config: {} })
  const full = await errorOf(
    dee.emedia.mgr.joinRoom({ roomName: 'errors', password: 'pw', role: 1, config: {} }),
  )
  expect(full.code).toBe(-522)

  expect((await errorOf(bob.emedia.mgr.kickMembersById(conf.confrId, ['cy']))).code).toBe(-101)
  expect((await errorOf(bob.emedia.mgr.destroyConference(conf.confrId))).code).toBe(-101)
  expect((await errorOf(cy.emedia.mgr.pubStream('cam'))).code).toBe(-101) // audience

  // emedia: a refused join is also onConferenceExit — 4 with the code for ticket, password and
  // server-limit refusals, 2 for any other refusal — besides the rejected promise.
  expect(bob.exits).toEqual([
    [4, -508],
    [4, -500],
    [4, -502],
  ])
  expect(cy.exits).toEqual([[2, -523]])
  expect(dee.exits).toEqual([[2, -522]])

  await ann.emedia.mgr.destroyConference(conf.confrId)
  await until(() => bob.exits.length === 4 && cy.exits.length === 2)
  expect(bob.exits[3]).toEqual([11, -302])
  expect(cy.exits[1]).toEqual([11, -302])
  // A late joiner of a destroyed conference: -301, refused (2).
  expect((await errorOf(dee.emedia.mgr.joinConference(conf.confrId, 'pw'))).code).toBe(-301)
  expect(dee.exits[1]).toEqual([2, -301])
})

test('kick and grantRole: onConferenceExit(2) for the kicked, onRoleChanged with a roleToken', async () => {
  const ann = await client('ann')
  const bob = await client('bob')
  const cy = await client('cy')
  const conf = await joinAll('admin', [ann, bob, cy])
  await ann.emedia.mgr.grantRole(conf.confrId, ['bob'], 1)
  await until(() => bob.events('roleChanged').length === 1)
  const [role, roleToken] = bob.events('roleChanged')[0] as [number, string]
  expect(role).toBe(1)
  expect(roleToken.split('.')).toHaveLength(3)
  await ann.emedia.mgr.kickMembersById(conf.confrId, ['cy'])
  await until(() => cy.exits.length === 1 && bob.events('memberExited').length === 1)
  expect(cy.exits[0]).toEqual([2, -504])
  expect(bob.events('memberExited')[0][0]).toMatchObject({ name: 'cy' })
})

test('media: pubStream pushed by ffmpeg → onStreamAdded → subStream decodes; pause/resume reach everyone; exit withdraws', async () => {
  const ann = await client('ann')
  const bob = await client('bob')
  const cy = await client('cy')
  const changed: unknown[] = []
  const changedTypo: unknown[] = []
  bob.emedia.mgr.onMediaChanged = (s) => changed.push(s)
  bob.emedia.mgr.onMediaChanaged = (s) => changedTypo.push(s)
  await joinAll('media', [ann, bob, cy])
  const pub = await ann.emedia.mgr.pubStream(ann.emedia.util.getRtcId())
  await sleep(300)
  expect(bob.events('streamAdded')).toHaveLength(0) // announced only when media flows
  const pusher = pushTestPattern(pub.data.rtmp)
  await until(
    () => bob.events('streamAdded').length === 1 && cy.events('streamAdded').length === 1,
    10000,
  )
  const stream = bob.events('streamAdded')[0][0] as { id: string; memName: string }
  expect(stream.memName).toBe('ann')
  const play = await bob.emedia.mgr.subStream(stream.id)
  const pulled = await pullFrames(play.data.rtmp, { frames: 5 })
  expect(pulled).toMatchObject({ width: 640, height: 360, hasAudio: true })
  expect(pulled.frames).toBeGreaterThanOrEqual(5)

  await ann.emedia.mgr.pauseVideo()
  await ann.emedia.mgr.pauseAudio()
  await until(() => changed.length === 2 && cy.events('mediaChanged').length === 2)
  expect(changed[1]).toMatchObject({ voff: 1, aoff: 1 })
  expect(changedTypo).toHaveLength(2)
  await ann.emedia.mgr.resumeVideo()
  await ann.emedia.mgr.resumeAudio()
  await until(() => changed.length === 4)
  expect(changed[3]).toMatchObject({ voff: 0, aoff: 0 })

  // unsubscribe cuts bob's player of that stream.
  const player = pullFrames(play.data.rtmp, { frames: 100000, timeoutMs: 20000 })
  await until(() => suite.server.service.conferences.values().next().value!.members.size === 3)
  await sleep(800)
  await bob.emedia.mgr.unsubscribe(stream.id)
  const cut = await player
  expect(cut.frames).toBeGreaterThan(0)
  expect(cut.frames).toBeLessThan(100000)

  await ann.emedia.mgr.exitConference()
  await until(
    () => bob.events('streamRemoved').length === 1 && cy.events('streamRemoved').length === 1,
  )
  expect(await pusher.exited).not.toBeNull()
})

test('setHost points the SDK at a server', async () => {
  const c = await client('host-user', { config: { host: 'ws://127.0.0.1:1/ws' } })
  c.emedia.mgr.setHost(suite.server.wsUrl)
  const conf = await c.emedia.mgr.joinRoom({ roomName: 'sethost', role: 3 })
  expect(conf.confrId).toMatch(/^CF_/)
})

test('reconnect: a lost network resumes the same membership; the others see no exit', async () => {
  const ann = await client('ann')
  const bob = await client('bob')
  await joinAll('resume', [ann, bob])
  const pub = await bob.emedia.mgr.pubStream('cam')
  const selfId = bob.emedia.mgr.getSelf()!.id
  bob.adapter.setNetwork(false)
  await until(() => bob.emedia.mgr.getConnectionState() === 'reconnecting')
  await sleep(1000)
  bob.adapter.setNetwork(true)
  await until(() => bob.events('reconnected').length === 1, 8000)
  expect(bob.emedia.mgr.getSelf()!.id).toBe(selfId)
  const info = bob.events('reconnected')[0][0] as {
    published: Array<{ stream: { id: string }; rtmp: string }>
  }
  expect(info.published[0].stream.id).toBe(pub.data.streamId)
  expect(info.published[0].rtmp).toMatch(/^rtmp:/)
  expect(ann.events('memberExited')).toHaveLength(0)
  expect(bob.exits).toHaveLength(0)
})
