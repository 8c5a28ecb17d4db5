// Attacks on identity and rights that test/server/signalling.test.ts does not already cover:
// guessing a conference password, oversize member data, an audience member publishing.
// (A kicked member's ticket replay is covered there: "tickets: … void after a kick".)
import { tokenFor } from '../../testkit/server'
import { useServer } from '../../testkit/server-suite'
import { sleep } from '../../testkit/wait'

const suite = useServer({
  passwordFailures: 3,
  passwordFailuresPerAddress: 6,
  passwordLockoutSec: 1,
})
const raw = (address = '127.0.0.1') => suite.raw({ address })
const sdk = (user: string, maxRole?: 1 | 3 | 7 | 9) =>
  suite.client(user, { maxRole, config: { logLevel: 'silent' } })

/** A conference with a password, created by its owner over a raw socket: the owner's join. */
async function lockedJoin(room: string) {
  const owner = await raw()
  const r = await owner.call(
    'join',
    { roomName: room, password: 'right' },
    tokenFor(suite.server, 'own'),
  )
  return r.result
}
const lockedConference = async (room: string) =>
  (await lockedJoin(room)).conference.confrId as string

const codes = (frames: Array<{ error?: { code: number } }>) => frames.map((f) => f.error?.code ?? 0)

describe('password guessing is rate limited', () => {
  test('per user and conference: -508 three times, then -429 even for the right one, until the lockout ends', async () => {
    const confrId = await lockedConference('guess-1')
    const eve = await raw()
    const token = tokenFor(suite.server, 'eve')
    const tries = []
    for (const password of ['a', 'b', 'c', 'right'])
      tries.push(await eve.call('join', { confrId, password }, token))
    expect(codes(tries)).toEqual([-508, -508, -508, -429])
    expect(tries[3].error!.message).toMatch(/too many wrong passwords; try again in 1 s/)
    // Every door to the password counts: ticket and info requests are locked too.
    expect((await eve.call('getConferenceTkt', { confrId, password: 'right' })).error?.code).toBe(
      -429,
    )
    // Another conference is another lock.
    const other = await lockedConference('guess-2')
    expect((await eve.call('join', { confrId: other, password: 'x' })).error?.code).toBe(-508)
    await sleep(1100)
    const ok = await eve.call('join', { confrId, password: 'right' })
    expect(ok.result.self.name).toBe('eve')
  })

  test('per address: many users from one address share one budget; another address is not affected', async () => {
    const confrId = await lockedConference('guess-3')
    const here = await raw('127.0.0.3')
    const tries = []
    // Six users, one wrong guess each: the address budget (6) runs out, no user's (3) does.
    for (let i = 0; i < 7; i++) {
      const c = i === 0 ? here : await raw('127.0.0.3')
      tries.push(
        await c.call(
          'getConferenceTkt',
          { confrId, password: `g${i}` },
          tokenFor(suite.server, `bot${i}`),
        ),
      )
    }
    expect(codes(tries)).toEqual([-508, -508, -508, -508, -508, -508, -429])
    const elsewhere = await raw('127.0.0.4')
    const t = await elsewhere.call(
      'getConferenceTkt',
      { confrId, password: 'right' },
      tokenFor(suite.server, 'bot9'),
    )
    expect(t.result.ticket).toEqual(expect.any(String))
    // The address's lockout refuses those who failed from it, by every door; a user of that
    // address who has not failed and knows the password is let in (a carrier NAT is many people).
    const byName = await (
      await raw('127.0.0.3')
    ).call('join', { roomName: 'guess-3', password: 'right' }, tokenFor(suite.server, 'bot1'))
    expect(byName.error?.code).toBe(-429)
    const innocent = await (
      await raw('127.0.0.3')
    ).call('join', { roomName: 'guess-3', password: 'right' }, tokenFor(suite.server, 'bot8'))
    expect(innocent.result.self.name).toBe('bot8')
  })
})

