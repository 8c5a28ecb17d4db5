// The reconnect state machine alone, on a hand-driven clock and attempts that settle when the
// test says: every ordering of "socket lost", "network back" (or a server's move), "stopped" and
// an attempt's outcome, so that no ordering can leave a lost socket with nothing retrying it.
import type { Adapter } from '../../sdk/adapters/types'
import { type AttemptOutcome, Reconnector } from '../../sdk/reconnect'
import { prng } from '../../testkit/prng'

const POLICY = { retries: 4, delayMs: 1000, firstDelayMs: 250 }

/** Timers that fire only when the test advances the clock. */
class Clock {
  now = 0
  private timers = new Map<number, { at: number; fn: () => void }>()
  private next = 1
  readonly adapter = {
    setTimeout: (fn: () => void, ms: number) => {
      const id = this.next++
      this.timers.set(id, { at: this.now + ms, fn })
      return id
    },
    clearTimeout: (id: unknown) => void this.timers.delete(id as number),
  } as unknown as Adapter

  get pending(): number {
    return this.timers.size
  }

  /** Runs every timer due within `ms`, in order. */
  advance(ms: number): void {
    const end = this.now + ms
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)
      if (!due.length) break
      const [id, t] = due[0]
      this.timers.delete(id)
      this.now = t.at
      t.fn()
    }
    this.now = end
  }
}

/** Attempts the test settles one by one. */
function harness() {
  const clock = new Clock()
  const attempts: Array<{ n: number; settle(o: AttemptOutcome | Error): Promise<void> }> = []
  let exhausted = 0
  const r = new Reconnector(
    clock.adapter,
    () => POLICY,
    (n) =>
      new Promise<AttemptOutcome>((resolve, reject) => {
        attempts.push({
          n,
          settle: async (o) => {
            if (o instanceof Error) reject(o)
            else resolve(o)
            await flush()
          },
        })
      }),
    () => exhausted++,
  )
  return { r, clock, attempts, exhausted: () => exhausted }
}

const flush = () => new Promise<void>((done) => setImmediate(done))

/** A harness with its first attempt running: the socket lost and the first delay passed. */
function attempting() {
  const h = harness()
  h.r.start()
  h.clock.advance(POLICY.firstDelayMs)
  return h
}

test('a lost socket: attempts spaced 250, 500, 1000 ms; the first success ends the cycle', async () => {
  const { r, clock, attempts } = harness()
  r.start()
  expect(r.current).toBe('waiting')
  clock.advance(249)
  expect(attempts).toHaveLength(0)
  clock.advance(1)
  expect(attempts.map((a) => a.n)).toEqual([1])
  await attempts[0].settle('retry')
  clock.advance(500)
  expect(attempts.map((a) => a.n)).toEqual([1, 2])
  await attempts[1].settle('ok')
  expect(r.current).toBe('off')
  clock.advance(10000)
  expect(attempts).toHaveLength(2)
})

test('a move arriving while an attempt succeeds: another cycle starts at once (the wedge)', async () => {
  const { r, attempts } = attempting()
  // The resume has just been answered on the new socket (the client is joined again), and the
  // server's move lands before the attempt returns: the socket is lost again and nudged.
  r.start()
  r.nudge()
  expect(r.current).toBe('trying')
  await attempts[0].settle('ok')
  // The old attempt's success is about the socket that was just lost: a new one runs at once.
  expect(attempts.map((a) => a.n)).toEqual([1, 1])
  expect(r.current).toBe('trying')
  await attempts[1].settle('ok')
  expect(r.current).toBe('off')
})

test('lost again while an attempt runs, without a nudge: the new cycle waits its first delay', async () => {
  const { r, clock, attempts } = attempting()
  r.start()
  await attempts[0].settle('ok')
  expect(r.current).toBe('waiting')
  clock.advance(249)
  expect(attempts).toHaveLength(1)
  clock.advance(1)
  expect(attempts.map((a) => a.n)).toEqual([1, 1])
})

