// `conference-server [start]`: runs the server, prints where to reach it, writes --ready-file,
// and stops it on SIGINT / SIGTERM.
import fs from 'fs'
import { createConferenceServer, type ConferenceServer } from './app'
import { installLastResort } from './last-resort'
import { createLogger } from './log'
import { isLoopbackHost } from './loopback'

/** --ready-file: what a parent that passed port 0 needs, written whole (rename) or not at all. */
function writeReadyFile(file: string, server: ConferenceServer): void {
  const rtmpBase = server.engine.rtmpBase()
  const flvBase = server.engine.flvBase()
  const portOf = (url: string | null) => {
    if (!url) return null
    const u = new URL(url)
    return Number(u.port) || (u.protocol === 'rtmp:' ? 1935 : 80) // URL drops a default port
  }
  const playBase = server.engine.playBase()
  const ready = {
    pid: process.pid,
    port: portOf(server.httpUrl),
    rtmpPort: portOf(rtmpBase),
    playRtmpPort: portOf(playBase),
    flvPort: portOf(flvBase),
    httpUrl: server.httpUrl,
    wsUrl: server.wsUrl,
    rtmpBase,
    playBase,
    flvBase,
  }
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(ready) + '\n')
  fs.renameSync(`${file}.tmp`, file)
}

export async function startCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  installLastResort(createLogger('info').child({ mod: 'last-resort' }))
  const server = await createConferenceServer({}, argv, env)
  const { config, engine } = server
  // Only a development server on loopback shows its (throwaway) admin secret: its terminal belongs
  // to the only user who can reach it. Everywhere else the secret is never printed.
  const showAdmin = config.dev && isLoopbackHost(config.host)
  const lines = [
    '',
    'miniprogram-conference-kit server is running / 服务已启动',
    '',
    `  Open this URL to join a call from a browser / 用浏览器打开即可参会:  ${server.publicHttpUrl}/`,
    ...(config.adminSecret
      ? [
          `  Operator console / 运维控制台:                                       ${server.publicHttpUrl}/console`,
        ]
      : []),
    '',
    `  WebSocket (emedia.config host): ${server.publicWsUrl}`,
    `  HTTP:                           ${server.httpUrl}  (GET /healthz)`,
    `  RTMP base:                      ${engine.rtmpBase()}`,
    ...(engine.playBase() !== engine.rtmpBase()
      ? [`  RTMP base of players:           ${engine.playBase()}`]
      : []),
    ...(engine.flvBase() ? [`  HTTP-FLV base:                  ${engine.flvBase()}`] : []),
    config.dev
      ? `  Development mode: GET ${server.httpUrl}/dev/token?userId=alice hands out tokens.`
      : '  Production mode: your backend mints tokens (POST /api/tokens or mintUserToken).',
    // Without an admin secret outside dev mode both are off: say so rather than advertise them.
    ...(config.adminSecret
      ? [
          `  Operator API: GET ${server.httpUrl}/api/conferences with Authorization: Bearer ${showAdmin ? config.adminSecret : '<admin secret>'}`,
          `  (the console signs in with the same admin secret; Prometheus: GET ${server.httpUrl}/metrics)`,
        ]
      : [
          '  Operator API and console / 运维接口与控制台: off (no --admin-secret-file / CK_ADMIN_SECRET_FILE)',
          `  Prometheus: GET ${server.httpUrl}/metrics`,
        ]),
    '',
    'Next / 下一步:',
    '  - Open demo/ in WeChat DevTools and set the server URL above on the index page (demo/README.md).',
    config.dev && !isLoopbackHost(config.host)
      ? '  - WARNING: development mode on a network address: anyone who reaches it gets tokens with every right.'
      : '  - Phones on your LAN: restart with --dev --host 0.0.0.0 --public-host <your LAN IP> (development mode, anyone on the LAN gets tokens).',
    '  - Node bots and tests: require("miniprogram-conference-server/client") (sdk/README.md).',
    '',
  ]
  console.log(lines.join('\n'))
  if (config.readyFile) writeReadyFile(config.readyFile, server)
  const shutdown = () => {
    void server.stop().then(() => process.exit(0))
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}
