// Ports for processes that cannot bind port 0 and tell us which one they got (nginx,
// redis-server): pick one, start, and when it was taken pick another. Nothing is probed first: a
// probed port is free only until someone else binds it, before the process we start does.
import fs from 'fs'

/** What a start whose port was taken throws: a bind's own error, or any error with this code. */
function isAddressInUse(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE'
}

let range: [number, number] | null = null

/** The kernel's ephemeral range (port 0 binds, outgoing connections), Linux's default elsewhere. */
function ephemeralRange(): [number, number] {
  return (range ??= readEphemeralRange())
}

function readEphemeralRange(): [number, number] {
  try {
    const [lo, hi] = fs
      .readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number)
    if (lo > 0 && hi >= lo) return [lo, hi]
  } catch {
    // Not Linux.
  }
  return [32768, 60999]
}

const LOWEST = 10000

/**
 * A random port outside the ephemeral range, so that no port-0 bind nor outgoing connection on
 * this host takes it; only another pick can, and the caller's retry covers that.
 */
function pickPort(): number {
  const [lo, hi] = ephemeralRange()
  const below = Math.max(0, lo - LOWEST)
  const above = Math.max(0, 65535 - hi)
  if (below + above === 0) return LOWEST + Math.floor(Math.random() * (65536 - LOWEST))
  const n = Math.floor(Math.random() * (below + above))
  return n < below ? LOWEST + n : hi + 1 + (n - below)
}

export interface PortRetry {
  /** How many ports to try (default 5). */
  attempts?: number
  /** Told about each port that was taken. */
  onTaken?: (port: number) => void
}

/** `start(port)` on a picked port, again on another while it fails with EADDRINUSE. */
export async function onFreePort<T>(
  start: (port: number) => Promise<T>,
  opts: PortRetry = {},
): Promise<T> {
  const attempts = opts.attempts ?? 5
  const tried = new Set<number>()
  for (let attempt = 1; ; attempt++) {
    let port = pickPort()
    while (tried.has(port)) port = pickPort()
    tried.add(port)
    try {
      return await start(port)
    } catch (err) {
      if (!isAddressInUse(err) || attempt >= attempts) throw err
      opts.onTaken?.(port)
    }
  }
}
