// The server under test, in its own process so that the load generator's CPU and memory are not
// counted as the server's. Started by server-proc.ts with fork(); speaks over the IPC channel:
//   → {type: 'ready', wsUrl, rtmpBase, pid}   ← {type: 'stop'}
//   → {type: 'live', streamId, at, queuedAt, sentAt}
// `at` / `queuedAt` / `sentAt` are this process's monotonic clock (stats.nowMs), comparable with
// the parent's.
import type { ServerConfig } from '../server/config'
import { nowMs } from './stats'
import { startServer } from '../testkit/server'

async function main() {
  const overrides = JSON.parse(process.argv[2] ?? '{}') as Partial<ServerConfig>
  const server = await startServer({
    ...overrides,
  })
  // Timed around streamLive rather than on its 'stream-live' event, which is emitted only after
  // the streamAdded broadcast has been written: `at` is the engine reporting media, `queuedAt`
  // the moment the last receiver's frame was queued on its socket, `sentAt` the end of the flush
  // that handed them all to the kernel (the server's writes leave once a turn).
  const service = server.service
  const streamLive = service.streamLive.bind(service)
  service.streamLive = (conf, s, sessionId) => {
    const at = nowMs()
    streamLive(conf, s, sessionId)
    const queuedAt = nowMs()
    const unwatch = server.watchFlushes(() => {
      unwatch()
      process.send?.({ type: 'live', streamId: s.id, at, queuedAt, sentAt: nowMs() })
    })
  }
  process.on('message', (m: { type?: string }) => {
    if (m?.type !== 'stop') return
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  })
  // The parent died without saying stop: do not outlive it.
  process.on('disconnect', () => server.stop().finally(() => process.exit(0)))
  process.send?.({
    type: 'ready',
    wsUrl: server.wsUrl,
    rtmpBase: server.engine.rtmpBase(),
    pid: process.pid,
  })
}

main().catch((e) => {
  console.error(`bench server: ${(e as Error).message}`)
  process.exit(1)
})
