// Server configuration: one table of options, read from CLI flags, then environment variables,
// then defaults (server/options.ts). docs/server.md is generated from the same table
// (`describeOptions`); `conference-server doctor` reads it too.
import { randomBytes } from 'crypto'
import {
  type CommandSpec,
  envOf,
  optionsTable,
  type OptionSpec,
  parseOptions,
  withDefaults,
} from './options'
import { DEFAULT_MODULE_PATH } from './media/nginx/options'
import { readSecretFiles, secretProblems } from './secrets'
import { PROTOCOL_REVISION } from 'miniprogram-conference-protocol'

/** Something in the configuration that stops the server: `key` is the option it is about. */
export interface ConfigProblem {
  key: keyof ServerConfig
  message: string
}

export interface ServerConfig {
  host: string
  port: number
  publicHost: string
  appId: string
  secret: string
  secretFile: string
  dev: boolean
  adminSecret: string
  adminSecretFile: string
  secretFailuresPerAddress: number
  secretLockoutSec: number
  graceMs: number
  heartbeatMs: number
  ticketTtlSec: number
  mediaTokenTtlSec: number
  devTokenTtlSec: number
  maxFrameBytes: number
  msgRate: number
  msgBurst: number
  maxSocketsPerAddress: number
  msgRatePerAddress: number
  msgBurstPerAddress: number
  trustProxy: string
  authTimeoutMs: number
  maxSockets: number
  maxConferencesPerUser: number
  passwordFailures: number
  passwordFailuresPerAddress: number
  passwordLockoutSec: number
  maxConferenceMembers: number
  kickBanSec: number
  attrsIntervalMs: number
  attrsRate: number
  chatRate: number
  chatRoomRate: number
  chatModerationUrl: string
  chatModerationTimeoutMs: number
  maxIngests: number
  maxIngestsPerUser: number
  maxIngestsPerAddress: number
  ingestIdleSec: number
  engine: 'embedded' | 'nginx'
  nginxPlayers: 'edge' | 'nginx'
  rtmpPort: number
  playRtmpPort: number
  flvPort: number
  rtmpApp: string
  edgeRtmp: string
  recordingsDir: string
  mixWidth: number
  mixHeight: number
  redis: string
  nodeId: string
  drainMs: number
  protocolRevision: number
  readyFile: string
  logLevel: 'silent' | 'error' | 'warn' | 'info' | 'debug'
  publicUrl: string
  nginxModule: string
  recordingsMaxAgeDays: number
  recordingsMaxMb: number
}

type Option = OptionSpec<keyof ServerConfig>

const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const

