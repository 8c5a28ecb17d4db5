// Free TCP ports on loopback, for servers a test starts as separate processes (which cannot be
// given port 0 and asked back).
import { createServer } from 'net'

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}
