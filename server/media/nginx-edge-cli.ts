// `conference-server edge-config`: print the nginx.conf of one edge (docs/deploy.md).
import { parseArgs } from 'util'
import { DEFAULT_MODULE_PATH } from './nginx/options'
import { edgeHookBase } from './nginx/edge-hooks'
import { EDGE_UPDATE_SEC, renderEdgeConfig } from './nginx/config'

export const EDGE_CONFIG_USAGE = `conference-server edge-config --name <edge> --server <url> [options]

Prints the nginx.conf of an nginx-rtmp edge whose players are authorised by the conference
server at <url> (its HTTP port, reachable from the edge) and relayed from the origin.

  --name NAME        this edge's name ([A-Za-z0-9_-], unique among the edges)
  --server URL       the conference server's HTTP base, e.g. http://10.0.0.5:8080
  --secret SECRET    the server's --secret (default: CK_SECRET)
  --listen HOST:PORT RTMP address of the edge (default 0.0.0.0:1935)
  --prefix DIR       pid, logs, temp files and control socket (default /var/lib/ck-edge)
  --app NAME         the server's --rtmp-app (default live)
  --module PATH      ngx_rtmp_module.so (default ${DEFAULT_MODULE_PATH})
  --update-sec N     ask the server again about each player every N s: kicked members are
                     cut within N s (default ${EDGE_UPDATE_SEC}; 0: never)`

/** The config text for `argv` (after the subcommand); throws with the reason on bad input. */
export function edgeConfigFromArgs(argv: string[], env: NodeJS.ProcessEnv): string {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      name: { type: 'string' },
      server: { type: 'string' },
      secret: { type: 'string' },
      listen: { type: 'string', default: '0.0.0.0:1935' },
      prefix: { type: 'string', default: '/var/lib/ck-edge' },
      app: { type: 'string', default: 'live' },
      module: { type: 'string', default: DEFAULT_MODULE_PATH },
      'update-sec': { type: 'string', default: String(EDGE_UPDATE_SEC) },
    },
  })
  const secret = values.secret ?? env.CK_SECRET
  if (!values.name || !values.server) throw new Error('--name and --server are required')
  if (!secret) throw new Error('--secret or CK_SECRET is required: the server signs with it')
  if (!/^https?:\/\/[^/]+\/?$/.test(values.server)) {
    throw new Error(`--server must be http://host:port, got "${values.server}"`)
  }
  const listen = /^\[?([^\]]+?)\]?:(\d+)$/.exec(values.listen)
  if (!listen) throw new Error(`--listen must be host:port, got "${values.listen}"`)
  if (!values.prefix.startsWith('/')) throw new Error('--prefix must be an absolute path')
  return renderEdgeConfig({
    modulePath: values.module,
    prefix: values.prefix.replace(/\/+$/, ''),
    bind: listen[1],
    rtmpPort: Number(listen[2]),
    app: values.app,
    hookBase: edgeHookBase(values.server, secret, values.name),
    workerUser: 'nobody nogroup',
    updateSec: Number(values['update-sec']),
  })
}
