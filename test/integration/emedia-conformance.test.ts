// Where the emedia document, not our own design, decides the behaviour: the creator's rights
// before it joins, the document's string types, the first push URL with the join, and the
// authority gaps (kick bans, the token's role cap, play URL expiry). Real server, real sockets,
// Node SDK clients; media by the real ffmpeg through the real engine.
import { ErrorCode } from 'miniprogram-conference-protocol'
import type { ConferenceServer } from 'miniprogram-conference-server'
import { createEmedia } from 'miniprogram-conference-server/client'
import { countingAdapter } from '../../testkit/counting-adapter'
import { pullFrames, pushTestPattern, stopAllMedia } from '../../testkit/ffmpeg'
import { RawClient } from '../../testkit/raw-client'
import { clientPool, errorOf } from '../../testkit/sdk-client'
import { startServer, tokenFor } from '../../testkit/server'
import { sleep, until } from '../../testkit/wait'

let server: ConferenceServer
const { client, closeAll } = clientPool(() => server)

/** One embedded engine per process: options a test needs are set on the running server's config
 * (the service reads it on every request) and put back after the test. */
const defaults = { kickBanSec: 0, mediaTokenTtlSec: 0, maxConferenceMembers: 0 }
function configure(o: Partial<typeof defaults>) {
  Object.assign(server.config, o)
}

beforeAll(async () => {
  server = await startServer()
  defaults.kickBanSec = server.config.kickBanSec
  defaults.mediaTokenTtlSec = server.config.mediaTokenTtlSec
  defaults.maxConferenceMembers = server.config.maxConferenceMembers
})
afterEach(async () => {
  await closeAll()
  await stopAllMedia()
  configure(defaults)
})
afterAll(() => server.stop())

test('the creator keeps admin rights without joining: grantRole, kickMembersById, destroyConference', async () => {
  const ann = await client('ann')
  const bob = await client('bob')
  const cy = await client('cy')
  const conf = await ann.emedia.mgr.createConference(10, 'pw')
  await bob.emedia.mgr.joinConference(conf.confrId, 'pw', {})
  await cy.emedia.mgr.joinConference(conf.confrId, 'pw', {})
  // ann never joined: no membership, yet the creator's rights.
  expect(await ann.emedia.mgr.grantRole(conf.confrId, ['bob'], 1)).toEqual({
    granted: [bob.emedia.mgr.getSelf()!.id],
  })
  await until(() => bob.events('roleChanged').length === 1)
  expect(bob.events('roleChanged')[0][0]).toBe(1)
  await ann.emedia.mgr.kickMembersById(conf.confrId, ['cy'])
  await until(() => cy.exits.length === 1)
  expect(cy.exits[0]).toEqual([2, -504])
  // The emedia document's destroyConference(...).then(function () {}): resolves with nothing.
  await expect(ann.emedia.mgr.destroyConference(conf.confrId)).resolves.toBeUndefined()
  await until(() => bob.exits.length === 1)
  expect(bob.exits[0]).toEqual([11, -302])
  // Someone else, not a member, still has no rights: -504 (not a member).
  const other = await ann.emedia.mgr.createConference(10, '')
  expect((await errorOf(bob.emedia.mgr.destroyConference(other.confrId))).code).toBe(-504)
  await ann.emedia.mgr.destroyConference(other.confrId)
})

