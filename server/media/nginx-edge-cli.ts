// `conference-server edge-config`: print the nginx.conf of one edge (docs/deploy.md). Its options
// are read by the one parser of every subcommand (server/options.ts); the secret, its file, the
// RTMP application and the module are the server's own options, so an edge host can share the
// server's environment file.
import { type ServerConfig, serverOption } from '../config'
import { type CommandSpec, parseOptions, UsageError, withDefaults } from '../options'
import { readSecretFiles } from '../secrets'
import { edgeHookBase } from './nginx/edge-hooks'
import { EDGE_UPDATE_SEC, renderEdgeConfig } from './nginx/config'

type EdgeKey = 'name' | 'server' | 'listen' | 'prefix' | 'updateSec'

export const EDGE_CONFIG: CommandSpec<EdgeKey | keyof ServerConfig> = {
  name: 'edge-config',
  usage: 'conference-server edge-config --name NAME --server URL [options]',
  about:
    'Prints the nginx.conf of an nginx-rtmp edge whose players are authorised by the conference ' +
    'server at --server (its HTTP port, reachable from the edge) and relayed from the origin ' +
    '(docs/deploy.md, origin and edges).',
  options: [
    {
      key: 'name',
      kind: 'string',
      def: '',
      env: null,
      doc: "This edge's name ([A-Za-z0-9_-], unique among the edges). Required.",
    },
    {
      key: 'server',
      kind: 'string',
      def: '',
      env: null,
      doc: "The conference server's HTTP base, e.g. http://10.0.0.5:8080. Required.",
    },
    { ...serverOption('secret'), doc: "The server's secret: the edge's hook key derives from it." },
    { ...serverOption('secretFile'), doc: 'File holding --secret (as the server reads it).' },
    {
      key: 'listen',
      kind: 'string',
      def: '0.0.0.0:1935',
      env: null,
      doc: 'RTMP address of the edge (HOST:PORT).',
    },
    {
      key: 'prefix',
      kind: 'string',
      def: '/var/lib/ck-edge',
      env: null,
      doc: "The edge nginx's prefix: pid, logs, temp files and control socket.",
    },
    { ...serverOption('rtmpApp'), doc: "The server's --rtmp-app." },
    serverOption('nginxModule'),
    {
      key: 'updateSec',
      kind: 'int',
      def: EDGE_UPDATE_SEC,
      env: null,
      doc: 'Ask the server again about each player every N s: kicked members are cut within N s (0: never).',
    },
  ],
}

/** The config text for `argv` (after the subcommand); throws with the reason on bad input. */
export function edgeConfigFromArgs(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  const usage = (message: string) => new UsageError(EDGE_CONFIG.name, message)
  const parsed = parseOptions(EDGE_CONFIG, argv, env)
  const problems = [...parsed.problems, ...readSecretFiles(parsed.values, parsed.given)]
  if (problems.length) throw new Error(problems[0].message)
  const v = withDefaults(EDGE_CONFIG.options, parsed.values) as Record<string, string | number>
  const [name, server, secret] = [String(v.name), String(v.server), String(v.secret)]
  if (!name || !server) throw usage('--name and --server are required')
  if (!secret)
    throw usage('--secret, --secret-file or CK_SECRET is required: the server signs with it')
  if (!/^https?:\/\/[^/]+\/?$/.test(server)) {
    throw usage(`--server must be http://host:port, got "${server}"`)
  }
  const listen = /^\[?([^\]]+?)\]?:(\d+)$/.exec(String(v.listen))
  if (!listen) throw usage(`--listen must be host:port, got "${v.listen}"`)
  const prefix = String(v.prefix)
  if (!prefix.startsWith('/')) throw usage('--prefix must be an absolute path')
  return renderEdgeConfig({
    modulePath: String(v.nginxModule),
    prefix: prefix.replace(/\/+$/, ''),
    bind: listen[1],
    rtmpPort: Number(listen[2]),
    app: String(v.rtmpApp),
    hookBase: edgeHookBase(server, secret, name),
    workerUser: 'nobody nogroup',
    updateSec: Number(v.updateSec),
  })
}
