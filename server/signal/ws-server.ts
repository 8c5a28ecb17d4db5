// The signalling endpoint: WebSocket upgrades on /ws of the HTTP server, one Connection each.
import { type IncomingMessage, type Server } from 'http'
import { type Duplex } from 'stream'
import type WebSocket from 'ws'
import { WebSocketServer } from 'ws'
import { CloseCode, PROTOCOL_VERSION } from '../../sdk/protocol'
import { clientAddress, trustedProxies } from '../security/client-address'
import { createSocketRegistry } from '../security/sockets'
import { Connection, type ConnectionDeps } from './connection'

export const SIGNAL_PATH = '/ws'

export function attachSignalling(http: Server, deps: ConnectionDeps): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.config.maxFrameBytes })
  const sockets = createSocketRegistry(deps.service, () => deps.config)
  // A bad --trust-proxy stops the start here, not at the first client.
  trustedProxies(deps.config)
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname !== SIGNAL_PATH) {
      // Other paths belong to the other upgrade listener when there is one (the browser ingest).
      if (http.listenerCount('upgrade') === 1)
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const version = Number(url.searchParams.get('v') ?? PROTOCOL_VERSION)
      if (version !== PROTOCOL_VERSION) {
        ws.close(CloseCode.PROTOCOL_VERSION, `protocol version ${PROTOCOL_VERSION} only`)
        return
      }
      const ip = clientAddress(req, trustedProxies(deps.config))
      const rev = Number(url.searchParams.get('rev') ?? 0)
      sockets.admit(ws, ip, () => new Connection(ws, deps, ip, Number.isInteger(rev) ? rev : 0))
    })
  })
  return wss
}
