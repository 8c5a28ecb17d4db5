// Brute-force protection. Conference passwords: failures are counted per user+conference and
// per client address. A user past its limit for a conference is refused (-429, right or wrong)
// until the lockout ends. An address past its limit refuses only the users who failed from it:
// behind a carrier NAT or a proxy one address is many people, and the one guessing must not lock
// out the others who know the password. Each further account gets one try from that address.
// The server's own secrets (root and admin): every attempt is counted per address when it
// arrives, before any body is read or secret compared, and given back only when it succeeds, so
// parallel guesses count too; past the limit every attempt from the address is refused.
import { ErrorCode } from 'miniprogram-conference-protocol'
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

  /** Failures of the key in its current window. */
  count(key: string, now = Date.now()): number {
    const e = this.entries.get(key)
    return e && (e.until > now || now - e.since < this.windowMs()) ? e.count : 0
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
  /** The client's address (security/client-address.ts); without one only the per-user limit applies. */
  address?: string
}

export class PasswordGuard {
  private readonly byUser: FailureCounter
  private readonly byAddress: FailureCounter
  /** Who failed from which address: the users an address's lockout refuses. */
  private readonly byAddressUser: FailureCounter

  constructor(limits: () => PasswordLimits) {
    const windowMs = () => limits().passwordLockoutSec * 1000
    this.byUser = new FailureCounter(() => limits().passwordFailures, windowMs)
    this.byAddress = new FailureCounter(() => limits().passwordFailuresPerAddress, windowMs)
    this.byAddressUser = new FailureCounter(() => Number.MAX_SAFE_INTEGER, windowMs)
  }

  /**
   * Checks a password attempt on `confrId`: -429 while locked out (the password is not even
   * compared), -508 when `matches()` is false (and the failure counts). From an address past its
   * limit a user who has not failed there yet is still heard: the right password passes, a wrong
   * one is -429 and locks that user too.
   */
  check(who: Attempter, confrId: string, matches: () => boolean): void {
    const userKey = `${who.userId}\n${confrId}`
    const addressKey = who.address ?? ''
    const addressUserKey = `${addressKey}\n${who.userId}`
    const addressWait = who.address ? this.byAddress.lockedFor(addressKey) : 0
    const wait = Math.max(
      this.byUser.lockedFor(userKey),
      addressWait > 0 && this.byAddressUser.count(addressUserKey) > 0 ? addressWait : 0,
    )
    if (wait > 0) throw locked(wait)
    if (matches()) {
      this.byUser.reset(userKey)
      return
    }
    this.byUser.fail(userKey)
    if (who.address) {
      this.byAddress.fail(addressKey)
      this.byAddressUser.fail(addressUserKey)
    }
    if (addressWait > 0) throw locked(addressWait)
    throw new RpcError(ErrorCode.WRONG_PASSWORD, 'wrong password')
  }
}

function locked(waitMs: number) {
  return new RpcError(
    ErrorCode.RATE_LIMITED,
    `too many wrong passwords; try again in ${Math.ceil(waitMs / 1000)} s`,
  )
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
