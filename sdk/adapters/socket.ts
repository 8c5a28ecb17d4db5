// Shared by the platform adapters: an AdapterSocket whose events fire in a sane order (nothing
// after close, close at most once), and the close codes a client may send.
import type { AdapterSocket } from './types'

export interface SocketEvents {
  open(): void
  message(text: string): void
  error(message: string): void
  close(code: number, reason: string): void
}

/** RFC 6455: a client may only send 1000 or an application code 3000–4999. */
export function clientCloseCode(code: number | undefined): number {
  return code === 1000 || (typeof code === 'number' && code >= 3000 && code <= 4999) ? code : 1000
}

export function socketShell(
  send: (text: string) => void,
  close: (code: number, reason: string) => void,
): { socket: AdapterSocket; fire: SocketEvents } {
  let closed = false
  const socket: AdapterSocket = {
    send,
    close: (code, reason = '') => close(clientCloseCode(code), reason),
    onOpen: null,
    onMessage: null,
    onClose: null,
    onError: null,
  }
  const fire: SocketEvents = {
    open: () => !closed && socket.onOpen?.(),
    message: (text) => !closed && socket.onMessage?.(text),
    error: (message) => !closed && socket.onError?.(message),
    close: (code, reason) => {
      if (closed) return
      closed = true
      socket.onClose?.(code, reason)
    },
  }
  return { socket, fire }
}
