// Loopback: the names and addresses only this machine reaches. Development mode stays on them
// unless asked (--dev), and answers only them (and --public-host) as a Host.

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.', '::1', '0:0:0:0:0:0:0:1'])

/** A host name or address (no port, IPv6 without brackets) that only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase()
  return (
    LOOPBACK_NAMES.has(h) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h)
  )
}
