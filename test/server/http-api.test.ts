// The HTTP API over real sockets: health, development tokens, token minting for app backends,
// the operator listing, and the command-line configuration.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'fs'
import { createServer, request, type Server } from 'http'
import { type AddressInfo } from 'net'
import os from 'os'
import path from 'path'
import pino from 'pino'
import type { ConferenceServer } from 'miniprogram-conference-server'
import { createApi } from '../../server/http/api'
import { frontDoor } from '../../server/http/front-door'
import { loadConfig } from '../../server/config'
import { LocalRouter } from '../../server/routing/router'
import { mintUserToken } from '../../server'
import { startServer } from '../../testkit/server'
import { useServer } from '../../testkit/server-suite'

async function get(server: ConferenceServer, path: string, auth?: string) {
  const res = await fetch(server.httpUrl + path, {
    headers: auth ? { authorization: `Bearer ${auth}` } : {},
  })
  return { status: res.status, body: (await res.json()) as any }
}

describe('development mode (no secret)', () => {
  const suite = useServer()

  test('healthz', async () => {
    const { status, body } = await get(suite.server, '/healthz')
    expect(status).toBe(200)
    expect(body).toMatchObject({ ok: true, dev: true, engine: 'embedded', conferences: 0 })
  })

  test('dev tokens work for signalling; bad user ids are refused', async () => {
    const { body } = await get(suite.server, '/dev/token?userId=alice')
    expect(body).toMatchObject({ userId: 'alice', appId: 'default' })
    const c = await suite.raw()
    expect((await c.call('auth', { token: body.token })).result.userId).toBe('alice')
    const bad = await get(suite.server, '/dev/token?userId=' + encodeURIComponent('a b/c'))
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toContain('query.userId')
  })

  test('operator listing needs the admin secret', async () => {
    expect((await get(suite.server, '/api/conferences')).status).toBe(401)
    expect((await get(suite.server, '/api/conferences', 'wrong')).status).toBe(401)
    const c = await suite.raw()
    const { body: t } = await get(suite.server, '/dev/token?userId=op')
    const j = await c.call('join', { roomName: 'listed' }, t.token)
    const list = await get(suite.server, '/api/conferences', suite.server.config.adminSecret)
    expect(list.body.conferences).toEqual([
      expect.objectContaining({ confrId: j.result.conference.confrId, name: 'listed', members: 1 }),
    ])
    const one = await get(
      suite.server,
      `/api/conferences/${j.result.conference.confrId}`,
      suite.server.config.adminSecret,
    )
    expect(one.body.memberList[0]).toMatchObject({ name: 'op', connected: true })
    expect(
      (await get(suite.server, '/api/conferences/CF_nope', suite.server.config.adminSecret)).status,
    ).toBe(404)
  })

  test('unknown routes and wrong methods', async () => {
    expect((await get(suite.server, '/nope')).status).toBe(404)
    const res = await fetch(suite.server.httpUrl + '/healthz', { method: 'POST' })
    expect(res.status).toBe(405)
  })
})

describe('production mode (secret configured)', () => {
  const secret = 's3cret-for-tests-0123456789abcdefghij'
  const adminSecret = 'ops-secret-for-tests-0123456789abcdef'
  const suite = useServer({ secret, adminSecret })

  test('no dev endpoint; backends mint over HTTP or with mintUserToken', async () => {
    expect((await get(suite.server, '/dev/token?userId=alice')).status).toBe(404)
    const denied = await fetch(suite.server.httpUrl + '/api/tokens', { method: 'POST', body: '{}' })
    expect(denied.status).toBe(401)
    const res = await fetch(suite.server.httpUrl + '/api/tokens', {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}` },
      body: JSON.stringify({ userId: 'bob', maxRole: 7 }),
    })
    const minted = (await res.json()) as any
    expect(res.status).toBe(200)
    const invalid = await fetch(suite.server.httpUrl + '/api/tokens', {
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
      const c = await suite.raw()
      expect((await c.call('auth', { token })).result.userId).toBe(user)
    }
  })
})

describe('secrets and server errors', () => {
  let server: ConferenceServer
  let dir: string
  const logged: Array<Record<string, unknown>> = []
  let api: ReturnType<typeof createApi>
  let http: Server
  let url = ''
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ck-http-'))
    server = await startServer({ adminSecret: 'ops-secret', recordingsDir: dir })
    // The real API over a real socket, with a logger whose lines the test reads.
    const log = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line)) })
    api = createApi({
      config: server.config,
      tokens: server.tokens,
      service: server.service,
      engineName: 'embedded',
      recordingsDir: dir,
      ingest: server.ingest,
      mediaJobs: () => 0,
      router: new LocalRouter(server.service),
    })
    http = frontDoor(createServer(), { log, request: api })
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise((r) => http.close(r))
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  /** A GET with a raw Authorization header: fetch refuses non-ASCII header values, http does not. */
  function rawGet(target: string, authorization: string): Promise<number> {
    return new Promise((resolve, reject) => {
      request(target, { headers: { authorization } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
        .on('error', reject)
        .end()
    })
  }

  test('a bearer with non-ASCII bytes of the same length as the secret is 401, not a crash', async () => {
    const secret = server.config.adminSecret
    const sameUtf16Length = '\u00e9'.repeat(secret.length)
    expect(await rawGet(`${url}/api/conferences`, `Bearer ${sameUtf16Length}`)).toBe(401)
    expect(await rawGet(`${url}/api/conferences`, `Bearer ${secret}`)).toBe(200)
  })

  test('every 5xx is logged with the request id its reply carries', async () => {
    // A recording whose file vanished between listing and stat: an unexpected I/O error.
    mkdirSync(path.join(dir, 'CF_broken'))
    symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'CF_broken', 'gone.mp4'))
    const res = await fetch(`${url}/api/conferences/CF_broken/recordings`, {
      headers: { authorization: 'Bearer ops-secret' },
    })
    expect(res.status).toBe(500)
    const body = (await res.json()) as { error: { code: number; requestId: string } }
    expect(body.error).toMatchObject({ code: -1, message: 'internal error' })
    expect(body.error.requestId).toMatch(/^[0-9a-f]{12}$/)
    expect(logged).toEqual([
      expect.objectContaining({
        msg: 'http 5xx',
        requestId: body.error.requestId,
        path: '/api/conferences/CF_broken/recordings',
      }),
    ])
  })
})

describe('configuration', () => {
  test('flags beat environment beat defaults; bad values are explained', () => {
    const c = loadConfig({}, ['--port', '9000', '--grace-ms', '5000'], {
      CK_PORT: '7000',
      CK_HOST: '0.0.0.0',
      // Development mode on a network address only when asked for.
      CK_DEV: 'true',
    })
    expect(c).toMatchObject({
      port: 9000,
      graceMs: 5000,
      host: '0.0.0.0',
      publicHost: '127.0.0.1',
      dev: true,
    })
    expect(loadConfig({}, [], { CK_SECRET: 'x'.repeat(32) }).dev).toBe(false)
    expect(() => loadConfig({}, ['--port', 'abc'])).toThrow(
      '--port: expected a whole number, got "abc"',
    )
    expect(() => loadConfig({}, [], { CK_LOG_LEVEL: 'loud' })).toThrow(
      /CK_LOG_LEVEL: expected one of/,
    )
    expect(() => loadConfig({}, ['--prot', '1'])).toThrow(
      'unknown option --prot (did you mean --port?)',
    )
  })
})
