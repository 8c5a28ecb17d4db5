// What every mgr promise rejects with: a plain `{code, message}` as emedia did, so apps can
// switch on `err.code` (codes of ErrorCode in protocol.ts).
import { ErrorCode } from 'miniprogram-conference-protocol'

export interface EmediaError {
  code: number
  message: string
}

export function emediaError(code: number, message: string): EmediaError {
  return { code, message }
}

export function isEmediaError(value: unknown): value is EmediaError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as EmediaError).code === 'number' &&
    typeof (value as EmediaError).message === 'string'
  )
}

/** Anything thrown below the API (adapter errors, bugs) becomes an EmediaError. */
export function toEmediaError(value: unknown, code: number = ErrorCode.INTERNAL): EmediaError {
  if (isEmediaError(value)) return emediaError(value.code, value.message)
  const message = value instanceof Error ? value.message : String(value)
  return emediaError(code, message)
}

export function badInput(message: string): EmediaError {
  return emediaError(ErrorCode.BAD_REQUEST, message)
}

export function networkError(message: string): EmediaError {
  return emediaError(ErrorCode.NETWORK, message)
}
