// Token bucket: `rate` requests per second sustained, `burst` at once. Limits are read on every
// call, so a configuration object can be shared; a rate of 0 means no limit.
export class TokenBucket {
  private tokens: number
  private last = Date.now()

  constructor(
    private readonly rate: () => number,
    private readonly burst: () => number,
  ) {
    this.tokens = burst()
  }

  take(now = Date.now()): boolean {
    const rate = this.rate()
    if (rate <= 0) return true
    this.tokens = Math.min(this.burst(), this.tokens + ((now - this.last) / 1000) * rate)
    this.last = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
