// Whether a request reached us over TLS, for the console cookie's Secure flag.
import { type IncomingMessage } from 'http'
import { isLoopbackHost } from '../loopback'
import { plainAddress, type TrustedProxies } from '../security/client-address'

/**
 * A TLS socket, or X-Forwarded-Proto: https from a proxy of --trust-proxy or on loopback (a TLS
 * proxy on this machine, docs/deploy.md). A false "https" could only make a cookie stricter.
 */
export function cameOverTls(req: IncomingMessage, trusted: TrustedProxies): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true
  const peer = plainAddress(req.socket.remoteAddress ?? '')
  if (!isLoopbackHost(peer) && !trusted.has(peer)) return false
  const proto = req.headers['x-forwarded-proto']
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0].trim().toLowerCase()
  return first === 'https'
}
