// One SDK client for the unit tests: the Node build on its own adapter, fast timings, and a log
// of every event it emitted ([name, ...args]).
import {
  createEmedia,
  createNodeAdapter,
  type EmediaConfigInput,
} from 'miniprogram-conference-server/client'
import type { FakeServer } from './fake-server'
import { RECORDED_EVENTS } from '../../testkit/sdk-client'

export function testClient(fake: FakeServer, config: EmediaConfigInput = {}) {
  const adapter = createNodeAdapter()
  const emedia = createEmedia({
    adapter,
    config: {
      host: fake.url,
      token: 'T1',
      requestTimeout: 1500,
      reconnect: { firstDelayMs: 20, delayMs: 80, retries: 5 },
      logLevel: 'silent',
      ...config,
    },
  })
  const log: unknown[][] = []
  for (const name of RECORDED_EVENTS)
    emedia.mgr.on(name, (...args: unknown[]) => log.push([name, ...args]))
  return {
    emedia,
    mgr: emedia.mgr,
    adapter,
    log,
    /** Event names in order, with the member/stream id when there is one. */
    trail: () =>
      log.map(([name, first]) => {
        const id = first && typeof first === 'object' ? (first as { id?: string }).id : undefined
        return id ? `${name}:${id}` : (name as string)
      }),
  }
}
