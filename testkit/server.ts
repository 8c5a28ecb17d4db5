// Start the real conference server on loopback with free ports, for one test file.
import type { ConferenceServer, ServerConfig, ServerParts } from 'miniprogram-conference-server'
// By path, not by the package's name: the benchmarks run this file compiled beside the server's
// sources, where the name would load a second copy of the server from its build.
import { createConferenceServer } from '../server/app'

export async function startServer(
  overrides: Partial<ServerConfig> = {},
  parts: ServerParts = {},
): Promise<ConferenceServer> {
  return createConferenceServer(
    {
      host: '127.0.0.1',
      port: 0,
      rtmpPort: 0,
      playRtmpPort: 0,
      flvPort: 0,
      logLevel: (process.env.TEST_LOG_LEVEL as ServerConfig['logLevel']) || 'silent',
      ...overrides,
    },
    [],
    {},
    parts,
  )
}

/** A development token for `userId`, straight from the server's signer. */
export function tokenFor(
  server: Pick<ConferenceServer, 'tokens'>,
  userId: string,
  maxRole?: 1 | 3 | 7 | 9,
): string {
  return server.tokens.mintUser(userId, 3600, maxRole)
}