test('the document types confrType and role as strings: "10" and "3" work, anything else is -400', async () => {
  const ann = await client('ann')
  const bob = await client('bob')
  const conf = await ann.emedia.mgr.createConference('12', '')
  expect(conf.type).toBe(12)
  await ann.emedia.mgr.joinConferenceWithTicket(conf.confrId, conf.ticket, {})
  await bob.emedia.mgr.joinConference(conf.confrId, '', {}, { role: '1' })
  expect(bob.emedia.mgr.getSelf()!.role).toBe(1)
  expect(await ann.emedia.mgr.grantRole(conf.confrId, ['bob'], '3')).toEqual({
    granted: [bob.emedia.mgr.getSelf()!.id],
  })
  await until(() => bob.emedia.mgr.getSelf()!.role === 3)

  const bad = await errorOf(ann.emedia.mgr.createConference('ten' as never, ''))
  expect(bad).toEqual({
    code: -400,
    message: 'confrType must be one of 10, 11, 12 (a number or a numeric string)',
  })
  expect((await errorOf(ann.emedia.mgr.grantRole(conf.confrId, ['bob'], '4' as never))).code).toBe(
    -400,
  )
  // The server holds the same rule for any client, not only this SDK.
  const raw = await RawClient.connect(server.wsUrl)
  try {
    const token = tokenFor(server, 'raw')
    const ok = await raw.call('createConference', { type: '11' }, token)
    expect(ok.result.type).toBe(11)
    const refused = await raw.call('createConference', { type: '13' })
    expect(refused.error).toEqual({
      code: -400,
      message: 'params.type: type must be one of 10, 11, 12 (a number or a numeric string)',
    })
    const role = await raw.call('join', { roomName: 'raw-room', role: 'admin' })
    expect(role.error?.code).toBe(-400)
    expect(role.error?.message).toContain('role must be one of 7, 3, 1, 9')
  } finally {
    raw.close()
  }
})

/** An SDK client whose socket counts what it sends and the replies it gets. */
function countingClient(userId: string) {
  const { adapter, wire } = countingAdapter()
  const emedia = createEmedia({ adapter })
  emedia.config({ host: server.wsUrl, token: tokenFor(server, userId), logLevel: 'silent' })
  return { emedia, wire }
}

test('join → push URL in one round trip: the join grants the first stream, pubStream answers locally, the server still decides', async () => {
  const { emedia, wire } = countingClient('ann')
  const watcher = await client('bob')
  try {
    const conf = await emedia.mgr.joinRoom({ roomName: 'one-trip', password: '', role: 3 })
    const pub = await emedia.mgr.pubStream('cam')
    // One exchange waited on: join. The claim (publish with the slot's id) went out, unanswered.
    expect(wire.replies).toBe(1)
    expect(wire.sent).toEqual(['join', 'publish'])
    expect(pub.data.rtmp).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/live\/ST_/)
    expect(pub.data.stream).toMatchObject({ rtcId: 'cam', voff: 0, aoff: 0 })
    await until(() => wire.replies === 2) // the server accepted the claim
    // Media through the granted URL reaches the others as the stream of rtcId 'cam'.
    await watcher.emedia.mgr.joinRoom({ roomName: 'one-trip', password: '', role: 1 })
    const pusher = pushTestPattern(pub.data.rtmp)
    await until(() => watcher.events('streamAdded').length === 1, 10000)
    const [added] = watcher.events('streamAdded')[0] as [{ id: string; rtcId: string }]
    expect(added).toMatchObject({ id: pub.data.streamId, rtcId: 'cam' })
    const url = (await watcher.emedia.mgr.subStream(added.id)).data.rtmp
    expect((await pullFrames(url, { frames: 2 })).frames).toBeGreaterThanOrEqual(2)
    await pusher.stop()
    // A second stream is a normal request.
    await emedia.mgr.pubStream('screen')
    expect(wire.sent.slice(-1)).toEqual(['publish'])
    expect(conf.confrId).toMatch(/^CF_/)
  } finally {
    await emedia.mgr.disconnect()
  }
})

