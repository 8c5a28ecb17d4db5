// The signalling endpoint: WebSocket upgrades on /ws of the HTTP server, one Connection each. The
// HTTP server's front door parses the target and hands every upgrade to `handleUpgrade`.
import { type IncomingMessage } from 'http'
import { type Duplex } from 'stream'
import type WebSocket from 'ws'
import { WebSocketServer } from 'ws'
import {
  acceptsVersion,
  CloseCode,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
} from 'miniprogram-conference-protocol'
import { clientAddress, trustedProxies } from '../security/client-address'
import { createSocketRegistry } from '../security/sockets'
import { Connection, type ConnectionDeps } from './connection'
import { Corking } from './corking'

export const SIGNAL_PATH = '/ws'

export interface Signalling {
  wss: WebSocketServer
  /** Where the sockets' writes wait for the end of the turn; watch() says when they left. */
  corking: Corking
  /** Takes an upgrade on SIGNAL_PATH (true); leaves any other path to the caller (false). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean
}

export function createSignalling(given: Omit<ConnectionDeps, 'corking'>): Signalling {
  const corking = new Corking()
  const deps: ConnectionDeps = { ...given, corking }
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.config.maxFrameBytes })
  const sockets = createSocketRegistry(deps.service, () => deps.config)
  // A bad --trust-proxy stops the start here, not at the first client.
  trustedProxies(deps.config)
  return {
    wss,
    corking,
    handleUpgrade(req, socket, head, url) {
      if (url.pathname !== SIGNAL_PATH) return false
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        // A socket refused below can still get a malformed frame before its close completes.
        ws.on('error', () => ws.terminate())
        const version = Number(url.searchParams.get('v') ?? PROTOCOL_VERSION)
        if (!acceptsVersion(version)) {
          const range =
            MIN_PROTOCOL_VERSION === PROTOCOL_VERSION
              ? `${PROTOCOL_VERSION}`
              : `${MIN_PROTOCOL_VERSION} to ${PROTOCOL_VERSION}`
          ws.close(CloseCode.PROTOCOL_VERSION, `protocol version ${range} only`)
          return
        }
        const ip = clientAddress(req, trustedProxies(deps.config))
        const rev = Number(url.searchParams.get('rev') ?? 0)
        sockets.admit(ws, ip, () => new Connection(ws, deps, ip, Number.isInteger(rev) ? rev : 0))
      })
      return true
    },
  }
}
