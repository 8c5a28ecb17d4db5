// The address a request comes from, for every per-address limit (sockets, request rate, password
// attempts, ingest uploads). Behind a proxy the TCP peer is the proxy itself: every user would
// share one budget. The proxy's headers are believed only when the peer is one of the proxies
// named by --trust-proxy; anyone else could write them.
import { type IncomingMessage } from 'http'
import { BlockList, isIP } from 'net'

/** The trusted proxies of --trust-proxy: addresses and CIDR ranges, IPv4 or IPv6. */
export class TrustedProxies {
  private readonly list = new BlockList()
  readonly empty: boolean

  /** `spec`: comma-separated addresses or CIDRs ("127.0.0.1,10.0.0.0/8,::1"); throws on a bad one. */
  constructor(spec: string) {
    const entries = spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    for (const entry of entries) {
      const [ip, bits, extra] = entry.split('/')
      const family = isIP(ip)
      const prefix = Number(bits)
      const max = family === 6 ? 128 : 32
      const badBits =
        bits !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= max)
      if (!family || extra !== undefined || badBits)
        throw new Error(`--trust-proxy: "${entry}" is not an address or CIDR`)
      const type = family === 6 ? 'ipv6' : 'ipv4'
      if (bits === undefined) this.list.addAddress(ip, type)
      else this.list.addSubnet(ip, prefix, type)
    }
    this.empty = entries.length === 0
  }

  has(address: string): boolean {
    const family = isIP(address)
    if (this.empty || !family) return false
    return this.list.check(address, family === 6 ? 'ipv6' : 'ipv4')
  }
}

/** '::ffff:1.2.3.4' (an IPv4 peer of a dual-stack socket) is 1.2.3.4. */
export function plainAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  return m ? m[1] : address
}

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name]
  return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim()
}

/**
 * The client's address: the TCP peer, or — when the peer is a trusted proxy — the rightmost
 * X-Forwarded-For entry that is not itself a trusted proxy (the ones left of it are what the
 * client wrote), else X-Real-IP. A header that names no address leaves the peer.
 */
export function clientAddress(req: IncomingMessage, trusted: TrustedProxies): string {
  const peer = plainAddress(req.socket.remoteAddress ?? '')
  if (!trusted.has(peer)) return peer
  const hops = header(req, 'x-forwarded-for')
    .split(',')
    .map((s) => plainAddress(s.trim()))
    .filter(Boolean)
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!isIP(hops[i])) return peer
    if (!trusted.has(hops[i])) return hops[i]
  }
  // Every hop a proxy of ours: the leftmost is as far as anyone can see.
  if (hops.length) return hops[0]
  const real = plainAddress(header(req, 'x-real-ip'))
  return isIP(real) ? real : peer
}

const cache = new WeakMap<object, { spec: string; proxies: TrustedProxies }>()

/** The parsed --trust-proxy of `config` (parsed once per value). */
export function trustedProxies(config: { trustProxy: string }): TrustedProxies {
  const hit = cache.get(config)
  if (hit && hit.spec === config.trustProxy) return hit.proxies
  const proxies = new TrustedProxies(config.trustProxy)
  cache.set(config, { spec: config.trustProxy, proxies })
  return proxies
}
