// The host's own timers, typed so this file compiles under both the Node and the mini program
// typings (their handle types differ: NodeJS.Timeout vs number).
import type { Timers } from './types'

type TimeoutId = Parameters<typeof clearTimeout>[0]
type IntervalId = Parameters<typeof clearInterval>[0]

export const hostTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as TimeoutId),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as IntervalId),
}
