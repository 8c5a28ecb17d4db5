// The chat's moderation hook against a real HTTP endpoint (what an app's backend runs, in front of
// WeChat's msgSecCheck): every text goes there signed before anyone sees it; the backend allows,
// rewrites or refuses (-528); a backend that does not answer in time refuses it too (-503).
// Custom messages never go there.
import { readFileSync, writeFileSync } from 'fs'
import { createServer, type Server } from 'http'
import { type AddressInfo } from 'net'
import { tmpdir } from 'os'
import { join } from 'path'
import { ErrorCode } from 'miniprogram-conference-protocol'
import type { ConferenceServer } from 'miniprogram-conference-server'
import { signBody, SIGNATURE_HEADER } from '../../server/conference/text-check'
import { clientPool, errorOf } from '../../testkit/sdk-client'
import { until } from '../../testkit/wait'
import { startServer } from '../../testkit/server'
import { meetingClient } from './meeting-client'

const SECRET = 'moderation-test-secret-0123456789abcdef'
/** What the backend saw: the body and whether its signature was the server's. */
const seen: Array<{ body: Record<string, unknown>; signed: boolean }> = []
let backend: Server
let server: ConferenceServer
const pool = clientPool(() => server)

beforeAll(async () => {
  backend = createServer((req, res) => {
    let raw = ''
    req.on('data', (d: Buffer) => (raw += d.toString()))
    req.on('end', () => {
      const body = JSON.parse(raw) as { text: string }
      seen.push({ body, signed: req.headers[SIGNATURE_HEADER] === signBody(SECRET, raw) })
      // The decisions a msgSecCheck-backed endpoint makes: pass, mask, refuse — or hang.
      if (body.text.includes('slow')) return // never answers: the server's timeout decides
      const answer = body.text.includes('risky')
        ? { allow: false, reason: 'risky content' }
        : body.text.includes('darn')
          ? { allow: true, text: body.text.replace('darn', '****') }
          : { allow: true }
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(answer))
    })
  })
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r))
  const port = (backend.address() as AddressInfo).port
  server = await startServer({
    secret: SECRET,
    chatModerationUrl: `http://127.0.0.1:${port}/check`,
    chatModerationTimeoutMs: 500,
  })
})
afterEach(() => pool.closeAll())
afterAll(async () => {
  await server.stop()
  backend.closeAllConnections()
  await new Promise((r) => backend.close(r))
})

test('allowed, rewritten, refused and unanswered texts; custom messages are not sent to the check', async () => {
  const host = meetingClient(await pool.client('host'))
  const bob = meetingClient(await pool.client('bob'))
  await host.mgr.joinRoom({ roomName: 'checked' })
  await bob.mgr.joinRoom({ roomName: 'checked' })

  expect(await bob.mgr.sendMessage({ text: 'hello' })).toMatchObject({ text: 'hello' })
  expect(await bob.mgr.sendMessage({ text: 'oh darn' })).toMatchObject({ text: 'oh ****' })
  const refused = await errorOf(bob.mgr.sendMessage({ text: 'something risky' }))
  expect(refused).toEqual({
    code: ErrorCode.MESSAGE_REJECTED,
    message: 'message refused: risky content',
  })
  const unanswered = await errorOf(bob.mgr.sendMessage({ text: 'slow one' }))
  expect(unanswered.code).toBe(ErrorCode.UNAVAILABLE)
  await bob.mgr.sendMessage({ custom: { text: 'risky' } })

  await until(() => host.heard.message.length === 3, 5000, 'the host got what passed')
  expect(host.heard.message.map(([m]) => (m as { text?: string }).text)).toEqual([
    'hello',
    'oh ****',
    undefined,
  ])
  // Only texts went to the backend, each signed, naming the sender.
  expect(seen.map((s) => s.body.text)).toEqual(['hello', 'oh darn', 'something risky', 'slow one'])
  expect(seen.every((s) => s.signed)).toBe(true)
  expect(seen[0].body).toMatchObject({ userId: 'bob', appId: 'default', nickName: 'bob' })
  // The history keeps what was shown, not what was sent.
  const kept = await host.mgr.getMessages()
  expect(kept.messages.map((m) => m.text)).toEqual(['hello', 'oh ****'])
})

/** The backend docs/protocol.md gives (its block after the moderation-hook marker), as a file. */
function documentedBackend(): string {
  const doc = readFileSync(join(__dirname, '../../docs/protocol.md'), 'utf8')
  const block = /<!-- moderation-hook:[^>]*-->\s*```js\n([\s\S]*?)```/.exec(doc)
  if (!block) throw new Error('docs/protocol.md: no moderation-hook block')
  const file = join(tmpdir(), `chat-check-${process.pid}.js`)
  writeFileSync(file, block[1])
  return file
}

test("the documented backend: it checks the server's signature and decides with msgSecCheck", async () => {
  // WeChat's msg_sec_check as a local stand-in: it answers as the API does (errcode, result.suggest).
  const asked: Array<{ query: string; body: Record<string, unknown> }> = []
  const wechat = createServer((req, res) => {
    let raw = ''
    req.on('data', (d: Buffer) => (raw += d.toString()))
    req.on('end', () => {
      const body = JSON.parse(raw) as { content: string }
      asked.push({ query: req.url ?? '', body })
      const suggest = body.content.includes('spam') ? 'risky' : 'pass'
      res.end(JSON.stringify({ errcode: 0, errmsg: 'ok', result: { suggest, label: 100 } }))
    })
  })
  await new Promise<void>((r) => wechat.listen(0, '127.0.0.1', r))
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { chatCheck } = require(documentedBackend()) as {
    chatCheck: (o: Record<string, unknown>) => Server
  }
  const hook = chatCheck({
    secret: SECRET,
    accessToken: async () => 'AT',
    openidOf: async (userId: string) => `openid-of-${userId}`,
    wechat: `http://127.0.0.1:${(wechat.address() as AddressInfo).port}`,
  })
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r))
  const before = server.config.chatModerationUrl
  server.config.chatModerationUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`
  try {
    const ann = meetingClient(await pool.client('ann'))
    await ann.mgr.joinRoom({ roomName: 'documented' })
    expect(await ann.mgr.sendMessage({ text: 'fine words' })).toMatchObject({ text: 'fine words' })
    expect((await errorOf(ann.mgr.sendMessage({ text: 'buy spam now' }))).code).toBe(
      ErrorCode.MESSAGE_REJECTED,
    )
    expect(asked).toEqual([
      {
        query: '/wxa/msg_sec_check?access_token=AT',
        body: { version: 2, scene: 2, openid: 'openid-of-ann', content: 'fine words' },
      },
      {
        query: '/wxa/msg_sec_check?access_token=AT',
        body: { version: 2, scene: 2, openid: 'openid-of-ann', content: 'buy spam now' },
      },
    ])
    // A request not signed with the server's secret is turned away.
    const forged = await fetch(server.config.chatModerationUrl, {
      method: 'POST',
      headers: { 'x-ck-signature': 'sha256=00' },
      body: '{"userId":"x","text":"y"}',
    })
    expect(forged.status).toBe(401)
  } finally {
    server.config.chatModerationUrl = before
    for (const s of [hook, wechat]) {
      s.closeAllConnections()
      await new Promise((r) => s.close(r))
    }
  }
})
