// Brute-force protection. Conference passwords: failures are counted per user+conference and per
// address. The server's own secrets (root and admin): every attempt is counted per address when it
// arrives, before any body is read or secret compared, and given back only when it succeeds, so
// parallel guesses count too. Past a limit every attempt (right or wrong) is refused until the
// lockout ends, so a secret cannot be guessed faster than the limits allow.
import { ErrorCode } from '../../sdk/protocol'
import { RpcError } from '../rpc-error'

/** Counters of failures per key within a window; a key at the limit is locked for the window. */
export class FailureCounter {
  private readonly entries = new Map<string, { count: number; since: number; until: number }>()

  constructor(
    private readonly max: () => number,
    private readonly windowMs: () => number,
    /** Entries kept at most; the oldest go first (bounded memory under a spray of keys). */
    private readonly capacity = 100_000,
  ) {}

  /** Milliseconds left of the key's lockout; 0 when it may try. */
  lockedFor(key: string, now = Date.now()): number {
    const e = this.entries.get(key)
    if (!e) return 0
    if (e.until > now) return e.until - now
    if (now - e.since >= this.windowMs()) this.entries.delete(key)
    return 0
  }

  fail(key: string, now = Date.now()): void {
    const max = this.max()
    if (max <= 0) return
    let e = this.entries.get(key)
    if (!e || now - e.since >= this.windowMs()) {
      this.entries.delete(key)
      e = { count: 0, since: now, until: 0 }
      this.entries.set(key, e)
      if (this.entries.size % 1024 === 0 || this.entries.size > this.capacity) this.prune(now)
    }
    if (++e.count >= max) e.until = now + this.windowMs()
  }

  reset(key: string): void {
    this.entries.delete(key)
  }

  /** Takes back one failure counted for `key` (an attempt counted early that succeeded). */
  forgive(key: string): void {
    const e = this.entries.get(key)
    if (!e) return
    if (--e.count <= 0) this.entries.delete(key)
    else if (e.count < this.max()) e.until = 0
  }

  get size(): number {
    return this.entries.size
  }

  /** Forgets expired keys, then the oldest ones while over capacity. */
  private prune(now: number) {
    for (const [key, e] of this.entries) {
      if (e.until <= now && now - e.since >= this.windowMs()) this.entries.delete(key)
    }
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.capacity) return
      this.entries.delete(key)
    }
  }
}

export interface PasswordLimits {
  passwordFailures: number
  passwordFailuresPerAddress: number
  passwordLockoutSec: number
}

export interface Attempter {
  userId: string
  /** The socket's remote address; without one only the per-user limit applies. */
  address?: string
}

export class PasswordGuard {
  private readonly byUser: FailureCounter
  private readonly byAddress: FailureCounter

  constructor(limits: () => PasswordLimits) {
    const windowMs = () => limits().passwordLockoutSec * 1000
    this.byUser = new FailureCounter(() => limits().passwordFailures, windowMs)
    this.byAddress = new FailureCounter(() => limits().passwordFailuresPerAddress, windowMs)
  }

  /**
   * Checks a password attempt on `confrId`: -429 while locked out (the password is not even
   * compared), -508 when `matches()` is false (and the failure counts).
   */
  check(who: Attempter, confrId: string, matches: () => boolean): void {
    const userKey = `${who.userId}\n${confrId}`
    const addressKey = who.address ?? ''
    const wait = Math.max(
      this.byUser.lockedFor(userKey),
      who.address ? this.byAddress.lockedFor(addressKey) : 0,
    )
    if (wait > 0)
      throw new RpcError(
        ErrorCode.RATE_LIMITED,
        `too many wrong passwords; try again in ${Math.ceil(wait / 1000)} s`,
      )
    if (matches()) {
      this.byUser.reset(userKey)
      return
    }
    this.byUser.fail(userKey)
    if (who.address) this.byAddress.fail(addressKey)
    throw new RpcError(ErrorCode.WRONG_PASSWORD, 'wrong password')
  }
}

export interface SecretLimits {
  secretFailuresPerAddress: number
  secretLockoutSec: number
}

/** One guess at a server secret, counted as failed unless `succeeded()` is called. */
export interface SecretAttempt {
  succeeded(): void
}

/** Guesses at the server's secrets (sign-in, bearer routes), per address, counted on arrival. */
export class SecretGuard {
  private readonly byAddress: FailureCounter

  constructor(limits: () => SecretLimits) {
    this.byAddress = new FailureCounter(
      () => limits().secretFailuresPerAddress,
      () => limits().secretLockoutSec * 1000,
    )
  }

  /**
   * Counts an attempt from `address` now. Throws `refuse(seconds)` while the address is locked
   * out; the returned attempt stays a failure unless it succeeds.
   */
  begin(address: string, refuse: (retryAfterSec: number) => Error): SecretAttempt {
    const wait = this.byAddress.lockedFor(address)
    if (wait > 0) throw refuse(Math.ceil(wait / 1000))
    this.byAddress.fail(address)
    let done = false
    return {
      succeeded: () => {
        if (done) return
        done = true
        this.byAddress.forgive(address)
      },
    }
  }
}
