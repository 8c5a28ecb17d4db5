// How the store's actions fail: they never reject, they resolve false, and the failure lands in
// `lastError` and the `error` event, so a tap handler needs no catch.
import { action } from 'mobx-miniprogram'
import { ErrorCode } from '../sdk/protocol'
import type { Core } from './core'
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

/** Records the failure of the action `name`; false is what that action resolves with. An action of
 * its own: it mostly runs after an await, outside the action that started the call. */
export const fail = action('fail', (c: Core, name: string, err: unknown): false => {
  const error = toKitError(err, name)
  c.store.lastError = error
  c.events.emit('error', error)
  return false
})

/** Bad input or a wrong moment, refused before the SDK is asked. */
export function reject(
  c: Core,
  name: string,
  message: string,
  code: number = ErrorCode.BAD_REQUEST,
): Promise<false> {
  return Promise.resolve(fail(c, name, { code, message }))
}
