// Guessing the server's secrets and reaching a development server it should not serve: parallel
// sign-in guesses are counted on arrival, bearer routes are limited, a guess in non-ASCII is a
// 401, short or empty secrets refuse to start, secrets come from files, development mode stays on
// loopback unless asked, answers only the Host names it knows, and the console cookie is Secure
// behind TLS. Real servers on loopback, real HTTP.
import { mkdtempSync, rmSync, writeFileSync } from 'fs'
import { request } from 'http'
import os from 'os'
import path from 'path'
import { createConferenceServer, type ConferenceServer } from 'miniprogram-conference-server'
import { type ServerConfig } from '../../server/config'
import { startServer } from '../../testkit/server'
import { useServer } from '../../testkit/server-suite'
import { sleep } from '../../testkit/wait'

const SECRET = 'root-secret-for-the-secrets-test-0123456789'
const ADMIN = 'admin-secret-for-the-secrets-test-0123456789'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

interface CallOptions {
  method?: string
  headers?: Record<string, string>
  body?: string
  from?: string
  /** The headers go now, the body only once this resolves (how parallel guesses race a check). */
  holdBody?: Promise<void>
}

/** One request on its own connection, from a chosen loopback address. */
function call(url: string, opts: CallOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        headers: opts.headers,
        localAddress: opts.from ?? '127.0.0.1',
        agent: false,
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (text += d))
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }))
      },
    )
    req.on('error', reject)
    if (!opts.holdBody) return void req.end(opts.body)
    req.flushHeaders()
    void opts.holdBody.then(() => req.end(opts.body))
  })
}

function signIn(
  server: ConferenceServer,
  secret: unknown,
  from: string,
  extra = {},
  holdBody?: Promise<void>,
) {
  const body = JSON.stringify({ secret })
  return call(`${server.httpUrl}/console/session`, {
    method: 'POST',
    from,
    headers: {
      origin: server.httpUrl,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      ...extra,
    },
    body,
    holdBody,
  })
}

function count(replies: Reply[]) {
  const by: Record<number, number> = {}
  for (const r of replies) by[r.status] = (by[r.status] ?? 0) + 1
  return by
}

const quiet: Partial<ServerConfig> = {
  host: '127.0.0.1',
  port: 0,
  rtmpPort: 0,
  flvPort: 0,
  logLevel: 'silent',
}

/** Why the server refused to start, or null when it started (then it is stopped again). */
async function refusal(argv: string[], env: NodeJS.ProcessEnv = {}, overrides = {}) {
  try {
    const base: Record<string, unknown> = { ...quiet, ...overrides }
    // An override of undefined leaves the option to the flags.
    for (const k of Object.keys(base)) if (base[k] === undefined) delete base[k]
    const s = await createConferenceServer(base, argv, env)
    await s.stop()
    return null
  } catch (e) {
    return (e as Error).message
  }
}

