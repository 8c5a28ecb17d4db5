// How many live conferences one user may have created at once: enough for real use, not enough
// to fill the server's memory from one account.
import { ErrorCode } from 'miniprogram-conference-protocol'
import { RpcError } from '../rpc-error'

/** Throws -510 when `userId` already owns `max` of `conferences` (0: no limit). */
export function checkConferenceQuota(
  conferences: Iterable<{ ownerUserId: string }>,
  userId: string,
  max: number,
): void {
  if (max <= 0) return
  let owned = 0
  for (const c of conferences) {
    if (c.ownerUserId === userId && ++owned >= max)
      throw new RpcError(
        ErrorCode.SERVER_LIMIT,
        `you already have ${max} live conferences, this server's limit: end one first`,
      )
  }
}

/**
 * Conference attributes go to every member in full on every change, so their total size is what
 * one setAttrs costs the server per member: keys and values together stay under this.
 */
export const MAX_ATTRS_BYTES = 16 * 1024

/** Throws -510 when setting `key` to `val` would take `attrs` over MAX_ATTRS_BYTES. */
export function checkAttrsSize(attrs: ReadonlyMap<string, string>, key: string, val: string): void {
  let total = key.length + val.length
  for (const [k, v] of attrs) if (k !== key) total += k.length + v.length
  if (total > MAX_ATTRS_BYTES)
    throw new RpcError(
      ErrorCode.SERVER_LIMIT,
      `attributes would total ${total} characters, over the limit ${MAX_ATTRS_BYTES}`,
    )
}
