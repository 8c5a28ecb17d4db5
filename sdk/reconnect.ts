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

export function backoffDelay(policy: ReconnectPolicy, attempt: number): number {
  const first = Math.max(0, policy.firstDelayMs)
  return Math.min(policy.delayMs, first * Math.pow(2, Math.max(0, attempt - 1)))
}

export class Reconnector {
  private active = false
  private running = false
  private tries = 0
  private timer: TimerHandle | null = null

  constructor(
    private readonly adapter: Adapter,
    private readonly policy: () => ReconnectPolicy,
    private readonly attempt: (n: number) => Promise<AttemptOutcome>,
    private readonly exhausted: () => void,
  ) {}

  start(): void {
    if (this.active) return
    this.active = true
    this.tries = 0
    this.schedule()
  }

  /** The network is back: attempt now instead of waiting out the delay. */
  nudge(): void {
    if (!this.active || this.running || this.timer === null) return
    this.adapter.clearTimeout(this.timer)
    this.timer = null
    void this.run()
  }

  stop(): void {
    this.active = false
    if (this.timer !== null) this.adapter.clearTimeout(this.timer)
    this.timer = null
  }

  private schedule(): void {
    const ms = backoffDelay(this.policy(), this.tries + 1)
    this.timer = this.adapter.setTimeout(() => {
      this.timer = null
      void this.run()
    }, ms)
  }

  private async run(): Promise<void> {
    if (!this.active) return
    this.tries++
    this.running = true
    let outcome: AttemptOutcome
    try {
      outcome = await this.attempt(this.tries)
    } catch {
      outcome = 'retry'
    }
    this.running = false
    if (!this.active) return
    if (outcome !== 'retry') {
      this.active = false
      return
    }
    if (this.tries >= this.policy().retries) {
      this.active = false
      this.exhausted()
      return
    }
    this.schedule()
  }
}
