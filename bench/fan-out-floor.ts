// What a broadcast to `members` sockets costs on this machine at best: the same load generator
// (its processes, pinned as for the real fan-out) reading the same frame from a bare ws server
// that does nothing else (floor-server.ts). The real fan-out's figures are read beside these: the
// part above them is the conference server's; the floor itself is the machine's.
import { fork } from 'child_process'
import { join } from 'path'
import { LoadGen, pin } from './load-gen'
import { round, summarize, type Summary } from './stats'
import { sleep } from '../testkit/wait'

const WARM_BROADCASTS = 5

export interface FanOutFloor {
  /** The bare server: the first write → the last write returned. */
  serverSendMs: number
  /** End to end: the first write → each socket's frame read. */
  latency: Summary
  received: number
}

export async function fanOutFloor(members: number, text: string): Promise<FanOutFloor> {
  const child = fork(join(__dirname, 'floor-server.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const next = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`floor server: no ${type} in 20 s`)), 20000)
      const on = (m: { type?: string }) => {
        if (m?.type !== type) return
        clearTimeout(timer)
        child.off('message', on)
        resolve(m as T)
      }
      child.on('message', on)
    })
  const gen = await LoadGen.start()
  try {
    const { wsUrl } = await next<{ wsUrl: string }>('ready')
    pin(child.pid!, gen.plan.server)
    await gen.connect([wsUrl], members)
    const broadcast = async (frame: string) => {
      const sent = next<{ at: number; sentAt: number }>('sent')
      child.send({ type: 'go', text: frame })
      return sent
    }
    // Warm, as the conference server's write path is by the time it announces a stream (it has
    // written every member's arrivals): a first, cold broadcast takes several times as long.
    for (let i = 0; i < WARM_BROADCASTS; i++) {
      await broadcast(text.replace('"streamAdded"', '"warm"'))
      await sleep(200)
    }
    // The event's name is what the load generator's clients watch for.
    await gen.watch('streamAdded')
    const { at, sentAt } = await broadcast(text)
    const deadline = Date.now() + 20000
    let arrivals: number[] = []
    while (Date.now() < deadline) {
      arrivals = await gen.take('streamAdded')
      if (arrivals.length >= members) break
      await sleep(50)
    }
    return {
      serverSendMs: round(sentAt - at),
      latency: summarize(arrivals.map((a) => a - at)),
      received: arrivals.length,
    }
  } finally {
    await gen.close()
    child.kill()
  }
}
