// What a request looked like when it arrived, for `conference-server doctor` to see what a TLS
// proxy passes on: the TCP peer, Host, the forwarding headers, and the client address every
// per-address limit counts. Only for the admin secret (it tells the proxies' addresses):
// GET /api/doctor is an operator route, and a WebSocket upgrade of /ws or /ingest with ?doctor —
// the very paths clients use, so the proxy's upgrade blocks are what is probed — answers these
// facts in one message and closes. Nothing else happens on such a socket.
import { type IncomingMessage } from 'http'
import { type Duplex } from 'stream'
import { WebSocketServer } from 'ws'
import { type ServerConfig } from '../config'
import { clientAddress, plainAddress, trustedProxies } from '../security/client-address'
import { VERSION } from '../version'
import { type SecretChecks } from './auth'
import { refuseUpgrade } from './front-door'
import { HttpError } from './http-error'

/** The query parameter that makes an upgrade of /ws or /ingest a doctor's probe. */
export const DOCTOR_PARAM = 'doctor'

export interface RequestFacts {
  version: string
  /** The TCP peer: the proxy, behind one. */
  peer: string
  host: string | null
  forwardedFor: string | null
  realIp: string | null
  forwardedProto: string | null
  /** The address the per-address limits count (docs/security.md, --trust-proxy). */
  client: string
  /** The peer is one of --trust-proxy. */
  trusted: boolean
  /** Arrived as a WebSocket upgrade. */
  upgrade: boolean
}

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name]
  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v
}

export function requestFacts(req: IncomingMessage, config: ServerConfig): RequestFacts {
  const trusted = trustedProxies(config)
  const peer = plainAddress(req.socket.remoteAddress ?? '')
  return {
    version: VERSION,
    peer,
    host: header(req, 'host'),
    forwardedFor: header(req, 'x-forwarded-for'),
    realIp: header(req, 'x-real-ip'),
    forwardedProto: header(req, 'x-forwarded-proto'),
    client: clientAddress(req, trusted),
    trusted: trusted.has(peer),
    upgrade: (req.headers.upgrade ?? '').toLowerCase() === 'websocket',
  }
}

/** The probe of upgrades: `paths` are the WebSocket paths clients use. */
export function createDoctorProbe(config: ServerConfig, checks: SecretChecks, paths: string[]) {
  // The probe sends nothing: a frame from the other side is refused by size.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 })
  return {
    /** Takes an upgrade of `paths` that carries ?doctor; false for any other. */
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean {
      if (!paths.includes(url.pathname) || !url.searchParams.has(DOCTOR_PARAM)) return false
      try {
        checks.bearer(req, config.adminSecret, 'the admin secret')
      } catch (e) {
        if (!(e instanceof HttpError)) throw e
        refuseUpgrade(socket, e.status)
        return true
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', () => ws.terminate())
        ws.send(JSON.stringify(requestFacts(req, config)))
        ws.close(1000, 'doctor')
        setTimeout(() => ws.terminate(), 5000).unref()
      })
      return true
    },
    close: () => wss.close(),
  }
}
