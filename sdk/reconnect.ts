// Retry policy after a lost socket: attempts spaced by a doubling delay (first 250 ms, capped
// at delayMs), at most `retries` of them; "network is back" runs the next attempt at once.
import type { Adapter, TimerHandle } from './adapters/types'

export interface ReconnectPolicy {
  /** Attempts before giving up (emedia: 13). */
  retries: number
  /** Longest wait between attempts (emedia: 3000 ms; ours 1500). */
  delayMs: number
  /** Wait before the first attempt; doubles up to delayMs. */
  firstDelayMs: number
}

/** 'ok' done; 'retry' try again later; 'stop' the attempt ended the session itself. */
export type AttemptOutcome = 'ok' | 'retry' | 'stop'

/** off: nothing to do; waiting: an attempt is due on a timer; trying: an attempt is running. */
export type ReconnectorState = 'off' | 'waiting' | 'trying'

export function backoffDelay(policy: ReconnectPolicy, attempt: number): number {
  const first = Math.max(0, policy.firstDelayMs)
  return Math.min(policy.delayMs, first * Math.pow(2, Math.max(0, attempt - 1)))
}

export class Reconnector {
  private state: ReconnectorState = 'off'
  /**
   * The socket was lost again (or the cycle stopped and restarted) while an attempt ran: that
   * attempt's outcome is about an older socket, so a new cycle starts when it returns. Without
   * this, a `move` that lands just as a resume succeeds would leave the client reconnecting for
   * ever: the new loss asks for a cycle while the old one still runs, then the old one ends it.
   */
  private again = false
  /** nudge() during that attempt: the new cycle's first attempt runs at once. */
  private soon = false
  private tries = 0
  private timer: TimerHandle | null = null

  constructor(
    private readonly adapter: Adapter,
    private readonly policy: () => ReconnectPolicy,
    private readonly attempt: (n: number) => Promise<AttemptOutcome>,
    private readonly exhausted: () => void,
  ) {}

  get current(): ReconnectorState {
    return this.state
  }

  /** The socket is lost: start a cycle of attempts (one already waiting is kept). */
  start(): void {
    if (this.state === 'waiting') return
    this.tries = 0
    if (this.state === 'trying') {
      this.again = true
      return
    }
    this.schedule()
  }

  /** The network is back: attempt now instead of waiting out the delay. */
  nudge(): void {
    if (this.state === 'trying') {
      if (this.again) this.soon = true
      return
    }
    if (this.state !== 'waiting' || this.timer === null) return
    this.adapter.clearTimeout(this.timer)
    this.timer = null
    void this.run()
  }

  /** No more attempts; an attempt under way finishes, but its outcome is ignored. */
  stop(): void {
    if (this.timer !== null) this.adapter.clearTimeout(this.timer)
    this.timer = null
    this.again = false
    this.soon = false
    if (this.state === 'waiting') this.state = 'off'
    this.stopped = this.state === 'trying'
  }

  /** stop() was called during the running attempt. */
  private stopped = false

  private schedule(): void {
    this.state = 'waiting'
    const ms = backoffDelay(this.policy(), this.tries + 1)
    this.timer = this.adapter.setTimeout(() => {
      this.timer = null
      void this.run()
    }, ms)
  }

  private async run(): Promise<void> {
    this.state = 'trying'
    this.stopped = false
    this.tries++
    let outcome: AttemptOutcome
    try {
      outcome = await this.attempt(this.tries)
    } catch {
      outcome = 'retry'
    }
    this.state = 'off'
    const { again, soon, stopped } = this
    this.again = this.soon = this.stopped = false
    if (again) {
      // A newer loss: its cycle begins now, whatever this attempt found.
      if (soon) void this.run()
      else this.schedule()
      return
    }
    if (stopped || outcome !== 'retry') return
    if (this.tries >= this.policy().retries) {
      this.exhausted()
      return
    }
    this.schedule()
  }
}
