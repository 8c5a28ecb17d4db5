// The Node adapter (bots, tests, server-side use): `ws` for the socket, global fetch for HTTP.
// Node has no network-status events, so the caller plays the phone: setNetwork(false) drops
// every live socket and refuses new ones until setNetwork(true), and tells the SDK both.
import WebSocket from 'ws'
import { fetchRequest } from './fetch-request'
import { socketShell } from './socket'
import { hostTimers } from './timers'
import type { Adapter, HttpRequest, HttpResponse } from './types'

export interface NodeAdapter extends Adapter {
  /** Simulates losing (false) or regaining (true) the device's network. */
  setNetwork(isConnected: boolean): void
  isNetworkUp(): boolean
}

/** How long a closing socket may take its close handshake before it is cut (dead peers). */
const CLOSE_GRACE_MS = 1000

export interface NodeAdapterOptions {
  /**
   * Options of every `ws` socket it opens: `ca` to trust a private CA for wss://, an `agent`, more
   * `headers`… (the same as NODE_EXTRA_CA_CERTS, but for this adapter alone).
   */
  socket?: WebSocket.ClientOptions
}

export function createNodeAdapter(options: NodeAdapterOptions = {}): NodeAdapter {
  let networkUp = true
  const live = new Set<WebSocket>()
  const listeners = new Set<(isConnected: boolean) => void>()

  function connect(url: string) {
    let ws: WebSocket | null = null
    const { socket, fire } = socketShell(
      (text) => {
        if (ws && ws.readyState === WebSocket.OPEN) ws.send(text)
      },
      (code, reason) => {
        if (!ws) return
        const closing = ws
        if (closing.readyState === WebSocket.OPEN) {
          closing.close(code, reason)
          const timer = setTimeout(() => closing.terminate(), CLOSE_GRACE_MS)
          timer.unref()
          closing.once('close', () => clearTimeout(timer))
        } else {
          closing.terminate()
        }
      },
    )
    if (!networkUp) {
      setImmediate(() => {
        fire.error('network is down')
        fire.close(1006, 'network is down')
      })
      return socket
    }
    ws = new WebSocket(url, options.socket)
    live.add(ws)
    ws.on('open', () => fire.open())
    ws.on('message', (data, isBinary) => {
      if (isBinary) return fire.error('binary frame ignored: the protocol is JSON text')
      fire.message(Array.isArray(data) ? Buffer.concat(data).toString() : data.toString())
    })
    ws.on('error', (err) => fire.error(err.message))
    ws.on('close', (code, reason) => {
      live.delete(ws as WebSocket)
      fire.close(code, reason.toString())
    })
    return socket
  }

  async function request(req: HttpRequest): Promise<HttpResponse> {
    if (!networkUp) throw new Error('network is down')
    return fetchRequest(fetch.bind(globalThis), req)
  }

  return {
    name: 'node',
    ...hostTimers,
    connect,
    request,
    onNetworkChange(cb) {
      listeners.add(cb)
      return () => listeners.delete(cb)
    },
    setNetwork(isConnected) {
      if (isConnected === networkUp) return
      networkUp = isConnected
      // A phone that loses its network loses its sockets with it.
      if (!isConnected) for (const ws of live) ws.terminate()
      for (const cb of Array.from(listeners)) cb(isConnected)
    },
    isNetworkUp: () => networkUp,
  }
}
