// What the server knows of a request's peer. Every limit keyed by address and every decision
// about TLS asks here, so that trusting a reverse proxy (--trust-proxy) is changed in one place.
import { type IncomingMessage } from 'http'
import { isLoopbackHost } from '../loopback'

/** The address limits are counted against: the socket's peer, for now. */
export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? ''
}

/**
 * Whether the client reached us over TLS: a TLS socket, or X-Forwarded-Proto: https from a proxy
 * we trust. Until --trust-proxy lands only a proxy on loopback is trusted; then this follows it.
 */
export function cameOverTls(req: IncomingMessage): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true
  if (!isLoopbackHost(req.socket.remoteAddress ?? '')) return false
  const proto = req.headers['x-forwarded-proto']
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0].trim().toLowerCase()
  return first === 'https'
}
