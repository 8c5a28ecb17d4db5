// A typed emitter for several listeners per event. A throwing listener is logged and does not
// stop the others: one bad app callback must not break the SDK's dispatch.
import type { Logger } from './logger'

type Listener<A extends unknown[]> = (...args: A) => void

export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  private listeners: { [K in keyof Events]?: Array<Listener<Events[K]>> } = {}

  constructor(private readonly log: Logger) {}

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(name: K, fn: Listener<Events[K]>): () => void {
    if (typeof fn !== 'function')
      throw new TypeError(`listener for ${String(name)} is not a function`)
    const list = this.listeners[name] || (this.listeners[name] = [])
    list.push(fn)
    return () => this.off(name, fn)
  }

  off<K extends keyof Events>(name: K, fn: Listener<Events[K]>): void {
    const list = this.listeners[name]
    if (!list) return
    const at = list.indexOf(fn)
    if (at >= 0) list.splice(at, 1)
  }

  emit<K extends keyof Events>(name: K, ...args: Events[K]): void {
    // A copy: a listener may remove itself (or others) while we iterate.
    for (const fn of (this.listeners[name] || []).slice()) {
      try {
        fn(...args)
      } catch (err) {
        this.log.error(`listener of ${String(name)} threw:`, err)
      }
    }
  }
}
