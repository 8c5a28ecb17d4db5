// Raw protocol clients from a chosen loopback address (127.0.0.2, …), so that per-address limits
// can be exercised from one machine; `headers` play a proxy's (X-Forwarded-For, X-Real-IP). Reuses RawClient; only the socket is made differently.
import WebSocket from 'ws'
import { RawClient } from '../helpers/raw-client'

const RawFrom = RawClient as unknown as new (ws: WebSocket) => RawClient

export function rawFrom(
  url: string,
  localAddress: string,
  headers?: Record<string, string>,
  /** More socket options (an https agent for wss://). */
  options: WebSocket.ClientOptions = {},
): Promise<RawClient> {
  const ws = new WebSocket(url, { ...options, localAddress, headers })
  const client = new RawFrom(ws)
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client))
    ws.once('error', reject)
  })
}
