// What the SDK needs from a platform, and nothing more: one WebSocket, HTTP requests (only for
// the development token), network-status events and timers. `wx.ts` and `node.ts` implement it;
// a test can implement it too.

/** Opaque timer handle: a number in a mini program, an object in Node. */
export type TimerHandle = unknown

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
  setInterval(fn: () => void, ms: number): TimerHandle
  clearInterval(handle: TimerHandle): void
}

/**
 * One WebSocket. The SDK assigns the handlers right after `connect` returns; the adapter calls
 * them asynchronously, `onClose` at most once (also after a failed connect, after `onError`).
 */
export interface AdapterSocket {
  send(text: string): void
  close(code?: number, reason?: string): void
  onOpen: (() => void) | null
  onMessage: ((text: string) => void) | null
  onClose: ((code: number, reason: string) => void) | null
  onError: ((message: string) => void) | null
}

export interface HttpRequest {
  url: string
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE'
  data?: unknown
  header?: Record<string, string>
}

export interface HttpResponse {
  statusCode: number
  /** Parsed JSON when the body is JSON, else the text. */
  data: unknown
}

export interface Adapter extends Timers {
  readonly name: string
  connect(url: string): AdapterSocket
  /** Rejects only when no response arrived (network); any HTTP status resolves. */
  request(req: HttpRequest): Promise<HttpResponse>
  /** Called with false when the device loses its network and true when it is back. */
  onNetworkChange(cb: (isConnected: boolean) => void): () => void
}