test('the granted slot is no authority: unclaimed it cannot be pushed to; an audience gets none; limits hold at the claim', async () => {
  const raw = await RawClient.connect(server.wsUrl)
  const ann = await client('ann')
  const bob = await client('bob')
  try {
    const joined = await raw.call(
      'join',
      { roomName: 'slots', role: 3, config: { maxVideoCount: 1 } },
      tokenFor(server, 'raw'),
    )
    const grant = joined.result.grant
    expect(grant.stream).toMatchObject({ memId: joined.result.self.id })
    // Pushing to the slot before claiming it: the engine refuses (ffmpeg ends quickly).
    const early = pushTestPattern(grant.rtmp)
    expect(await early.exited).not.toBe(0)
    // The audience gets no slot.
    await ann.emedia.mgr.joinRoom({ roomName: 'slots', password: '', role: 1 })
    expect(
      (
        await (
          await RawClient.connect(server.wsUrl)
        ).call('join', { roomName: 'slots', role: 1 }, tokenFor(server, 'aud'))
      ).result.grant,
    ).toBeUndefined()
    // Another talker claims first: the video limit (1) is reached.
    await bob.emedia.mgr.joinRoom({ roomName: 'slots', password: '', role: 3 })
    await bob.emedia.mgr.pubStream('cam')
    await until(() => bob.emedia.mgr.getPublished().length === 1)
    const claim = await raw.call('publish', {
      confrId: joined.result.conference.confrId,
      rtcId: 'cam',
      streamId: grant.stream.id,
    })
    expect(claim.error?.code).toBe(-524)
    // An SDK whose claim is refused hears it as mediaError (pubStream had resolved).
    const cy = await client('cy')
    await cy.emedia.mgr.joinRoom({ roomName: 'slots', password: '', role: 3 })
    const local = await cy.emedia.mgr.pubStream('cam')
    expect(local.data.rtmp).toMatch(/^rtmp:/)
    await until(() => cy.events('mediaError').length === 1)
    expect(cy.events('mediaError')[0][0]).toMatchObject({ job: 'publish' })
    expect(cy.emedia.mgr.getPublished()).toEqual([])
  } finally {
    raw.close()
  }
})

test('a kick keeps the user out until the conference ends: password, ticket and room name all refused', async () => {
  const ann = await client('ann')
  const bob = await client('bob')
  const conf = await ann.emedia.mgr.joinRoom({ roomName: 'ban', password: 'pw', role: 7 })
  await bob.emedia.mgr.joinRoom({ roomName: 'ban', password: 'pw', role: 3 })
  await ann.emedia.mgr.kickMembersById(conf.confrId, ['bob'])
  await until(() => bob.exits.length === 1)
  const fresh = await bob.emedia.mgr.getConferenceTkt(conf.confrId, 'pw')
  for (const attempt of [
    () => bob.emedia.mgr.joinConference(conf.confrId, 'pw'),
    () => bob.emedia.mgr.joinConferenceWithTicket(conf.confrId, fresh),
    () => bob.emedia.mgr.joinRoom({ roomName: 'ban', password: 'pw' }),
  ]) {
    const e = await errorOf(attempt())
    expect(e.code).toBe(-101)
    expect(e.message).toContain('until the conference ends')
  }
  // Each refusal also reached onConferenceExit as a refusal (2).
  expect(bob.exits).toEqual([
    [2, -504],
    [2, -101],
    [2, -101],
    [2, -101],
  ])
})

test('kickBanSec: after the ban a password rejoin works, a ticket from before the kick stays void', async () => {
  configure({ kickBanSec: 1 })
  const ann = await client('ann')
  const bob = await client('bob')
  const conf = await ann.emedia.mgr.joinRoom({ roomName: 'short-ban', password: 'pw', role: 7 })
  const old = await bob.emedia.mgr.getConferenceTkt(conf.confrId, 'pw')
  await bob.emedia.mgr.joinConferenceWithTicket(conf.confrId, old)
  await ann.emedia.mgr.kickMembersById(conf.confrId, ['bob'])
  await until(() => bob.exits.length === 1)
  expect((await errorOf(bob.emedia.mgr.joinConference(conf.confrId, 'pw'))).code).toBe(-101)
  await sleep(1100)
  expect((await errorOf(bob.emedia.mgr.joinConferenceWithTicket(conf.confrId, old))).code).toBe(
    -500,
  )
  await bob.emedia.mgr.joinConference(conf.confrId, 'pw')
  expect(bob.emedia.mgr.getConference()!.confrId).toBe(conf.confrId)
})

