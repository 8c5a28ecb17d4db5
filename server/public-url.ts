// --public-url: where clients reach this server when a TLS proxy is in front of it
// (docs/deploy.md). The URLs the server hands out for itself are made from it: its signalling URL
// in a cluster (move, failover, the node list) and the embedded engine's HTTP-FLV base, which the
// proxy carries too — an https page may not fetch http:// media (mixed content).
import { SIGNAL_PATH } from './signal/ws-server'

const SCHEMES: Record<string, 'http:' | 'https:'> = {
  'https:': 'https:',
  'http:': 'http:',
  'wss:': 'https:',
  'ws:': 'http:',
}

/**
 * The origin of a --public-url (https://conf.example.com:8443), or null when unset. Takes
 * https://host[:port] or its signalling form wss://host[:port]/ws; throws on anything else.
 */
export function parsePublicUrl(spec: string): URL | null {
  if (!spec) return null
  const expected = `expected https://host[:port] (or wss://host[:port]${SIGNAL_PATH}), got "${spec}"`
  let url: URL
  try {
    url = new URL(spec)
  } catch {
    throw new Error(`--public-url: ${expected}`)
  }
  const scheme = SCHEMES[url.protocol]
  const isWs = url.protocol === 'wss:' || url.protocol === 'ws:'
  const path = url.pathname === '/' || (isWs && url.pathname === SIGNAL_PATH)
  const extra = url.search || url.hash || url.username || url.password
  // The pages and the proxy block serve from the root: a path prefix would need both rewritten.
  if (!scheme || !path || extra || !url.hostname) throw new Error(`--public-url: ${expected}`)
  return new URL(`${scheme}//${url.host}`)
}

/** What clients are told: the HTTP base and the signalling URL. */
export interface PublicUrls {
  /** https://conf.example.com:8443 (no trailing slash) */
  http: string
  /** wss://conf.example.com:8443/ws */
  ws: string
}

export function publicUrls(origin: URL): PublicUrls {
  return { http: origin.origin, ws: origin.origin.replace(/^http/, 'ws') + SIGNAL_PATH }
}

/** The HTTP-FLV base through the proxy: the same origin as the pages, path /<rtmp app>. */
export function publicFlvBase(origin: URL, app: string): string {
  return `${origin.origin}/${app}`
}
