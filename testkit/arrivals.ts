// What the tests of batched arrivals share: requests that a server in this process reads in one
// turn of its event loop, and the members a raw client was told of, whichever frames told it.
import type { Member } from 'miniprogram-conference-protocol'
import { type Frame, type RawClient } from './raw-client'

/** Blocks this thread for `ms` (nothing of the event loop runs meanwhile). */
function blockFor(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/**
 * `send` writes every request (synchronously: ws writes into the kernel when the socket is idle)
 * and returns their replies; then this thread — the server's — sleeps until all have arrived, so
 * its next poll finds every socket readable and reads them all in one turn.
 */
export function inOneTurn(send: () => Array<Promise<Frame>>): Promise<Frame[]> {
  const replies = send()
  blockFor(100)
  return Promise.all(replies)
}

/** The member ids a client was told of (memberJoined or membersJoined), in order, from frame
 * `from` on. */
export const toldOf = (c: Pick<RawClient, 'frames'>, from = 0): string[] =>
  c.frames
    .slice(from)
    .flatMap((f) =>
      f.event === 'memberJoined'
        ? [f.data.member.id as string]
        : f.event === 'membersJoined'
          ? (f.data.members as Member[]).map((m) => m.id)
          : [],
    )

/** The frames of event `name` a client got, from frame `from` on. */
export const eventsOf = (c: Pick<RawClient, 'frames'>, name: string, from = 0) =>
  c.frames.slice(from).filter((f) => f.event === name)
