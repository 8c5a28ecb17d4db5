// One real server per test file: started before its tests, and after them its SDK clients closed
// and the server stopped, even when a test failed.
import type { ConferenceServer, ServerConfig } from 'miniprogram-conference-server'
import { clientPool } from './sdk-client'
import { startServer } from './server'

export function useServer(overrides: Partial<ServerConfig> = {}) {
  let server: ConferenceServer | undefined
  const pool = clientPool(() => suite.server)
  const suite = {
    get server(): ConferenceServer {
      if (!server) throw new Error('the server starts in beforeAll: use it inside a test')
      return server
    },
    ...pool,
  }
  beforeAll(async () => {
    server = await startServer(overrides)
  })
  afterAll(async () => {
    await pool.closeAll()
    await server?.stop()
  })
  return suite
}