test.each(['retry', 'stop', new Error('boom')] as const)(
  'lost again while an attempt runs that ends in %p: a fresh cycle with a fresh budget',
  async (outcome) => {
    const { r, clock, attempts } = harness()
    r.start()
    for (let i = 0; i < 3; i++) {
      clock.advance(2000)
      await attempts[i].settle('retry')
    }
    clock.advance(2000)
    expect(attempts.map((a) => a.n)).toEqual([1, 2, 3, 4])
    r.start()
    await attempts[3].settle(outcome)
    clock.advance(250)
    expect(attempts.map((a) => a.n)).toEqual([1, 2, 3, 4, 1])
  },
)

test('stop during an attempt: its outcome is ignored and nothing more runs', async () => {
  const { r, clock, attempts, exhausted } = attempting()
  r.stop()
  await attempts[0].settle('retry')
  clock.advance(10000)
  expect(attempts).toHaveLength(1)
  expect(r.current).toBe('off')
  expect(exhausted()).toBe(0)
})

test('stop then lost again during an attempt: the new loss is retried', async () => {
  const { r, clock, attempts } = attempting()
  r.stop()
  r.start()
  await attempts[0].settle('ok')
  clock.advance(250)
  expect(attempts).toHaveLength(2)
})

test('stop while waiting cancels the timer', () => {
  const { r, clock, attempts } = harness()
  r.start()
  r.stop()
  expect(clock.pending).toBe(0)
  clock.advance(10000)
  expect(attempts).toHaveLength(0)
})

test('nudge while waiting runs the attempt now; a second start while waiting adds nothing', async () => {
  const { r, clock, attempts } = harness()
  r.start()
  r.start()
  expect(clock.pending).toBe(1)
  r.nudge()
  expect(attempts).toHaveLength(1)
  expect(clock.pending).toBe(0)
  // A nudge during an attempt with nothing new lost changes nothing.
  r.nudge()
  await attempts[0].settle('ok')
  expect(r.current).toBe('off')
  expect(attempts).toHaveLength(1)
})

test('the budget spent: exhausted once, then off', async () => {
  const { r, clock, attempts, exhausted } = harness()
  r.start()
  for (let i = 0; i < POLICY.retries; i++) {
    clock.advance(1000)
    await attempts[i].settle('retry')
  }
  expect(exhausted()).toBe(1)
  expect(r.current).toBe('off')
  clock.advance(10000)
  expect(attempts).toHaveLength(POLICY.retries)
})

// A model of the client around it: `lost` is true from a socket loss until an attempt that
// started after that loss succeeds. Whatever the order of events, the reconnector is never idle
// while a loss is unanswered, unless it was stopped or its budget ran out.
test('random orderings (seeded): a lost socket is always being retried, or given up on', async () => {
  const seed = Number(process.env.RECONNECT_SEED) || Date.now() % 1e9
  const rand = prng(seed)
  for (let run = 0; run < 300; run++) {
    const { r, clock, attempts, exhausted } = harness()
    let lost = false
    let stopped = false
    let lostAt = 0 // attempts.length when the latest loss happened
    let givenUpAt = 0 // exhausted() when it happened
    const steps: string[] = []
    for (let step = 0; step < 40; step++) {
      const open = attempts.filter((a) => !(a as { done?: boolean }).done)
      const what = rand.pick(['lose', 'nudge', 'stop', 'tick', 'settle', 'settle'] as const)
      steps.push(what)
      if (what === 'lose') {
        lost = true
        stopped = false
        lostAt = attempts.length
        givenUpAt = exhausted()
        r.start()
      } else if (what === 'nudge') r.nudge()
      else if (what === 'stop') {
        stopped = true
        r.stop()
      } else if (what === 'tick') clock.advance(rand.pick([100, 250, 1000, 3000]))
      else if (open.length) {
        const a = open[0]
        const index = attempts.indexOf(a)
        ;(a as { done?: boolean }).done = true
        const outcome = rand.pick(['ok', 'retry', 'retry'] as const)
        steps.push(outcome)
        // Only an attempt begun after the latest loss can answer it.
        if (outcome === 'ok' && index >= lostAt && !stopped) lost = false
        await a.settle(outcome)
      }
      const idle = r.current === 'off'
      if (lost && !stopped && idle && exhausted() === givenUpAt)
        throw new Error(`seed ${seed} run ${run}: idle with a lost socket after ${steps.join(' ')}`)
      expect(open.length).toBeLessThanOrEqual(1) // never two attempts at once
    }
  }
})
