// The HTTP API over real sockets: health, development tokens, token minting for app backends,
// the operator listing, and the command-line configuration.
import { ConferenceServer } from '../../server/app'
import { loadConfig } from '../../server/config'
import { mintUserToken } from '../../server'
import { RawClient } from '../helpers/raw-client'
import { startServer } from '../helpers/server'

async function get(server: ConferenceServer, path: string, auth?: string) {
  const res = await fetch(server.httpUrl + path, {
    headers: auth ? { authorization: `Bearer ${auth}` } : {},
  })
  return { status: res.status, body: (await res.json()) as any }
}

describe('development mode (no secret)', () => {
  let server: ConferenceServer
  beforeAll(async () => (server = await startServer()))
  afterAll(() => server.stop())

  test('healthz', async () => {
    const { status, body } = await get(server, '/healthz')
    expect(status).toBe(200)
    expect(body).toMatchObject({ ok: true, dev: true, engine: 'embedded', conferences: 0 })
  })

  test('dev tokens work for signalling; bad user ids are refused', async () => {
    const { body } = await get(server, '/dev/token?userId=alice')
    expect(body).toMatchObject({ userId: 'alice', appId: 'default' })
    const c = await RawClient.connect(server.wsUrl)
    expect((await c.call('auth', { token: body.token })).result.userId).toBe('alice')
    c.close()
    const bad = await get(server, '/dev/token?userId=' + encodeURIComponent('a b/c'))
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toContain('query.userId')
  })

  test('operator listing needs the admin secret', async () => {
    expect((await get(server, '/api/conferences')).status).toBe(401)
    expect((await get(server, '/api/conferences', 'wrong')).status).toBe(401)
    const c = await RawClient.connect(server.wsUrl)
    const { body: t } = await get(server, '/dev/token?userId=op')
    const j = await c.call('join', { roomName: 'listed' }, t.token)
    const list = await get(server, '/api/conferences', server.config.adminSecret)
    expect(list.body.conferences).toEqual([
      expect.objectContaining({ confrId: j.result.conference.confrId, name: 'listed', members: 1 }),
    ])
    const one = await get(
      server,
      `/api/conferences/${j.result.conference.confrId}`,
      server.config.adminSecret,
    )
    expect(one.body.memberList[0]).toMatchObject({ name: 'op', connected: true })
    expect((await get(server, '/api/conferences/CF_nope', server.config.adminSecret)).status).toBe(
      404,
    )
    c.close()
  })

  test('unknown routes and wrong methods', async () => {
    expect((await get(server, '/nope')).status).toBe(404)
    const res = await fetch(server.httpUrl + '/healthz', { method: 'POST' })
    expect(res.status).toBe(405)
  })
})

describe('production mode (secret configured)', () => {
  let server: ConferenceServer
  const secret = 's3cret-for-tests'
  beforeAll(async () => (server = await startServer({ secret, adminSecret: 'ops' })))
  afterAll(() => server.stop())

  test('no dev endpoint; backends mint over HTTP or with mintUserToken', async () => {
    expect((await get(server, '/dev/token?userId=alice')).status).toBe(404)
    const denied = await fetch(server.httpUrl + '/api/tokens', { method: 'POST', body: '{}' })
    expect(denied.status).toBe(401)
    const res = await fetch(server.httpUrl + '/api/tokens', {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}` },
      body: JSON.stringify({ userId: 'bob', maxRole: 7 }),
    })
    const minted = (await res.json()) as any
    expect(res.status).toBe(200)
    const invalid = await fetch(server.httpUrl + '/api/tokens', {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}` },
      body: JSON.stringify({ userId: 'bob', maxRole: 5 }),
    })
    expect(invalid.status).toBe(400)
    const local = mintUserToken({ secret, appId: 'default', userId: 'carol' })
    for (const [token, user] of [
      [minted.token, 'bob'],
      [local, 'carol'],
    ]) {
      const c = await RawClient.connect(server.wsUrl)
      expect((await c.call('auth', { token })).result.userId).toBe(user)
      c.close()
    }
  })
})

describe('configuration', () => {
  test('flags beat environment beat defaults; bad values are explained', () => {
    const c = loadConfig({}, ['--port', '9000', '--grace-ms', '5000'], {
      CK_PORT: '7000',
      CK_HOST: '0.0.0.0',
    })
    expect(c).toMatchObject({
      port: 9000,
      graceMs: 5000,
      host: '0.0.0.0',
      publicHost: '127.0.0.1',
      dev: true,
    })
    expect(loadConfig({}, [], { CK_SECRET: 'x' }).dev).toBe(false)
    expect(() => loadConfig({}, ['--port', 'abc'])).toThrow(
      '--port: expected a whole number, got "abc"',
    )
    expect(() => loadConfig({}, [], { CK_LOG_LEVEL: 'loud' })).toThrow(
      /CK_LOG_LEVEL: expected one of/,
    )
    expect(() => loadConfig({}, ['--prot', '1'])).toThrow(/Unknown option/)
  })
})