describe('guessing the secrets of a production server', () => {
  const suite = useServer({ secret: SECRET, adminSecret: ADMIN })

  test('200 parallel sign-in guesses: at most 10 reach the compare, the rest are 429', async () => {
    // Every request is in (headers read, limit checked) before any body, so any wrong secret it
    // could count afterwards comes too late: only counting on arrival holds them back.
    let release = () => {}
    const bodies = new Promise<void>((r) => (release = r))
    const guesses = Array.from({ length: 200 }, (_, i) =>
      signIn(suite.server, `guess-${i}`, '127.0.0.2', {}, bodies),
    )
    await sleep(1000)
    release()
    const replies = await Promise.all(guesses)
    const by = count(replies)
    expect(by[401]).toBeLessThanOrEqual(10)
    expect(by[429]).toBeGreaterThanOrEqual(190)
    const limited = replies.find((r) => r.status === 429)!
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    // Locked out: even the right secret waits.
    expect((await signIn(suite.server, ADMIN, '127.0.0.2')).status).toBe(429)
    // Another address is not locked.
    expect((await signIn(suite.server, ADMIN, '127.0.0.3')).status).toBe(200)
  })

  test('bearer guesses on the operator API and on token minting are limited too', async () => {
    const api = Array.from({ length: 60 }, (_, i) =>
      call(`${suite.server.httpUrl}/api/conferences`, {
        from: '127.0.0.4',
        headers: { authorization: `Bearer guess-${i}` },
      }),
    )
    const apiBy = count(await Promise.all(api))
    expect(apiBy[401]).toBeLessThanOrEqual(10)
    expect(apiBy[429]).toBeGreaterThanOrEqual(50)

    const mint = Array.from({ length: 60 }, (_, i) =>
      call(`${suite.server.httpUrl}/api/tokens`, {
        method: 'POST',
        from: '127.0.0.5',
        headers: { authorization: `Bearer guess-${i}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId: 'alice' }),
      }),
    )
    const replies = await Promise.all(mint)
    const mintBy = count(replies)
    expect(mintBy[401]).toBeLessThanOrEqual(10)
    expect(mintBy[429]).toBeGreaterThanOrEqual(50)
    expect(replies.find((r) => r.status === 429)!.headers['retry-after']).toBeDefined()

    // The backend with the right secret is never limited by its own successes.
    const good = await Promise.all(
      Array.from({ length: 30 }, () =>
        call(`${suite.server.httpUrl}/api/tokens`, {
          method: 'POST',
          from: '127.0.0.6',
          headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
          body: JSON.stringify({ userId: 'alice' }),
        }),
      ),
    )
    expect(count(good)).toEqual({ 200: 30 })
  })

  test('a non-ASCII guess of the exact length is a 401, not a 500', async () => {
    const reply = await signIn(suite.server, 'é'.repeat(ADMIN.length), '127.0.0.7')
    expect(reply.status).toBe(401)
  })

  test('behind a TLS proxy on loopback the console cookie is Secure; over plain HTTP not', async () => {
    const tls = await signIn(suite.server, ADMIN, '127.0.0.8', { 'x-forwarded-proto': 'https' })
    expect(tls.status).toBe(200)
    expect(String(tls.headers['set-cookie'])).toMatch(/;\s*Secure/i)
    const plain = await signIn(suite.server, ADMIN, '127.0.0.8')
    expect(String(plain.headers['set-cookie'])).not.toMatch(/Secure/i)
  })

  test('the operator routes take the console session as well as the bearer secret', async () => {
    const signedIn = await signIn(suite.server, ADMIN, '127.0.0.9')
    const cookie = String(signedIn.headers['set-cookie']).split(';')[0]
    const listed = await call(`${suite.server.httpUrl}/api/conferences`, { headers: { cookie } })
    expect(listed.status).toBe(200)
    // Kick, role and destroy are operator routes; an unknown conference is a 404, not a 404 route.
    const destroy = await call(`${suite.server.httpUrl}/api/conferences/CF_none`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ADMIN}` },
    })
    expect(JSON.parse(destroy.text).error.message).toMatch(/no conference/)
  })
})

describe('secrets at start', () => {
  let dir: string
  beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'ck-secrets-'))))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test('a production secret or admin secret under 32 characters refuses to start', async () => {
    const short = 'x'.repeat(31)
    const why = await refusal([`--secret=${short}`])
    expect(why).toMatch(/--secret/)
    expect(why).toMatch(/32/)
    expect(why).not.toContain(short)
    const admin = await refusal([`--secret=${SECRET}`, `--admin-secret=${short}`])
    expect(admin).toMatch(/--admin-secret/)
    expect(await refusal([`--secret=${SECRET}`, `--admin-secret=${ADMIN}`])).toBeNull()
  })

  test('CK_SECRET set but empty is an error, not development mode', async () => {
    expect(await refusal([], { CK_SECRET: '' })).toMatch(/CK_SECRET/)
  })

  test('secrets from files: trailing newline trimmed, a file and a value both given is an error', async () => {
    const file = path.join(dir, 'secret')
    writeFileSync(file, SECRET + '\n')
    const adminFile = path.join(dir, 'admin')
    writeFileSync(adminFile, ADMIN + '\n')
    const s = await createConferenceServer(quiet, [`--secret-file=${file}`], {
      CK_ADMIN_SECRET_FILE: adminFile,
    })
    try {
      expect(s.config).toMatchObject({ secret: SECRET, adminSecret: ADMIN, dev: false })
    } finally {
      await s.stop()
    }
    expect(await refusal([`--secret-file=${file}`, `--secret=${SECRET}`])).toMatch(/both/)
    expect(await refusal([`--secret-file=${path.join(dir, 'missing')}`])).toMatch(/--secret-file/)
  })
})

describe('development mode', () => {
  test('on a non-loopback host only with an explicit --dev', async () => {
    expect(await refusal(['--host', '0.0.0.0'], {}, { host: undefined })).toMatch(/--dev/)
    expect(await refusal(['--host', '0.0.0.0', '--dev'], {}, { host: undefined })).toBeNull()
  })

  test('answers only the Host names it knows (DNS rebinding)', async () => {
    const server = await startServer()
    try {
      const port = new URL(server.httpUrl).port
      const evil = await call(`${server.httpUrl}/dev/token?userId=eve`, {
        headers: { host: `evil.example:${port}` },
      })
      expect([403, 421]).toContain(evil.status)
      expect(evil.text).toMatch(/host/i)
      const local = await call(`${server.httpUrl}/dev/token?userId=eve`, {
        headers: { host: `localhost:${port}` },
      })
      expect(local.status).toBe(200)
      expect((await call(`${server.httpUrl}/healthz`)).status).toBe(200)
    } finally {
      await server.stop()
    }
  })
})
