// A Node adapter whose sockets count what crosses them: the methods sent, the frames received and
// the replies among them. The bench (bench/signalling.ts, round trips to a push URL) and the
// one-round-trip test (test/integration/emedia-conformance.test.ts) measure with the same one.
import { createNodeAdapter, type NodeAdapter } from '../sdk/adapters/node'
import type { AdapterSocket } from '../sdk/adapters/types'

export interface Wire {
  /** The method of each request sent, in order. */
  sent: string[]
  /** Frames received: replies and events. */
  received: number
  /** Replies (frames that answer a request id). */
  replies: number
}

export function countingAdapter(): { adapter: NodeAdapter; wire: Wire } {
  const base = createNodeAdapter()
  const wire: Wire = { sent: [], received: 0, replies: 0 }
  const adapter: NodeAdapter = {
    ...base,
    connect(url: string): AdapterSocket {
      const inner = base.connect(url)
      const outer: AdapterSocket = {
        send(text) {
          wire.sent.push((JSON.parse(text) as { method: string }).method)
          inner.send(text)
        },
        close: (code, reason) => inner.close(code, reason),
        onOpen: null,
        onMessage: null,
        onClose: null,
        onError: null,
      }
      // The SDK assigns its handlers after connect() returns: forward through them lazily.
      inner.onOpen = () => outer.onOpen?.()
      inner.onMessage = (t) => {
        wire.received++
        if (t.startsWith('{"id"')) wire.replies++
        outer.onMessage?.(t)
      }
      inner.onClose = (c, r) => outer.onClose?.(c, r)
      inner.onError = (m) => outer.onError?.(m)
      return outer
    },
  }
  return { adapter, wire }
}
