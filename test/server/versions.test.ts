// The version policy (docs/protocol.md, Versions) against the real server over real sockets: old
// clients by the revision they declare, versions it does not speak, and a server held back with
// --protocol-revision as the upgraded nodes of a cluster are during a rolling upgrade.
import { ConfrType, ErrorCode, PROTOCOL_REVISION, Role } from 'miniprogram-conference-protocol'
import type { ConferenceServer } from 'miniprogram-conference-server'
import { RawClient } from '../../testkit/raw-client'
import { errorOf, nodeClient } from '../../testkit/sdk-client'
import { startServer, tokenFor } from '../../testkit/server'

const raw: RawClient[] = []
async function rawClient(server: ConferenceServer, query: string) {
  const c = await RawClient.connect(`${server.wsUrl}?${query}`)
  raw.push(c)
  return c
}
afterEach(() => raw.splice(0).forEach((c) => c.close()))

describe('a server of this release', () => {
  let server: ConferenceServer
  beforeAll(async () => {
    server = await startServer()
  })
  afterAll(() => server.stop())

  test.each(['v=2', 'v=0', 'v=one'])(
    '%s is closed with 4000 naming the versions it speaks',
    async (q) => {
      const c = await rawClient(server, q)
      const closed = await c.waitClose()
      expect(closed).toEqual({ code: 4000, reason: 'protocol version 1 only' })
    },
  )

  test('the join reply says the revision the server offers', async () => {
    const c = await rawClient(server, 'v=1&rev=1')
    const token = tokenFor(server, 'rev-reader')
    const res = await c.call(
      'join',
      { roomName: 'versions-rev', type: ConfrType.COMMUNICATION },
      token,
    )
    expect(res.result.rev).toBe(PROTOCOL_REVISION)
  })

  test('a client of revision 1 gets no event newer than it; revision 2 gets memberCount', async () => {
    const room = { roomName: 'versions-live', type: ConfrType.LIVE }
    const admin = await rawClient(server, 'v=1&rev=4')
    await admin.call('join', room, tokenFor(server, 'host', Role.ADMIN))
    const old = await rawClient(server, 'v=1&rev=1')
    await old.call('join', { ...room, role: Role.AUDIENCE }, tokenFor(server, 'old'))
    const newer = await rawClient(server, 'v=1&rev=2')
    await newer.call('join', { ...room, role: Role.AUDIENCE }, tokenFor(server, 'newer'))
    const late = await rawClient(server, 'v=1&rev=4')
    const joined = await late.call(
      'join',
      { ...room, role: Role.AUDIENCE },
      tokenFor(server, 'late'),
    )
    const confrId = joined.result.conference.confrId
    // The count of 4 reaches revision 2 (LIVE: the audience hears counts, not arrivals)…
    await newer.event('memberCount', (d) => d.members === 4)
    // …and after a change both hear of (attributes: the whole set, before revision 3), revision 1
    // has still had no memberCount: the server did not send it what it would have dropped.
    await admin.call('setAttrs', { confrId, key: 'k', val: 'v' })
    await old.event('attrsUpdated', (d) => d.attrs.k === 'v')
    await newer.event('attrsUpdated', (d) => d.attrs.k === 'v')
    expect(old.frames.filter((f) => f.event === 'memberCount')).toEqual([])
    expect(old.frames.filter((f) => f.event === 'attrsChanged')).toEqual([])
  })
})

describe('a server held back to revision 1 (--protocol-revision 1)', () => {
  let server: ConferenceServer
  beforeAll(async () => {
    server = await startServer({ protocolRevision: 1 })
  })
  afterAll(() => server.stop())

  test('it refuses a newer method with -404 naming the revision, and says 1 when joined', async () => {
    const c = await rawClient(server, 'v=1&rev=4')
    const token = tokenFor(server, 'held')
    const joined = await c.call('join', { roomName: 'held-raw', type: 10 }, token)
    expect(joined.result.rev).toBe(1)
    const confrId = joined.result.conference.confrId
    const refused = await c.call('getMembers', { confrId })
    expect(refused.error).toEqual({
      code: ErrorCode.UNKNOWN_METHOD,
      message: '"getMembers" needs protocol revision 2; this server offers 1',
    })
  })

  test('the SDK does not send a method newer than the server offers', async () => {
    const c = await nodeClient(server, 'sdk-held')
    try {
      await c.emedia.mgr.joinRoom({ roomName: 'held-sdk' })
      const e = await errorOf(c.emedia.mgr.fetchMembers({ cursor: null }))
      // The SDK's own words, not the server's: the request never left.
      expect(e).toMatchObject({
        code: ErrorCode.UNKNOWN_METHOD,
        message: 'getMembers needs protocol revision 2; the server offers 1',
      })
      // Running a meeting (revision 6) likewise.
      expect(await errorOf(c.emedia.mgr.raiseHand())).toMatchObject({
        code: ErrorCode.UNKNOWN_METHOD,
        message: 'raiseHand needs protocol revision 6; the server offers 1',
      })
    } finally {
      await c.close()
    }
  })

  test('a revision outside 1 to this release is refused at start', () => {
    const over = PROTOCOL_REVISION + 1
    return expect(startServer({ protocolRevision: over })).rejects.toThrow(
      `--protocol-revision: from 1 to ${PROTOCOL_REVISION}, not ${over}`,
    )
  })
})
