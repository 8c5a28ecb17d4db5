// A `wx` for Node made of real parts: connectSocket is a real WebSocket (ws), request a real HTTP
// call (Node's http, which jsdom test files have, unlike fetch), network events are driven by the
// test. It lets the mini program build of the kit (miniprogram_dist, wx adapter) run against the
// real server exactly as a page would use it.
import * as http from 'http'
import * as https from 'https'
import WebSocket from 'ws'

type Listener<T> = (res: T) => void

export interface WxShim {
  connectSocket(opt: { url: string; fail?: Listener<{ errMsg: string }> }): unknown
  request(opt: {
    url: string
    method?: string
    data?: unknown
    header?: Record<string, string>
    success?: Listener<{ statusCode: number; data: unknown; header: Record<string, string> }>
    fail?: Listener<{ errMsg: string }>
    complete?: () => void
  }): void
  onNetworkStatusChange(cb: Listener<{ isConnected: boolean; networkType: string }>): void
  offNetworkStatusChange(cb: Listener<{ isConnected: boolean; networkType: string }>): void
  /** Test control: the phone loses (false) or regains (true) its network. */
  setNetwork(isConnected: boolean): void
  /** Every socket this shim opened (to assert on and to clean up). */
  sockets: WebSocket[]
  [key: string]: unknown
}

export function createWxShim(): WxShim {
  const netListeners = new Set<Listener<{ isConnected: boolean; networkType: string }>>()
  const sockets: WebSocket[] = []
  let up = true

  return {
    sockets,
    connectSocket({ url, fail }) {
      const ws = new WebSocket(url)
      sockets.push(ws)
      const on = (event: string, fn: (...a: any[]) => void) => ws.on(event, fn)
      ws.on('error', () => undefined)
      if (!up) setImmediate(() => fail?.({ errMsg: 'connectSocket:fail network is down' }))
      return {
        send: ({ data, fail: sendFail }: { data: string; fail?: Listener<{ errMsg: string }> }) => {
          if (ws.readyState === WebSocket.OPEN) ws.send(data)
          else sendFail?.({ errMsg: 'sendSocketMessage:fail socket is not open' })
        },
        close: ({ code, reason }: { code?: number; reason?: string } = {}) => {
          if (ws.readyState === WebSocket.OPEN) ws.close(code ?? 1000, reason)
          else ws.terminate()
        },
        onOpen: (cb: Listener<object>) => on('open', () => cb({})),
        onMessage: (cb: Listener<{ data: string }>) =>
          on('message', (d: Buffer) => cb({ data: d.toString() })),
        onClose: (cb: Listener<{ code: number; reason: string }>) =>
          on('close', (code: number, reason: Buffer) => cb({ code, reason: reason.toString() })),
        onError: (cb: Listener<{ errMsg: string }>) =>
          on('error', (e: Error) => cb({ errMsg: e.message })),
      }
    },
    request({ url, method = 'GET', data, header, success, fail, complete }) {
      if (!up) {
        setImmediate(() => (fail?.({ errMsg: 'request:fail network is down' }), complete?.()))
        return
      }
      const body = method === 'GET' || data === undefined ? undefined : JSON.stringify(data)
      const client = url.startsWith('https:') ? https : http
      const req = client.request(url, { method, headers: header }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString()
          let parsed: unknown = text
          try {
            parsed = JSON.parse(text)
          } catch {
            /* wx.request hands over text that is not JSON as it is */
          }
          const headers: Record<string, string> = {}
          for (const [k, v] of Object.entries(res.headers)) headers[k] = String(v)
          success?.({ statusCode: res.statusCode ?? 0, data: parsed, header: headers })
          complete?.()
        })
      })
      req.on('error', (e: Error) => {
        fail?.({ errMsg: `request:fail ${e.message}` })
        complete?.()
      })
      req.end(body)
    },
    onNetworkStatusChange(cb) {
      netListeners.add(cb)
    },
    offNetworkStatusChange(cb) {
      netListeners.delete(cb)
    },
    setNetwork(isConnected) {
      up = isConnected
      if (!isConnected) for (const ws of sockets) ws.terminate()
      for (const cb of netListeners) cb({ isConnected, networkType: isConnected ? 'wifi' : 'none' })
    },
  }
}
