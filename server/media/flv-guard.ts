// In front of node-media-server's HTTP-FLV / WS-FLV port. Its FlvSession (4.4.3,
// src/session/flv_session.js) closes itself in the constructor when the app or stream name is
// outside /^[a-zA-Z0-9_-]+$/ and returns before setting `this.broadcast`; run() then calls
// onPlay (WS-FLV: a TypeError at once) or, for plain HTTP, onClose when the socket closes —
// either way an uncaught exception that ends the process (docs/security.md). Its WebSocket server
// also takes an upgrade on any path. So only `/<app>/<name>.flv` with a name the media gate could
// have issued reaches it, on requests and upgrades alike; everything else is answered here.
import { type IncomingMessage, type Server, type ServerResponse } from 'http'
import { type Duplex } from 'stream'
import { parseTarget, refuseUpgrade } from '../http/front-door'

/** Stream ids the server issues (a prefix and base64url), and app names we configure. */
export const MEDIA_NAME = /^[A-Za-z0-9_-]{1,64}$/

/** Why `target` may not reach node-media-server, or null when it may. */
export function flvRefusal(app: string, target: string | undefined): [number, string] | null {
  const url = parseTarget(target)
  if (!(url instanceof URL)) return [url.status, url.why]
  // The raw target, not the URL's normalised path: node-media-server reads the raw one.
  const m = /^\/([^/?]*)\/([^/?]*)\.flv(?:\?|$)/.exec(target!)
  if (!m || m[1] !== app || !MEDIA_NAME.test(m[2])) return [404, 'not a stream of this server']
  return null
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void

/** Puts the filter in front of the server's request and upgrade listeners (call before listen). */
export function guardFlvPort(server: Server, app: string, refused: (why: string) => void): void {
  const requests = server.listeners('request') as RequestListener[]
  const upgrades = server.listeners('upgrade') as UpgradeListener[]
  server.removeAllListeners('request')
  server.removeAllListeners('upgrade')
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const no = flvRefusal(app, req.url)
    const method = req.method ?? ''
    if (!no && ['GET', 'POST', 'OPTIONS'].includes(method)) {
      for (const listener of requests) listener.call(server, req, res)
      return
    }
    const [status, why] = no ?? [405, `${method} not allowed`]
    refused(`${status} ${why}`)
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' })
    res.end(`${why}\n`)
  })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const no = flvRefusal(app, req.url)
    if (no) {
      refused(`upgrade ${no[0]} ${no[1]}`)
      return refuseUpgrade(socket, no[0])
    }
    for (const listener of upgrades) listener.call(server, req, socket, head)
  })
}
