// The envelopes every message travels in. Both ends build and read them through these types, so
// a misspelled event or method, or a payload of the wrong shape, does not compile on either side.
import type { EventName, Events } from './events'
import type { MethodName, Methods } from './methods'

export interface RequestFrame<M extends MethodName = MethodName> {
  id: number | string
  method: M
  params?: Methods[M]['params']
  /** Authenticates the socket; needed on the first request of a connection. */
  token?: string
}

export interface ErrorBody {
  code: number
  message: string
}

export type ReplyFrame<M extends MethodName = MethodName> =
  | { id: number | string; result: Methods[M]['result'] }
  | { id: number | string | null; error: ErrorBody }

export interface EventFrame<E extends EventName = EventName> {
  event: E
  data: Events[E]
}

/** Any one event frame, discriminated by `event`: a switch on it narrows `data`. */
export type AnyEventFrame = { [E in EventName]: EventFrame<E> }[EventName]

/** An event frame as it goes on the wire (serialised once, however many receive it). */
export const eventFrame = <E extends EventName>(event: E, data: Events[E]): string =>
  JSON.stringify({ event, data } satisfies EventFrame<E>)
