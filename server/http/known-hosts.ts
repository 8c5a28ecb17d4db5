// DNS rebinding protection for development mode: a web page on evil.example can point its own
// name at 127.0.0.1 and then script a development server on loopback (tokens with every right,
// the operator routes). Its requests carry Host: evil.example, so a development server answers
// only the names it knows: loopback names and addresses, --host, --public-host and --public-url's.
import { type IncomingMessage } from 'http'
import { type ServerConfig } from '../config'
import { isLoopbackHost } from '../loopback'
import { parsePublicUrl } from '../public-url'

/** The Host header's name: lower case, port and IPv6 brackets dropped ('' when absent). */
export function hostName(req: IncomingMessage): string {
  const host = (req.headers.host ?? '').toLowerCase()
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(host)
  if (v6) return v6[1]
  return host.replace(/:\d+$/, '')
}

/** Whether `req` may be served: always in production, by a known Host in development mode. */
export function knownHost(req: IncomingMessage, config: ServerConfig): boolean {
  if (!config.dev) return true
  const name = hostName(req)
  if (name === '') return false
  return (
    isLoopbackHost(name) ||
    name === config.publicHost.toLowerCase() ||
    name === config.host.toLowerCase() ||
    name === parsePublicUrl(config.publicUrl)?.hostname.replace(/^\[(.*)\]$/, '$1')
  )
}

export const UNKNOWN_HOST_TEXT =
  'This development server answers only to localhost, loopback addresses, --public-host and ' +
  '--public-url (DNS rebinding protection). Reach it by one of those, or add your name with ' +
  '--public-host.\n'
