// How the store's actions fail: they never reject, they resolve false, and the failure lands in
// `lastError` and the `error` event (ConferenceStore.fail), so a tap handler needs no catch.
import { ErrorCode } from 'miniprogram-conference-protocol'
import type { KitError } from './types'

/** An SDK rejection, a wx error (errMsg) or anything thrown, as the store reports it. */
export function toKitError(err: unknown, name: string): KitError {
  const e = (err ?? {}) as { code?: unknown; message?: unknown; errMsg?: unknown }
  const code = typeof e.code === 'number' ? e.code : ErrorCode.INTERNAL
  const message =
    typeof e.message === 'string'
      ? e.message
      : typeof e.errMsg === 'string'
        ? e.errMsg
        : String(err)
  return { code, message, action: name }
}
