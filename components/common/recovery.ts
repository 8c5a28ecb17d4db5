// Recovery of one native live component: retry with backoff when it reports a failure, re-create
// it when it shows no sign of media for a while, and after MAX_RESTARTS of either ask for a fresh
// URL. Shared by pusher-tile and player-tile; the tile supplies what each step does.
import { MAX_RESTARTS, STALL_TIMEOUT_MS, backoffMs } from '../../store/media-policy'

export interface RecoverySteps {
  /** Restart the same native component (context stop + start / play). */
  retry(): void
  /** Re-create the native component (new wx:key). */
  remount(): void
  /** Get a fresh URL (the old one was refused or expired). */
  refresh(): void
}

export class Recovery {
  private attempts = 0
  private stallTimer: ReturnType<typeof setTimeout> | null = null
  private retryTimer: ReturnType<typeof setTimeout> | null = null

  constructor(
    private readonly steps: RecoverySteps,
    private readonly stallMs: number = STALL_TIMEOUT_MS,
  ) {}

  /** Media should start flowing now: re-create the component if it does not. */
  watch(): void {
    this.clearStall()
    this.stallTimer = setTimeout(() => {
      this.stallTimer = null
      if (this.escalate()) return
      this.steps.remount()
    }, this.stallMs)
  }

  /** Media flows: forget past failures. */
  healthy(): void {
    this.attempts = 0
    this.clearStall()
    this.clearRetry()
  }

  /** The component gave up (-1307, -2301, …): restart it after a backoff. */
  failed(): void {
    if (this.retryTimer) return
    const attempt = this.attempts
    if (this.escalate()) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      this.steps.retry()
      this.watch()
    }, backoffMs(attempt))
  }

  stop(): void {
    this.clearStall()
    this.clearRetry()
  }

  /** Counts an attempt; past the limit, asks for a fresh URL instead. */
  private escalate(): boolean {
    this.attempts += 1
    if (this.attempts <= MAX_RESTARTS) return false
    this.attempts = 0
    this.stop()
    this.steps.refresh()
    return true
  }

  private clearStall(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer)
    this.stallTimer = null
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = null
  }
}
