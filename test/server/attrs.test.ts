// Conference attributes cost the server what a change costs, not what the set weighs: members of
// revision 3 get the change (attrsChanged), merged per window and rate-limited per conference;
// older clients still get the whole set (attrsUpdated). Bytes are counted, not timed.
import { type RawClient } from '../../testkit/raw-client'
import { tokenFor } from '../../testkit/server'
import { useServer } from '../../testkit/server-suite'
import { sleep, until } from '../../testkit/wait'

const suite = useServer({ maxSocketsPerAddress: 0, msgRatePerAddress: 0 })
const { client } = suite

async function member(user: string, roomName: string, rev = 3, role = 3) {
  const c = await suite.raw({ query: `v=1${rev ? `&rev=${rev}` : ''}` })
  const r = await c.call('join', { roomName, role }, tokenFor(suite.server, user))
  return { c, confrId: r.result.conference.confrId as string }
}

const bytes = (texts: string[]) => texts.reduce((n, t) => n + Buffer.byteLength(t), 0)

test('at 30 members, egress per setAttrs stays within 32 times its ingress, whatever the set weighs', async () => {
  const { c: setter, confrId } = await member('setter', 'ratio')
  // 12 KB of attributes already there: the old event re-sent all of it on every change.
  for (const key of ['a', 'b', 'c', 'd'])
    await setter.call('setAttrs', { confrId, key, val: 'v'.repeat(3000) })
  const others: RawClient[] = []
  for (let i = 1; i < 30; i++) others.push((await member(`m${i}`, 'ratio', 3, 1)).c)
  const all = [setter, ...others]
  await sleep(suite.server.config.attrsIntervalMs * 2)
  for (const c of all) c.texts.splice(0)

  let ingress = 0
  for (let i = 0; i < 10; i++) {
    const frame = JSON.stringify({
      id: 100 + i,
      method: 'setAttrs',
      params: { confrId, key: 'cursor', val: `slide-${i}` },
    })
    ingress += Buffer.byteLength(frame)
    setter.sendRaw(frame)
    await setter.waitFor((f) => f.id === 100 + i)
    // One window apart: no merging, the worst case of a sender within the rate.
    await sleep(suite.server.config.attrsIntervalMs + 20)
  }
  await until(
    () => others.every((c) => c.frames.some((f) => f.data?.set?.cursor === 'slide-9')),
    5000,
    'the last change everywhere',
  )
  const egress = bytes(all.flatMap((c) => c.texts))
  const ratio = egress / ingress
  process.stdout.write(`setAttrs at 30 members: egress/ingress = ${ratio.toFixed(1)}\n`)
  expect(ratio).toBeLessThanOrEqual(32)
  // What the members hold is still the whole set.
  const last = others[0].frames.filter((f) => f.event === 'attrsChanged').pop()!
  expect(last.data).toEqual({ confrId, set: { cursor: 'slide-9' }, removed: [] })
})

test('changes within one window go out as one frame; a conference takes --attrs-rate a second', async () => {
  const { c: ann, confrId } = await member('ann', 'burst')
  const { c: bob } = await member('bob', 'burst')
  bob.texts.splice(0)
  bob.frames.splice(0)
  const replies = await Promise.all([
    ann.call('setAttrs', { confrId, key: 'x', val: '1' }),
    ann.call('setAttrs', { confrId, key: 'y', val: '2' }),
    ann.call('setAttrs', { confrId, key: 'x', val: '3' }),
    ann.call('deleteAttrs', { confrId, key: 'y' }),
  ])
  // Revision 3 replies carry no set: the SDK holds it.
  expect(replies.map((r) => r.result)).toEqual([{}, {}, {}, {}])
  const ev = await bob.event('attrsChanged')
  expect(ev.data).toEqual({ confrId, set: { x: '3' }, removed: ['y'] })
  await sleep(suite.server.config.attrsIntervalMs * 2)
  expect(bob.frames.filter((f) => f.event === 'attrsChanged')).toHaveLength(1)

  // The conference's bucket: attrsRate at once, attrsRate a second after. A low rate here, so
  // that a busy machine spreading the burst over a second cannot refill it.
  const rate = suite.server.config.attrsRate
  suite.server.config.attrsRate = 2
  try {
    const { c: cy, confrId: burst } = await member('cy', 'burst-rate')
    const t0 = Date.now()
    const many = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        cy.call('setAttrs', { confrId: burst, key: 'k', val: `${i}` }),
      ),
    )
    const seconds = (Date.now() - t0) / 1000
    const admitted = many.filter((r) => !r.error).length
    // The bucket's contract: its burst, and what it refilled meanwhile, no more.
    expect(admitted).toBeGreaterThanOrEqual(2)
    expect(admitted).toBeLessThanOrEqual(2 + Math.ceil(seconds * 2))
    expect(many.find((r) => r.error)?.error).toEqual({
      code: -429,
      message: "this conference's attributes change at most 2 times a second",
    })
  } finally {
    suite.server.config.attrsRate = rate
  }
})

