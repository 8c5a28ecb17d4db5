// Waiting, for tests and benchmarks: a pause, and polling until something holds. Waits that an
// event can end (RawClient.waitFor, Recorder.next) wake on the event instead of polling.

/** Resolves after `ms`, on the global timers (jsdom's or jest's fake ones where a test has them). */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

type Truthy<T> = Exclude<T, null | undefined | false | 0 | ''>

/**
 * Polls `check` (every `everyMs`) until it returns something truthy, and resolves with that. After
 * `timeoutMs` it fails, naming `what` (a function: to describe what was last seen).
 */
export async function until<T>(
  check: () => T | Promise<T>,
  timeoutMs = 5000,
  what: string | (() => string) = 'condition',
  everyMs = 20,
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as Truthy<T>
    if (Date.now() > deadline) {
      const subject = typeof what === 'function' ? what() : what
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${subject}`)
    }
    await sleep(everyMs)
  }
}
