// The mini program adapter: wx.connectSocket (SocketTask), wx.request, wx.onNetworkStatusChange.
// It takes the `wx` object as a parameter, typed by the little of it we use, so the shared SDK
// never depends on the global `wx` typings (and a test can hand in a fake).
import { socketShell } from './socket'
import { hostTimers } from './timers'
import type { Adapter, HttpRequest, HttpResponse, Timers } from './types'

interface WxErr {
  errMsg: string
}

export interface WxSocketTask {
  send(option: { data: string; fail?: (res: WxErr) => void }): void
  close(option: { code?: number; reason?: string }): void
  onOpen(listener: (res: unknown) => void): void
  onMessage(listener: (res: { data: string | ArrayBuffer }) => void): void
  onClose(listener: (res: { code: number; reason: string }) => void): void
  onError(listener: (res: WxErr) => void): void
}

export interface WxNetworkStatus {
  isConnected: boolean
  networkType?: string
}

/** The part of `wx` this adapter uses. */
export interface WxLike {
  connectSocket(option: { url: string; fail?: (res: WxErr) => void }): WxSocketTask
  request(option: {
    url: string
    method?: 'GET' | 'POST' | 'PUT' | 'DELETE'
    data?: string | Record<string, unknown> | ArrayBuffer
    header?: Record<string, string>
    success?: (res: { statusCode: number; data: unknown }) => void
    fail?: (err: WxErr) => void
  }): unknown
  onNetworkStatusChange(listener: (res: WxNetworkStatus) => void): void
  /**
   * Base library 2.9.3+; older ones cannot remove a listener (we then ignore its calls). `any`:
   * the official typings give this listener another type than onNetworkStatusChange's.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  offNetworkStatusChange?(listener: (res: any) => void): void
}

/**
 * `source` is the `wx` object or a function returning it: the default instance is made when the
 * module loads, and only touches `wx` once it connects (so Node tests can import the kit).
 */
export function createWxAdapter(
  source: WxLike | (() => WxLike | undefined),
  timers: Timers = hostTimers,
): Adapter {
  const getWx = (): WxLike => {
    const wx = typeof source === 'function' ? source() : source
    if (!wx || typeof wx.connectSocket !== 'function') {
      throw new TypeError('wx adapter: no mini program `wx` object (pass it to createWxAdapter)')
    }
    return wx
  }
  if (typeof source !== 'function') getWx()
  return {
    name: 'wx',
    ...timers,
    connect(url) {
      const wx = getWx()
      let task: WxSocketTask | null = null
      const { socket, fire } = socketShell(
        (data) => task?.send({ data, fail: (res) => fire.error(res.errMsg) }),
        (code, reason) => {
          task?.close({ code, reason })
          // A SocketTask reports its close late (or never when the network is gone): the caller
          // has already moved on, so report it now.
          fire.close(code, reason)
        },
      )
      task = wx.connectSocket({
        url,
        fail: (res) => {
          fire.error(res.errMsg)
          fire.close(1006, res.errMsg)
        },
      })
      task.onOpen(() => fire.open())
      task.onMessage((res) => {
        if (typeof res.data === 'string') fire.message(res.data)
        else fire.error('binary frame ignored: the protocol is JSON text')
      })
      task.onError((res) => fire.error(res.errMsg))
      task.onClose((res) => fire.close(res.code, res.reason))
      return socket
    },
    request(req: HttpRequest): Promise<HttpResponse> {
      return new Promise((resolve, reject) => {
        getWx().request({
          url: req.url,
          method: req.method || 'GET',
          data: req.data as Record<string, unknown> | undefined,
          header: req.header,
          success: (res) => resolve({ statusCode: res.statusCode, data: res.data }),
          fail: (err) => reject(new Error(err.errMsg)),
        })
      })
    },
    onNetworkChange(cb) {
      let active = true
      const listener = (res: WxNetworkStatus) => active && cb(res.isConnected)
      const wx = getWx()
      wx.onNetworkStatusChange(listener)
      return () => {
        active = false
        wx.offNetworkStatusChange?.(listener)
      }
    },
  }
}
