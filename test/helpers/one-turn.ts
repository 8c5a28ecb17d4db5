// Requests that a server in this process reads in one turn of its event loop: each is written to
// its socket at once (ws writes into the kernel when the socket is idle), then this thread — the
// server's — sleeps until all have arrived, so its next poll finds every socket readable.
import { type Frame } from './raw-client'

/** Blocks this thread for `ms` (nothing of the event loop runs meanwhile). */
function blockFor(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** `send` writes every request (synchronously) and returns their replies. */
export function inOneTurn(send: () => Array<Promise<Frame>>): Promise<Frame[]> {
  const replies = send()
  blockFor(100)
  return Promise.all(replies)
}