export const OPTIONS: readonly Option[] = [
  { key: 'host', kind: 'string', def: '127.0.0.1', doc: 'Address to listen on (0.0.0.0 for LAN).' },
  { key: 'port', kind: 'int', def: 8080, doc: 'HTTP + WebSocket port (0: any free port).' },
  {
    key: 'publicHost',
    kind: 'string',
    def: (c) =>
      c.host === '0.0.0.0' || c.host === '::' ? '127.0.0.1' : String(c.host ?? '127.0.0.1'),
    doc: 'Host name or IP put into media URLs; phones must reach it (your LAN IP).',
  },
  { key: 'appId', kind: 'string', def: 'default', doc: 'App id that user tokens must carry.' },
  {
    key: 'secret',
    kind: 'string',
    def: '',
    doc: 'HMAC secret for user tokens, tickets and media URLs, at least 32 characters. Unset: development mode with a random secret; set but empty: an error. On the command line every local user can read it: prefer --secret-file.',
  },
  {
    key: 'secretFile',
    kind: 'string',
    def: '',
    doc: 'File holding --secret (a trailing newline is dropped). Not together with --secret.',
  },
  {
    key: 'dev',
    kind: 'bool',
    def: (c) => !c.secret,
    doc: 'Development mode: serves GET /dev/token. On by default only when no secret is set, and then only on a loopback --host; elsewhere pass --dev to mean it.',
  },
  {
    key: 'adminSecret',
    kind: 'string',
    def: '',
    doc: 'Bearer secret for the operator API and console sign-in, at least 32 characters. Unset: random in dev mode, API off otherwise.',
  },
  {
    key: 'adminSecretFile',
    kind: 'string',
    def: '',
    doc: 'File holding --admin-secret (a trailing newline is dropped). Not together with --admin-secret.',
  },
  {
    key: 'secretFailuresPerAddress',
    kind: 'int',
    def: 10,
    doc: 'Guesses at the secrets (console sign-ins, bearer requests; counted on arrival, given back on success) one IP address may make before a lockout (0: no limit).',
  },
  {
    key: 'secretLockoutSec',
    kind: 'int',
    def: 60,
    doc: 'Window in which guesses at the secrets count, and the length of the lockout.',
  },
  {
    key: 'graceMs',
    kind: 'int',
    def: 30000,
    doc: 'How long a disconnected member keeps its place (and an empty conference lives).',
  },
  {
    key: 'heartbeatMs',
    kind: 'int',
    def: 10000,
    doc: 'Client heartbeat interval; 3 missed close the socket.',
  },
  { key: 'ticketTtlSec', kind: 'int', def: 3600, doc: 'Lifetime of conference tickets.' },
  {
    key: 'mediaTokenTtlSec',
    kind: 'int',
    def: 7200,
    doc: "Lifetime of push and play URLs and of members' play credentials (renewed with each resume and subscribe).",
  },
  { key: 'devTokenTtlSec', kind: 'int', def: 86400, doc: 'Lifetime of development tokens.' },
  { key: 'maxFrameBytes', kind: 'int', def: 65536, doc: 'Largest WebSocket frame accepted.' },
  { key: 'msgRate', kind: 'int', def: 50, doc: 'Requests per second per socket (sustained).' },
  { key: 'msgBurst', kind: 'int', def: 100, doc: 'Requests per socket allowed in a burst.' },
  {
    key: 'maxSocketsPerAddress',
    kind: 'int',
    def: 64,
    doc: 'Open signalling sockets one IP address may hold (0: no limit).',
  },
  {
    key: 'msgRatePerAddress',
    kind: 'int',
    def: 200,
    doc: 'Requests per second all sockets of one IP address may send together (0: no limit).',
  },
  {
    key: 'msgBurstPerAddress',
    kind: 'int',
    def: 400,
    doc: 'Requests the sockets of one IP address may send together in a burst.',
  },
  {
    key: 'trustProxy',
    kind: 'string',
    def: '',
    doc: 'Proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For / X-Real-IP name the client for every per-address limit; 127.0.0.1 behind the nginx of docs/deploy.md. Unset: the TCP peer is the client.',
  },
  {
    key: 'authTimeoutMs',
    kind: 'int',
    def: 10000,
    doc: 'A signalling socket that has not presented a valid token by then is closed (4001; 0: no deadline).',
  },
  {
    key: 'maxSockets',
    kind: 'int',
    def: 20000,
    doc: 'Open signalling sockets the whole server holds (-429 and 4029 beyond; 0: no limit).',
  },
  {
    key: 'maxConferencesPerUser',
    kind: 'int',
    def: 10,
    doc: 'Live conferences one user may have created at once (0: no limit).',
  },
  {
    key: 'passwordFailures',
    kind: 'int',
    def: 5,
    doc: 'Wrong passwords one user may send for one conference before a lockout (0: no limit).',
  },
  {
    key: 'passwordFailuresPerAddress',
    kind: 'int',
    def: 20,
    doc: 'Wrong conference passwords one IP address may send, any user, before a lockout (0: no limit).',
  },
  {
    key: 'passwordLockoutSec',
    kind: 'int',
    def: 300,
    doc: 'Window in which wrong passwords count, and the length of the lockout.',
  },
  {
    key: 'maxConferenceMembers',
    kind: 'int',
    def: 2000,
    doc: 'Members one conference may hold (-522 beyond), and the upper bound on any conference limit a client may ask for.',
  },
  {
    key: 'kickBanSec',
    kind: 'int',
    def: 0,
    doc: 'How long a kicked user may not rejoin that conference, by any way in (0: until the conference ends).',
  },
  {
    key: 'attrsIntervalMs',
    kind: 'int',
    def: 100,
    doc: 'Conference attribute changes go out at most once per interval per conference, merged into one event (attrsChanged).',
  },
  {
    key: 'attrsRate',
    kind: 'int',
    def: 20,
    doc: 'setAttrs / deleteAttrs per second one conference accepts, all members together (-429 beyond; 0: no limit).',
  },
  {
    key: 'chatRate',
    kind: 'int',
    def: 2,
    doc: 'Chat messages per second one member may send, sustained (bursts of 5 times that; -429 beyond; 0: no limit).',
  },
  {
    key: 'chatRoomRate',
    kind: 'int',
    def: 20,
    doc: 'Chat messages per second one conference accepts, all members together (-429 beyond; 0: no limit): each is one frame per member.',
  },
  {
    key: 'chatModerationUrl',
    kind: 'string',
    def: '',
    doc: "Your backend's endpoint that decides on each chat text before anyone sees it (POST, signed; docs/protocol.md, Chat): where a mini program calls WeChat's msgSecCheck. Unset: texts are not checked.",
  },
  {
    key: 'chatModerationTimeoutMs',
    kind: 'int',
    def: 2000,
    doc: 'How long a chat text waits for --chat-moderation-url; no answer in time refuses the message (-503).',
  },
  {
    key: 'maxIngests',
    kind: 'int',
    def: 32,
    doc: 'Browser uploads (/ingest, one ffmpeg each) the server runs at once (0: no limit).',
  },
  {
    key: 'maxIngestsPerUser',
    kind: 'int',
    def: 2,
    doc: 'Browser uploads one user runs at once: a camera and a screen share (0: no limit).',
  },
  {
    key: 'maxIngestsPerAddress',
    kind: 'int',
    def: 8,
    doc: 'Browser uploads one client address runs at once (0: no limit).',
  },
  {
    key: 'ingestIdleSec',
    kind: 'int',
    def: 10,
    doc: 'A browser upload that sends nothing for this long is closed and its ffmpeg stopped (0: never).',
  },
  {
    key: 'engine',
    kind: 'string',
    def: 'embedded',
    choices: ['embedded', 'nginx'],
    doc: 'Media engine: embedded (node-media-server in this process) or nginx (Debian nginx + libnginx-mod-rtmp, run by the server; docs/deploy.md).',
  },
  {
    key: 'nginxPlayers',
    kind: 'string',
    def: 'edge',
    choices: ['edge', 'nginx'],
    doc: "Where players attach with --engine nginx. edge: node-media-server in this process, which pulls each live stream once from nginx and keeps its last GOP (a new player's first frame at once; HTTP-FLV for browsers). nginx: on nginx itself (less CPU; no HTTP-FLV, and a new player waits for the next key frame). docs/deploy.md.",
  },
  {
    key: 'rtmpPort',
    kind: 'int',
    def: 1935,
    doc: 'RTMP port publishers (and, on the embedded engine, players) use (0: any).',
  },
  {
    key: 'playRtmpPort',
    kind: 'int',
    def: 1936,
    doc: "RTMP port players use with --engine nginx and --nginx-players edge: the play edge's (0: any).",
  },
  {
    key: 'flvPort',
    kind: 'int',
    def: 8000,
    doc: "HTTP-FLV port: the embedded engine's, or the play edge's with --engine nginx (0: any; none with --nginx-players nginx).",
  },
  { key: 'rtmpApp', kind: 'string', def: 'live', doc: 'RTMP application name in media URLs.' },
  {
    key: 'edgeRtmp',
    kind: 'string',
    def: '',
    doc: 'RTMP edges members play from (rtmp://edge1:1935/live,…), one per member; needs --engine nginx (docs/deploy.md).',
  },
  {
    key: 'recordingsDir',
    kind: 'string',
    def: 'recordings',
    doc: 'Where rec / recMerge files go (<dir>/<confrId>/…mp4).',
  },
  { key: 'mixWidth', kind: 'int', def: 640, doc: 'Width of mixed video (MIX and recMerge).' },
  { key: 'mixHeight', kind: 'int', def: 360, doc: 'Height of mixed video (MIX and recMerge).' },
  {
    key: 'redis',
    kind: 'string',
    def: '',
    doc: 'Redis URL (redis://host:port): server processes sharing it form one cluster (docs/scale.md). Unset: one process, state in memory.',
  },
  {
    key: 'nodeId',
    kind: 'string',
    def: () => 'node-' + randomBytes(6).toString('hex'),
    doc: 'Name of this process in a cluster (random when unset).',
  },
  {
    key: 'drainMs',
    kind: 'int',
    def: 10000,
    doc: 'On SIGTERM in a cluster: how long the node waits for its clients to move to other nodes before it exits.',
  },
  {
    key: 'protocolRevision',
    kind: 'int',
    def: PROTOCOL_REVISION,
    doc: `The protocol revision this node offers, from 1 to its own (${PROTOCOL_REVISION}). In a rolling upgrade of a cluster, start the upgraded nodes with the old release's revision, so that a client moved between nodes never sees a method come and go; drop it once every node runs the new release (docs/protocol.md, Versions).`,
  },
  {
    key: 'readyFile',
    kind: 'string',
    def: '',
    doc: 'Once listening, write the bound ports and URLs here as JSON ({pid, port, rtmpPort, playRtmpPort, flvPort, httpUrl, wsUrl, rtmpBase, playBase, flvBase}; playBase is rtmpBase unless players attach elsewhere): how a parent that passed port 0 learns them.',
  },
  { key: 'logLevel', kind: 'string', def: 'info', choices: LOG_LEVELS, doc: 'Log level.' },
  {
    key: 'publicUrl',
    kind: 'string',
    def: '',
    doc: "Where clients reach this server through a TLS proxy: https://conf.example.com[:port] (or wss://…/ws). The signalling URL a cluster node gives out (move, failover, the node list) becomes wss://…/ws, and the embedded engine's HTTP-FLV URLs https://…/<rtmp-app>/…, which the proxy carries (docs/deploy.md). Unset: ws://<public-host>:<port>/ws and http://<public-host>:<flv-port>.",
  },
  {
    key: 'nginxModule',
    kind: 'string',
    def: DEFAULT_MODULE_PATH,
    doc: "nginx-rtmp's ngx_rtmp_module.so, loaded by --engine nginx and by edges (Debian's libnginx-mod-rtmp puts it here).",
  },
  {
    key: 'recordingsMaxAgeDays',
    kind: 'int',
    def: 30,
    doc: 'Recordings older than this are deleted (0: kept until --recordings-max-mb needs the room). Never those of a running conference.',
  },
  {
    key: 'recordingsMaxMb',
    kind: 'int',
    def: 20480,
    doc: 'Disk cap of --recordings-dir in MiB: past it the oldest recordings are deleted first, and from 90 % on the log warns and /metrics says so (0: no cap). Never those of a running conference.',
  },
]

