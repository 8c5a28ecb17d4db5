// The TLS proxy in front of the server (--proxy-url), probed from outside in: a GET and a
// WebSocket upgrade of /ws and /ingest through it, each answered by the running server with what
// arrived (server/http/diagnostics.ts, for the admin secret only). What a proxy gets wrong
// shows there: upgrades not passed on (browser publishing fails with 1006), Host without its port
// (the console's sign-in refused), no X-Forwarded-For or a proxy the server does not trust (every
// user in the proxy's one per-address budget), no X-Forwarded-Proto (the console cookie not Secure).
import { type ServerConfig } from '../config'
import { DOCTOR_PARAM, type RequestFacts } from '../http/diagnostics'
import { INGEST_PATH } from '../media/ingest'
import { SIGNAL_PATH } from '../signal/ws-server'
import { type Finding, finding } from './findings'
import { parsePublicUrl } from '../public-url'
import { getJson, type RunningServer, upgrade } from './probe'

const parsedOrNull = (spec: string) => {
  try {
    return parsePublicUrl(spec)
  } catch {
    return null
  }
}

const UPGRADE_FIX =
  'pass upgrades on for /ws and /ingest: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $ck_connection; with the map of docs/deploy.md (or "upgrade")'
const XFF_FIX =
  "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; in the proxy's server block (docs/deploy.md), not dropped by a location that sets headers of its own"

function addressFinding(where: string, facts: RequestFacts, config: ServerConfig): Finding | null {
  if (!facts.forwardedFor && !facts.realIp)
    return finding(
      'proxy',
      'fail',
      `${where}: the proxy sends no X-Forwarded-For, so the server sees every client as ${facts.peer}`,
      XFF_FIX,
    )
  if (!facts.trusted)
    return finding(
      'proxy',
      'fail',
      `${where}: the proxy (${facts.peer}) is not in --trust-proxy, so every client counts as ${facts.peer}: ` +
        `one budget for everyone (--max-sockets-per-address ${config.maxSocketsPerAddress})`,
      `start the server with --trust-proxy ${facts.peer}`,
    )
  return null
}

function httpFindings(base: URL, facts: RequestFacts, config: ServerConfig): Finding[] {
  const out: Finding[] = []
  const host = (facts.host ?? '').toLowerCase()
  if (host === base.host) out.push(finding('proxy', 'ok', `the proxy passes Host ${facts.host} on`))
  else
    out.push(
      finding(
        'proxy',
        'fail',
        `the proxy sends Host ${facts.host ?? '(none)'} for ${base.origin}` +
          (host === base.hostname ? ' (the port dropped)' : '') +
          ": the console's sign-in is refused (its Origin does not match)",
        'proxy_set_header Host $http_host; ($host drops the port)',
      ),
    )
  const address = addressFinding('location /', facts, config)
  if (address) out.push(address)
  if (base.protocol === 'https:' && facts.forwardedProto !== 'https')
    out.push(
      finding(
        'proxy',
        'warn',
        "the proxy sends no X-Forwarded-Proto https: the console's session cookie is not marked Secure",
        'proxy_set_header X-Forwarded-Proto $scheme;',
      ),
    )
  return out
}

const tlsError = (error: string) => /CERT|SELF_SIGNED|UNABLE_TO|TLS|SSL|HOSTNAME/i.test(error)

