// A socket's first frame in a turn of the event loop leaves at once (a broadcast reaches the first
// members while the last are still being written); the frames after it in that turn wait and
// leave in one write at the turn's end: a burst of events in a big room costs each member two
// system calls at most, not one per event. One Corking per server; whoever wants to know when a
// turn's frames were all handed to the kernel (the metrics, the bench) watches its flushes, and
// with no watcher the writing path reads no clock.
import { type Socket } from 'net'

/** `sockets` were written; `sinceMs` (performance.now()) is when the turn's first frame was
 * written; the flush of what waited has just ended. */
export type FlushWatcher = (sockets: number, sinceMs: number) => void

export class Corking {
  private readonly corked = new Set<Socket>()
  private readonly watchers = new Set<FlushWatcher>()
  private firstAt = 0

  /** Hold what is written to `socket` from now until this turn ends. */
  hold(socket: Socket) {
    if (this.corked.has(socket)) return
    if (this.corked.size === 0) {
      setImmediate(() => this.flush())
      if (this.watchers.size > 0) this.firstAt = performance.now()
    }
    this.corked.add(socket)
    socket.cork()
  }

  /** Calls `fn` after each turn's frames were handed to the kernel; returns the unwatch. */
  watch(fn: FlushWatcher): () => void {
    this.watchers.add(fn)
    return () => this.watchers.delete(fn)
  }

  private flush() {
    // uncork() writes what the socket holds at once (libuv tries the write before it returns).
    for (const s of this.corked) s.uncork()
    const n = this.corked.size
    this.corked.clear()
    for (const fn of this.watchers) fn(n, this.firstAt)
  }
}
