// In front of node-media-server's RTMP sessions. Its parser (4.4.3, src/protocol/rtmp.js) runs in
// the socket's 'data' listener with no try/catch, and throws on what a stranger can send: a
// connect whose tcUrl is no URL (`new URL` in onConnect), a publish or play without a stream name
// (`undefined.split`), a control message shorter than 4 bytes (readUInt32BE); any of them would
// end the process. It also allocates, zero-filled, whatever length a chunk header announces, for
// each of up to 65599 chunk streams. So each session's input is fed to it inside a try/catch
// (a throw drops that connection only), with a budget on what it may allocate.
import { type Socket } from 'net'
import type NodeMediaServer from 'node-media-server'
import Context from 'node-media-server/src/core/context.js'

/** One RTMP message (a video keyframe is the largest we expect: well under this). */
export const MAX_RTMP_MESSAGE = 8 * 1024 * 1024
/** All of one session's message buffers together. */
export const MAX_RTMP_BUFFERS = 16 * 1024 * 1024

/** The session node-media-server just made for `socket` (the last one registered). */
function sessionOf(socket: Socket): NodeMediaServer.Session | undefined {
  let found: NodeMediaServer.Session | undefined
  for (const s of Context.sessions.values()) if (s.socket === socket) found = s
  return found
}

/**
 * Call right after `nms.rtmpServer.handleRequest(socket)`. `refused` is told why a connection
 * was dropped. Returns false (and drops the socket) when the session is not found.
 */
export function guardRtmpSession(socket: Socket, refused: (why: string) => void): boolean {
  const session = sessionOf(socket)
  const onData = session?.onData
  const rtmp = session?.rtmp
  if (!session || !onData || !rtmp) {
    socket.destroy()
    refused('no RTMP session for the socket')
    return false
  }
  const alloc = rtmp.packetAlloc.bind(rtmp)
  rtmp.packetAlloc = () => {
    const want = rtmp.parserPacket.header.length
    if (want > rtmp.parserPacket.capacity) {
      let held = 0
      for (const p of rtmp.inPackets.values()) held += p.capacity
      if (want > MAX_RTMP_MESSAGE || held - rtmp.parserPacket.capacity + want > MAX_RTMP_BUFFERS)
        throw new Error(`RTMP message of ${want} bytes over the session's budget`)
    }
    alloc()
  }
  socket.off('data', onData)
  socket.on('data', (data: Buffer) => {
    if (socket.destroyed) return
    try {
      onData(data)
    } catch (err) {
      socket.destroy()
      refused(`malformed RTMP input: ${(err as Error).message}`)
    }
  })
  return true
}