test("grantRole stays under the target's token maxRole", async () => {
  const ann = await client('ann')
  const bob = await client('bob', { maxRole: 3 })
  const cy = await client('cy', { maxRole: 1 })
  const conf = await ann.emedia.mgr.joinRoom({ roomName: 'cap', password: '', role: 7 })
  await bob.emedia.mgr.joinRoom({ roomName: 'cap', password: '', role: 3 })
  await cy.emedia.mgr.joinRoom({ roomName: 'cap', password: '', role: 1 })
  // Refused by name, not silently: nobody could be given it, so the call fails (-529).
  expect(await errorOf(ann.emedia.mgr.grantRole(conf.confrId, ['bob'], 7))).toEqual({
    code: ErrorCode.ROLE_NOT_ALLOWED,
    message: "bob: the user's token allows at most TALKER, not ADMIN",
  })
  expect(await errorOf(ann.emedia.mgr.grantRole(conf.confrId, ['cy'], 3))).toEqual({
    code: ErrorCode.ROLE_NOT_ALLOWED,
    message: "cy: the user's token allows at most AUDIENCE, not TALKER",
  })
  const bobId = bob.emedia.mgr.getSelf()!.id
  const cyId = cy.emedia.mgr.getSelf()!.id
  // Down is always within the cap (cy already is an audience member: granted, unchanged).
  expect(await ann.emedia.mgr.grantRole(conf.confrId, ['bob', 'cy'], 1)).toEqual({
    granted: [bobId, cyId],
  })
  await until(() => bob.events('roleChanged').length === 1)
  expect(bob.emedia.mgr.getSelf()!.role).toBe(1)
  expect(cy.events('roleChanged')).toEqual([])
  const info = await ann.emedia.mgr.getConferenceInfo(conf.confrId)
  expect(info).toMatchObject({ talkerCount: 1, audienceCount: 2 })
})

test('subStream renews an expired play URL by itself (the server says how long a URL lasts)', async () => {
  configure({ mediaTokenTtlSec: 2 })
  const ann = await client('ann')
  const bob = await client('bob')
  await ann.emedia.mgr.joinRoom({ roomName: 'ttl', password: '', role: 7 })
  await bob.emedia.mgr.joinRoom({ roomName: 'ttl', password: '', role: 3 })
  const pub = await ann.emedia.mgr.pubStream('cam')
  const pusher = pushTestPattern(pub.data.rtmp)
  await until(() => bob.events('streamAdded').length === 1, 10000)
  const [stream] = bob.events('streamAdded')[0] as [{ id: string; rtmp: string; ttl: number }]
  expect(stream.ttl).toBe(2)
  // Fresh: answered from what streamAdded carried.
  expect((await bob.emedia.mgr.subStream(stream.id)).data.rtmp).toBe(stream.rtmp)
  await sleep(2100)
  // Expired: subStream asks for a new one unprompted (no {refresh: true}).
  const renewed = (await bob.emedia.mgr.subStream(stream.id)).data.rtmp
  expect(renewed).not.toBe(stream.rtmp)
  expect((await pullFrames(renewed, { frames: 2 })).frames).toBeGreaterThanOrEqual(2)
  // The engine refuses the expired one: what the SDK no longer hands out.
  expect((await pullFrames(stream.rtmp, { frames: 1, timeoutMs: 5000 })).frames).toBe(0)
  await pusher.stop()
})

test("the server's member cap (maxConferenceMembers) refuses a join with -522, whatever the room allows", async () => {
  configure({ maxConferenceMembers: 2 })
  const ann = await client('ann')
  const bob = await client('bob')
  const cy = await client('cy')
  const conf = await ann.emedia.mgr.joinRoom({ roomName: 'cap-members', password: '', role: 7 })
  await bob.emedia.mgr.joinConference(conf.confrId, '', {}, { role: 1 })
  const full = await errorOf(cy.emedia.mgr.joinConference(conf.confrId, '', {}, { role: 1 }))
  expect(full).toEqual({
    code: -522,
    message: 'this server allows at most 2 members in a conference',
  })
  expect(cy.exits).toEqual([[2, -522]])
})
