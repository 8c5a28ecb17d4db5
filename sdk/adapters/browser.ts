// The browser adapter (the web participant page and the operator console): the page's own
// WebSocket, fetch, and the window's online/offline events. Typed against the few browser
// globals it uses, so the SDK still compiles without the DOM library.
import { fetchRequest } from './fetch-request'
import { socketShell } from './socket'
import { hostTimers } from './timers'
import type { Adapter, HttpRequest, HttpResponse } from './types'

interface BrowserSocket {
  readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: (() => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  onerror: (() => void) | null
  onclose: ((ev: { code: number; reason: string }) => void) | null
}

interface BrowserGlobals {
  WebSocket: new (url: string) => BrowserSocket
  fetch(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: string },
  ): Promise<{ status: number; text(): Promise<string> }>
  addEventListener(type: 'online' | 'offline', fn: () => void): void
  removeEventListener(type: 'online' | 'offline', fn: () => void): void
}

const OPEN = 1

export function createBrowserAdapter(
  g: BrowserGlobals = globalThis as unknown as BrowserGlobals,
): Adapter {
  function connect(url: string) {
    const ws = new g.WebSocket(url)
    const { socket, fire } = socketShell(
      (text) => {
        if (ws.readyState === OPEN) ws.send(text)
      },
      (code, reason) => ws.close(code, reason),
    )
    ws.onopen = () => fire.open()
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') fire.message(ev.data)
      else fire.error('binary frame ignored: the protocol is JSON text')
    }
    // The browser hides the cause of a socket error: the close that follows carries the code.
    ws.onerror = () => fire.error('websocket error')
    ws.onclose = (ev) => fire.close(ev.code, ev.reason)
    return socket
  }

  async function request(req: HttpRequest): Promise<HttpResponse> {
    return fetchRequest(g.fetch.bind(g), req)
  }

  return {
    name: 'browser',
    ...hostTimers,
    connect,
    request,
    onNetworkChange(cb) {
      const online = () => cb(true)
      const offline = () => cb(false)
      g.addEventListener('online', online)
      g.addEventListener('offline', offline)
      return () => {
        g.removeEventListener('online', online)
        g.removeEventListener('offline', offline)
      }
    },
  }
}
