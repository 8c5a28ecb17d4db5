// One real server per test file: started before its tests and stopped after them. The SDK
// clients and raw sockets a test opens are closed after that test, even when it failed, so that
// per-address counts and memberships do not leak into the next one.
import type { ConferenceServer, ServerConfig } from 'miniprogram-conference-server'
import { RawClient } from './raw-client'
import { clientPool } from './sdk-client'
import { startServer } from './server'

export interface RawOptions {
  /** The socket's source address (127.0.0.2, …): one machine, many clients, for per-address limits. */
  address?: string
  /** The URL's query, e.g. `v=1&rev=3`: the protocol version and revision the client speaks. */
  query?: string
  /** Headers of the upgrade, e.g. a proxy's X-Forwarded-For. */
  headers?: Record<string, string>
}

export function useServer(overrides: Partial<ServerConfig> = {}) {
  let server: ConferenceServer | undefined
  const pool = clientPool(() => suite.server)
  const raws: RawClient[] = []
  const suite = {
    get server(): ConferenceServer {
      if (!server) throw new Error('the server starts in beforeAll: use it inside a test')
      return server
    },
    /** An SDK client (testkit/sdk-client), closed after the test. */
    client: pool.client,
    /** A bare protocol socket (testkit/raw-client), closed after the test. */
    async raw(opts: RawOptions = {}): Promise<RawClient> {
      const url = opts.query ? `${suite.server.wsUrl}?${opts.query}` : suite.server.wsUrl
      const c = await RawClient.connect(url, { localAddress: opts.address, headers: opts.headers })
      raws.push(c)
      return c
    },
  }
  beforeAll(async () => {
    server = await startServer(overrides)
  })
  afterEach(async () => {
    raws.splice(0).forEach((c) => c.close())
    await pool.closeAll()
  })
  afterAll(async () => {
    await server?.stop()
  })
  return suite
}