export async function proxyFindings(
  config: ServerConfig,
  server: RunningServer | null,
  proxyUrl: string,
  timeoutMs: number,
): Promise<Finding[]> {
  if (!proxyUrl)
    return [
      finding(
        'proxy',
        'skip',
        'no --public-url (or --proxy-url): the TLS proxy in front of the server is not checked',
        '--public-url https://<your domain>, as the server has it, while the server runs',
      ),
    ]
  let base: URL
  try {
    base = parsePublicUrl(proxyUrl)!
  } catch {
    const flag = proxyUrl === config.publicUrl ? '--public-url' : '--proxy-url'
    return [
      finding(
        'proxy',
        'fail',
        `${flag} ${proxyUrl}: expected https://host[:port] (or wss://host[:port]/ws)`,
      ),
    ]
  }
  const out: Finding[] = []
  /** Locations whose forwarding of client addresses was seen. */
  let seen = 0
  // The URL the server gives out for itself (a cluster's moves, HTTP-FLV) must be the proxy's.
  if (!config.publicUrl)
    out.push(
      finding(
        'proxy',
        'warn',
        `no --public-url: the server gives out ws://${config.publicHost}:${config.port}/ws (a cluster's moves) and http:// media URLs, not ${base.origin}`,
        `--public-url ${base.origin}`,
      ),
    )
  else if (parsedOrNull(config.publicUrl)?.origin !== base.origin)
    out.push(
      finding(
        'proxy',
        'fail',
        `--public-url ${config.publicUrl} is not the proxy probed (${base.origin}): clients are sent where the proxy is not`,
        `--public-url ${base.origin}`,
      ),
    )
  if (base.protocol === 'http:')
    out.push(
      finding(
        'proxy',
        'warn',
        `--proxy-url ${base.origin}: WeChat opens only https:// and wss:// (of whitelisted domains)`,
        'TLS on the proxy (listen 443 ssl) with a certificate for the domain',
      ),
    )
  if (!server)
    return [
      ...out,
      finding(
        'proxy',
        'skip',
        `no server runs on port ${config.port}: nothing behind the proxy to answer the probes`,
        'start the server, then run doctor again',
      ),
    ]
  if (!config.adminSecret)
    return [
      ...out,
      finding(
        'proxy',
        'warn',
        'no admin secret: the server answers no probe, so the proxy is not checked',
        'give the server and doctor --admin-secret-file',
      ),
    ]
  const auth = { authorization: `Bearer ${config.adminSecret}` }
  const behind = `proxy_pass http://127.0.0.1:${config.port}; in the proxy's locations`
  const http = await getJson(new URL('/api/doctor', base).href, timeoutMs, auth)
  if ('error' in http) {
    const fix = tlsError(http.error)
      ? `a certificate for ${base.hostname} from a CA phones trust (e.g. Let's Encrypt)`
      : `check that the proxy runs and that ${base.hostname} leads to it`
    return [...out, finding('proxy', 'fail', `${base.origin}: ${http.error}`, fix)]
  }
  const facts = http.body as RequestFacts | null
  if (http.status === 401)
    out.push(
      finding(
        'proxy',
        'fail',
        `the server behind ${base.origin} refuses this admin secret: the proxy leads to another server`,
        behind,
      ),
    )
  else if (http.status !== 200 || typeof facts?.peer !== 'string')
    out.push(
      finding(
        'proxy',
        'fail',
        `GET ${base.origin}/api/doctor answered ${http.status}: the proxy does not lead to the server`,
        behind,
      ),
    )
  else {
    out.push(finding('proxy', 'ok', `${base.origin} leads to the server (${facts.version})`))
    out.push(...httpFindings(base, facts, config))
    seen++
  }
  for (const path of [SIGNAL_PATH, INGEST_PATH]) {
    const url = new URL(`${path}?${DOCTOR_PARAM}=1`, base)
    url.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:'
    const answer = await upgrade(url.href, timeoutMs, auth)
    if ('facts' in answer) {
      out.push(finding('proxy', 'ok', `WebSocket upgrades of ${path} reach the server`))
      const address = addressFinding(`location ${path}`, answer.facts, config)
      if (address) out.push(address)
      seen++
    } else
      out.push(
        finding(
          'proxy',
          'fail',
          `a WebSocket upgrade of ${path} through the proxy is answered ` +
            (answer.status !== undefined ? `HTTP ${answer.status}` : answer.error) +
            ': the proxy does not pass upgrades on (browsers and mini programs cannot connect)',
          UPGRADE_FIX,
        ),
      )
  }
  const addressFailed = out.some(
    (f) => f.status === 'fail' && /X-Forwarded-For|trust-proxy/.test(`${f.fix}`),
  )
  if (seen > 0 && !addressFailed)
    out.push(
      finding(
        'proxy',
        'ok',
        'the proxy names each client (X-Forwarded-For) and the server trusts it: per-address limits count clients, not the proxy',
      ),
    )
  return out
}
