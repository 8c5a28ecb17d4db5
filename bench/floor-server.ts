// The fan-out floor's server (fan-out-floor.ts starts it): a bare ws server that does nothing but
// write one frame to every socket it holds, on command over the IPC channel. What it takes is what
// this machine, Node and ws take for the same broadcast, with none of the conference server's work.
//   → {type: 'ready', wsUrl}     ← {type: 'go', text}     → {type: 'sent', at, sentAt}
// `at` / `sentAt` are this host's monotonic clock (stats.nowMs), comparable with the parent's.
import { WebSocketServer } from 'ws'
import { nowMs } from './stats'

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
wss.on('listening', () => {
  const { port } = wss.address() as { port: number }
  process.send?.({ type: 'ready', wsUrl: `ws://127.0.0.1:${port}` })
})
process.on('message', (m: { type?: string; text?: string }) => {
  if (m?.type !== 'go' || typeof m.text !== 'string') return
  const bytes = Buffer.from(m.text)
  const at = nowMs()
  for (const ws of wss.clients) ws.send(bytes, { binary: false })
  process.send?.({ type: 'sent', at, sentAt: nowMs() })
})
process.on('disconnect', () => process.exit(0))