test('secrets in multi-byte characters of the same length are refused, not an internal error', async () => {
  const joined = await lockedJoin('guess-4')
  const confrId = joined.conference.confrId
  const c = await raw('127.0.0.5')
  // 'right' is 5 characters, 5 bytes; 'ééééé' is 5 characters, 10 bytes.
  const guess = await c.call(
    'getConferenceTkt',
    { confrId, password: 'ééééé' },
    tokenFor(suite.server, 'mb'),
  )
  expect(guess.error?.code).toBe(-508)
  const resumeToken = 'é'.repeat(joined.resumeToken.length)
  const other = await raw('127.0.0.5')
  const resume = await other.call(
    'resume',
    { confrId, memberId: joined.self.id, resumeToken },
    tokenFor(suite.server, 'own'),
  )
  expect(resume.error?.code).toBe(-504)
})

describe('oversize member data', () => {
  test('huge ext and nickname from the SDK are refused with errors that name the field', async () => {
    const ann = await sdk('ann')
    const before = suite.server.service.stats().conferences
    const ext = { bio: 'x'.repeat(5000) }
    await expect(
      ann.emedia.mgr.joinRoom({ roomName: 'big-1', config: { ext } }),
    ).rejects.toMatchObject({
      code: -400,
      message: expect.stringContaining('ext must be at most 4096 bytes of JSON'),
    })
    const nickName = 'n'.repeat(65)
    await expect(
      ann.emedia.mgr.joinRoom({ roomName: 'big-1', config: { nickName } }),
    ).rejects.toMatchObject({ code: -400, message: expect.stringContaining('params.nickName') })
    // Nothing was created by the refused joins, and a sane one still works.
    expect(suite.server.service.stats().conferences).toBe(before)
    await ann.emedia.mgr.joinRoom({ roomName: 'big-1', config: { nickName: 'Ann', ext: { a: 1 } } })
    expect(ann.emedia.mgr.getSelf()).toMatchObject({ nickName: 'Ann', ext: { a: 1 } })
  })

  test('an ext nested too deep to serialise is a -400, not an internal error', async () => {
    const c = await raw()
    const depth = 20000 // fits in one frame, too deep for JSON.stringify's stack
    const frame = `{"id":1,"method":"join","token":"${tokenFor(suite.server, 'deep')}","params":{"roomName":"deep","ext":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}}`
    c.sendRaw(frame)
    const reply = await c.waitFor((f) => f.id === 1)
    expect(reply.error).toEqual({
      code: -400,
      message: 'params.ext: ext must be at most 4096 bytes of JSON',
    })
  })

  test('a frame over maxFrameBytes from the SDK fails the call instead of hanging it', async () => {
    const ann = await sdk('ann2')
    const ext = { blob: 'x'.repeat(suite.server.config.maxFrameBytes) }
    await expect(ann.emedia.mgr.joinRoom({ roomName: 'big-2', config: { ext } })).rejects.toEqual({
      code: -413,
      message: 'request too large for the server (frame limit)',
    })
  })
})

describe('rights', () => {
  test('an AUDIENCE member calling pubStream gets -101, whether it asked for the role or its token caps it', async () => {
    const host = await sdk('host')
    await host.emedia.mgr.joinRoom({ roomName: 'live-1', type: 12 })
    const viewer = await sdk('viewer')
    await viewer.emedia.mgr.joinRoom({ roomName: 'live-1', role: 1 })
    await expect(viewer.emedia.mgr.pubStream('cam')).rejects.toMatchObject({ code: -101 })
    const capped = await sdk('capped', 1)
    await capped.emedia.mgr.joinRoom({ roomName: 'live-1', role: 3 })
    expect(capped.emedia.mgr.getSelf()?.role).toBe(1)
    await expect(capped.emedia.mgr.pubStream('cam')).rejects.toMatchObject({ code: -101 })
    const confrId = host.emedia.mgr.getConference()!.confrId
    // Nothing but the host's unclaimed first-stream slot (granted at join, protocol 1.1).
    const streams = [...suite.server.service.conferences.get(confrId)!.streams.values()]
    expect(streams.filter((s) => !s.reserved)).toEqual([])
  })
})