/** One of the server's options, for a subcommand that takes it too (same flag and variable). */
export function serverOption(key: keyof ServerConfig): Option {
  return OPTIONS.find((o) => o.key === key)!
}

/** `conference-server [start]`: the server itself. */
export const START: CommandSpec<keyof ServerConfig> = {
  name: 'start',
  usage: 'conference-server [start] [options]',
  about:
    'Runs the conference server: HTTP + WebSocket signalling on --port, the media engine on ' +
    '--rtmp-port. Every option is also a CK_* environment variable (the flag wins); docs/server.md.',
  options: OPTIONS,
}

/** A configuration and what is wrong with it: the server refuses to start on any problem. */
export interface ResolvedConfig {
  config: ServerConfig
  /** Where each option given came from, as the user would name it (--flag or CK_ENV). */
  given: Map<keyof ServerConfig, string>
  problems: ConfigProblem[]
}

/**
 * The configuration of `argv` and `env` with every problem found (a bad environment value, an
 * unreadable secret file, a short secret), for `conference-server doctor` to report them all.
 * Bad flags are a UsageError at once.
 */
export function resolveConfig(
  overrides: Partial<ServerConfig> = {},
  argv: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
  command: CommandSpec = START,
): ResolvedConfig {
  // A subcommand's own options beyond the server's (doctor's) are read, then left out here.
  const parsed = parseOptions(command as CommandSpec<keyof ServerConfig>, argv, env, overrides)
  const problems: ConfigProblem[] = [...parsed.problems]
  for (const key of ['secret', 'adminSecret'] as const)
    if (parsed.empty.has(key))
      problems.push({
        key,
        message: `${envOf({ key })} is set but empty: give it a secret, or unset it`,
      })
  problems.push(...readSecretFiles(parsed.values, parsed.given))
  const config = withDefaults(OPTIONS, parsed.values) as unknown as ServerConfig
  problems.push(...secretProblems(config, parsed.given))
  const rev = config.protocolRevision
  if (rev < 1 || rev > PROTOCOL_REVISION)
    problems.push({
      key: 'protocolRevision',
      message: `${parsed.given.get('protocolRevision') ?? '--protocol-revision'}: from 1 to ${PROTOCOL_REVISION}, not ${rev}`,
    })
  return { config, given: parsed.given, problems }
}

/**
 * Resolve the configuration. `overrides` (used by tests and embedders) win over flags, flags over
 * environment, environment over defaults. Throws with a clear message on a bad value.
 */
export function loadConfig(
  overrides: Partial<ServerConfig> = {},
  argv: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): ServerConfig {
  const { config, problems } = resolveConfig(overrides, argv, env)
  if (problems.length) throw new Error(problems[0].message)
  return config
}

/** The server's options as rows of a Markdown table: flag, environment variable, default, meaning. */
export function describeOptions(): string {
  return optionsTable(OPTIONS)
}
