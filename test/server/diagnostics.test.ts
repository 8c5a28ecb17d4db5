// What the doctor's probes may learn, and who may: GET /api/doctor and an upgrade of /ws?doctor or
// /ingest?doctor answer what the request looked like on arrival, for the admin secret only; a
// probe without it is refused (401), counted as a guess like any bearer (429 past the limit), and
// never reaches signalling. A real server on loopback, real HTTP and WebSocket.
import WebSocket from 'ws'
import { type RequestFacts } from '../../server/http/diagnostics'
import { useServer } from '../../testkit/server-suite'

const SECRET = 'root-secret-for-the-diagnostics-test-012345'
const ADMIN = 'admin-secret-for-the-diagnostics-test-01234'
const suite = useServer({
  secret: SECRET,
  adminSecret: ADMIN,
  trustProxy: '127.0.0.1',
  secretFailuresPerAddress: 3,
})

/** An upgrade: the one message, or the HTTP status that refused it. */
function upgrade(path: string, headers: Record<string, string>) {
  return new Promise<{ facts?: RequestFacts; status?: number; close?: number }>((resolve) => {
    const ws = new WebSocket(suite.server.wsUrl.replace('/ws', path), { headers })
    let facts: RequestFacts | undefined
    ws.on('message', (data) => (facts = JSON.parse(String(data)) as RequestFacts))
    ws.on('close', (close) => resolve({ facts, close }))
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode })
      ws.terminate()
    })
    ws.on('error', () => undefined)
  })
}

test('with the admin secret: the request as it arrived, over HTTP and on both upgrade paths', async () => {
  const headers = {
    authorization: `Bearer ${ADMIN}`,
    'x-forwarded-for': '203.0.113.7',
    'x-forwarded-proto': 'https',
  }
  const res = await fetch(`${suite.server.httpUrl}/api/doctor`, { headers })
  expect(res.status).toBe(200)
  const facts = (await res.json()) as RequestFacts & { media: { rtmpBase: string } }
  expect(facts).toMatchObject({
    peer: '127.0.0.1',
    host: new URL(suite.server.httpUrl).host,
    forwardedFor: '203.0.113.7',
    forwardedProto: 'https',
    client: '203.0.113.7',
    trusted: true,
    upgrade: false,
  })
  expect(facts.media.rtmpBase).toBe(suite.server.engine.rtmpBase())
  for (const path of ['/ws?doctor=1', '/ingest?doctor']) {
    const probe = await upgrade(path, headers)
    expect(probe.close).toBe(1000)
    expect(probe.facts).toMatchObject({ client: '203.0.113.7', trusted: true, upgrade: true })
  }
  // No signalling socket was opened by the probes.
  expect(suite.server.service.stats().members).toBe(0)
})

test('without it: 401, counted as a guess, then 429 for everyone at that address', async () => {
  const from = { 'x-forwarded-for': '198.51.100.9' }
  expect((await fetch(`${suite.server.httpUrl}/api/doctor`)).status).toBe(401)
  // A probe with no bearer makes no guess; the server secret is not the admin secret.
  expect((await upgrade('/ws?doctor', from)).status).toBe(401)
  const wrong = { ...from, authorization: `Bearer ${SECRET}` }
  expect((await upgrade('/ws?doctor', wrong)).status).toBe(401)
  expect((await upgrade('/ingest?doctor', wrong)).status).toBe(401)
  const res = await fetch(`${suite.server.httpUrl}/api/doctor`, { headers: wrong })
  expect(res.status).toBe(401)
  // The fourth guess from that address: locked out, the right secret included.
  expect((await upgrade('/ws?doctor', { ...from, authorization: `Bearer ${ADMIN}` })).status).toBe(
    429,
  )
  // A probe of another path is no probe: /api/state?doctor is an operator route as before.
  expect((await fetch(`${suite.server.httpUrl}/api/state?doctor`)).status).toBe(401)
})
