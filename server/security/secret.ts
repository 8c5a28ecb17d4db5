// The one constant-time comparison of secrets (passwords, resume tokens, bearer secrets).
import { timingSafeEqual } from 'crypto'

/**
 * Whether `given` equals `secret` without timing leaking where they differ. Byte lengths, not
 * string lengths: 'é' and 'ab' have the same length in UTF-16 and must not make this throw.
 */
export function sameSecret(secret: string, given: string): boolean {
  const x = Buffer.from(secret)
  const y = Buffer.from(given)
  return x.length === y.length && timingSafeEqual(x, y)
}