test('a client before revision 3 still gets the whole set, in attrsUpdated and in replies', async () => {
  const { c: ann, confrId } = await member('ann2', 'old')
  const { c: old } = await member('old', 'old', 0)
  const r = await old.call('setAttrs', { confrId, key: 'topic', val: 'x' })
  expect(r.result).toEqual({ attrs: { topic: 'x' } })
  await ann.call('setAttrs', { confrId, key: 'more', val: 'y' })
  const ev = await old.event('attrsUpdated', (d) => d.attrs.more === 'y')
  expect(ev.data).toEqual({ confrId, attrs: { topic: 'x', more: 'y' } })
  expect(old.frames.some((f) => f.event === 'attrsChanged')).toBe(false)
})

test('the SDK applies changes and still gives onConfrAttrsUpdated the whole set', async () => {
  const a = await client('sa')
  const b = await client('sb')
  await a.emedia.mgr.joinRoom({ roomName: 'sdk-attrs', role: 7 })
  await b.emedia.mgr.joinRoom({ roomName: 'sdk-attrs' })
  expect(await a.emedia.mgr.setConferenceAttrs({ key: 'topic', val: 'launch' })).toEqual({
    topic: 'launch',
  })
  expect(await a.emedia.mgr.setConferenceAttrs({ key: 'slide', val: '1' })).toEqual({
    topic: 'launch',
    slide: '1',
  })
  await until(() => b.emedia.mgr.getConferenceAttrs().slide === '1', 5000, 'b has both')
  expect(b.events('confrAttrsUpdated').pop()![0]).toEqual({ topic: 'launch', slide: '1' })
  expect(await a.emedia.mgr.deleteConferenceAttrs({ key: 'topic' })).toEqual({ slide: '1' })
  await until(() => !('topic' in b.emedia.mgr.getConferenceAttrs()), 5000, 'b lost topic')
  expect(b.events('confrAttrsUpdated').pop()![0]).toEqual({ slide: '1' })
})

test("the SDK's result holds its own earlier change even before that change's event came", async () => {
  // A long merge window: both replies come long before the first change's event.
  const before = suite.server.config.attrsIntervalMs
  suite.server.config.attrsIntervalMs = 1500
  try {
    const a = await client('late-a')
    await a.emedia.mgr.joinRoom({ roomName: 'sdk-attrs-late', role: 7 })
    await sleep(1600) // past any window a join may have opened
    expect(await a.emedia.mgr.setConferenceAttrs({ key: 'topic', val: 'launch' })).toEqual({
      topic: 'launch',
    })
    expect(await a.emedia.mgr.setConferenceAttrs({ key: 'slide', val: '1' })).toEqual({
      topic: 'launch',
      slide: '1',
    })
    expect(await a.emedia.mgr.deleteConferenceAttrs({ key: 'topic' })).toEqual({ slide: '1' })
    expect(a.emedia.mgr.getConferenceAttrs()).toEqual({ slide: '1' })
    // The window's merged event, when it comes, says the same (an earlier event carried the
    // first change alone, sent at once: the window was empty).
    const merged = () =>
      a.events('confrAttrsUpdated').some(([set]) => JSON.stringify(set) === '{"slide":"1"}')
    await until(merged, 5000, 'the merged event')
    expect(a.emedia.mgr.getConferenceAttrs()).toEqual({ slide: '1' })
  } finally {
    suite.server.config.attrsIntervalMs = before
  }
})
