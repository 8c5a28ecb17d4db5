// Ports of what tests start again on the same port (a restarted server, Redis back after an
// outage), and ports held so that a start finds them taken. A first start on a picked port is
// server/ports.ts's onFreePort; both retry on an error whose code is EADDRINUSE: a bind's own,
// or addressInUse() for a child that said so.
import { createServer } from 'net'
import { onFreePort } from '../server/ports'
import { sleep } from './wait'

/** An Error with code EADDRINUSE, for starts that learn it from a child's output. */
export function addressInUse(message: string): Error {
  return Object.assign(new Error(message), { code: 'EADDRINUSE' })
}

const inUse = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE'

/**
 * `start()` on a port that must stay the same (a restart), again while it fails with EADDRINUSE:
 * the port can be held for a moment after its last owner died (an outgoing connection may even
 * have been given it), which is not a reason to fail.
 */
export async function whileInUse<T>(start: () => Promise<T>, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    try {
      return await start()
    } catch (err) {
      if (!inUse(err) || Date.now() + delay > deadline) throw err
      await sleep(delay)
    }
  }
}

/** A picked loopback port held by a listener that cuts off whoever connects, until release(). */
export async function holdPort(): Promise<{ port: number; release(): Promise<void> }> {
  const server = createServer((socket) => socket.destroy())
  const port = await onFreePort(
    (p) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject)
        server.listen(p, '127.0.0.1', () => resolve(p))
      }),
  )
  return { port, release: () => new Promise<void>((r) => server.close(() => r())) }
}
