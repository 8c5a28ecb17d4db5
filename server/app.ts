// Composition: configuration → logger → tokens → media engine → conference service → media gate
// → HTTP API + WebSocket signalling. `createConferenceServer` is what `npm start`, the tests and
// embedders use.
import { randomBytes } from 'crypto'
import { createServer, type Server } from 'http'
import { type AddressInfo } from 'net'
import { Tokens } from './auth/tokens'
import { Cluster } from './cluster/cluster'
import { loadConfig, type ServerConfig } from './config'
import { ConferenceService } from './conference/service'
import { createApi } from './http/api'
import { SecretChecks } from './http/auth'
import { createDoctorProbe } from './http/diagnostics'
import { frontDoor, refuseUpgrade } from './http/front-door'
import { knownHost, UNKNOWN_HOST_TEXT } from './http/known-hosts'
import { createMetrics } from './http/metrics'
import { servePage, webRoot } from './http/pages'
import { createLogger, type Logger } from './log'
import { EmbeddedEngine } from './media/embedded'
import { EdgedEngine } from './media/edged-engine'
import { type MediaEngine } from './media/engine'
import { edgeList } from './media/nginx/edge-list'
import { MediaGate } from './media/gate'
import { Ingest, INGEST_PATH } from './media/ingest'
import { Retention } from './media/jobs'
import { MediaModes } from './media/modes'
import { NginxEngine } from './media/nginx/engine'
import { EdgeHooks } from './media/nginx/edge-hooks'
import { type MediaUrls } from './conference/context'
import { parsePublicUrl, publicFlvBase, publicUrls } from './public-url'
import { LocalRouter } from './routing/router'
import { PlayEdge } from './media/play-edge'
import { secretWarnings } from './secrets'
import { type FlushWatcher } from './signal/corking'
import { createSignalling, SIGNAL_PATH } from './signal/ws-server'
import { CloseCode } from 'miniprogram-conference-protocol'

export interface ConferenceServer {
  readonly config: ServerConfig
  readonly service: ConferenceService
  readonly engine: MediaEngine
  readonly modes: MediaModes
  readonly tokens: Tokens
  readonly log: Logger
  /** Browser publishers' ffmpeg relays (/ingest). */
  readonly ingest: Ingest
  /** Deletes old recordings (--recordings-max-age-days, --recordings-max-mb). */
  readonly retention: Retention
  /** ws://host:port/ws */
  readonly wsUrl: string
  /** http://host:port */
  readonly httpUrl: string
  /** What clients are told to use: --public-url's https:// and wss://…/ws, else httpUrl, wsUrl. */
  readonly publicHttpUrl: string
  readonly publicWsUrl: string
  /** Cluster mode (--redis): this node's part of it. */
  readonly cluster?: Cluster
  /** Calls `fn` after each turn's event frames were handed to the kernel (signal/corking.ts). */
  watchFlushes(fn: FlushWatcher): () => void
  /** In a cluster, hands its conferences and clients to the other nodes first (--drain-ms). */
  stop(): Promise<void>
}

function createEngine(config: ServerConfig, log: Logger): MediaEngine {
  const engineLog = log.child({ mod: 'media' })
  const common = {
    bind: config.host,
    rtmpPort: config.rtmpPort,
    publicHost: config.publicHost,
    app: config.rtmpApp,
    logLevel: config.logLevel,
    // node-media-server's own chatter (banner, per-session lines) is debug detail for us.
    log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) =>
      engineLog[level === 'info' && message.startsWith('nms:') ? 'debug' : level](message),
  }
  if (config.engine === 'embedded')
    return new EmbeddedEngine({ ...common, httpPort: config.flvPort })
  const nginx = new NginxEngine({ ...common, modulePath: config.nginxModule })
  if (config.nginxPlayers === 'nginx') return nginx
  const edge = new PlayEdge({ ...common, rtmpPort: config.playRtmpPort, httpPort: config.flvPort })
  return new EdgedEngine(nginx, edge, config.host)
}

/** The edges' callbacks (--edge-rtmp, nginx only); a bad edge list stops the start. */
function createEdgeHooks(
  config: ServerConfig,
  service: ConferenceService,
  gate: MediaGate,
  log: Logger,
  cluster: Cluster | undefined,
  tokens: Tokens,
): EdgeHooks | null {
  if (edgeList(config.edgeRtmp, config.rtmpApp).bases.length === 0) return null
  if (config.engine !== 'nginx') throw new Error('--edge-rtmp: edges relay from --engine nginx')
  const edgeLog = log.child({ mod: 'edges' })
  const edges: EdgeHooks = new EdgeHooks({
    service,
    gate,
    secret: config.secret,
    app: config.rtmpApp,
    log: edgeLog,
    elsewhere: (hook) => elsewhere?.(hook) ?? Promise.resolve(null),
  })
  // In a cluster the node hosting a call's conference answers it (called only after start).
  const elsewhere = cluster?.serveEdges(edges, tokens)
  return edges
}

/** What an embedder may hand in beside the configuration. */
export interface ServerParts {
  /** Its own pino logger (its level and destination win over --log-level). */
  logger?: Logger
}

export async function createConferenceServer(
  overrides: Partial<ServerConfig> = {},
  argv: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
  parts: ServerParts = {},
): Promise<ConferenceServer> {
  const config = loadConfig(overrides, argv, env)
  // Development mode signs with a throwaway secret: tokens die with the process.
  if (!config.secret) config.secret = randomBytes(32).toString('base64url')
  if (!config.adminSecret && config.dev) config.adminSecret = randomBytes(18).toString('base64url')
  const publicOrigin = parsePublicUrl(config.publicUrl)
  const log = parts.logger ?? createLogger(config.logLevel)
  for (const warning of secretWarnings(config, argv)) log.warn(warning)
  const tokens = new Tokens(config.secret, config.appId)
  const engine = createEngine(config, log)
  // Behind a proxy, browsers play the engine's HTTP-FLV through it, from the pages' own origin.
  const media: MediaUrls = {
    rtmpBase: () => engine.rtmpBase(),
    playBase: () => engine.playBase(),
    flvBase: () =>
      engine.flvBase() && publicOrigin
        ? publicFlvBase(publicOrigin, config.rtmpApp)
        : engine.flvBase(),
    closeSession: (id) => engine.closeSession(id),
  }
  const service = new ConferenceService(config, tokens, media, log.child({ mod: 'conference' }))
  const local = new LocalRouter(service)
  const cluster = config.redis
    ? new Cluster(
        config.redis,
        config.nodeId,
        local,
        log.child({ mod: 'cluster' }),
        config.protocolRevision,
      )
    : undefined
  /** Where requests go: this node alone, or the conference's host in a cluster. */
  const router = cluster?.router ?? local
  const gate = new MediaGate(service, tokens, log.child({ mod: 'gate' }))
  if (engine instanceof EdgedEngine) engine.follow(service)
  const edges = createEdgeHooks(config, service, gate, log, cluster, tokens)
  const modes = new MediaModes(
    service,
    { recordingsDir: config.recordingsDir, mixWidth: config.mixWidth, mixHeight: config.mixHeight },
    log.child({ mod: 'jobs' }),
  )
  const retention = new Retention({
    dir: config.recordingsDir,
    maxAgeDays: config.recordingsMaxAgeDays,
    maxMb: config.recordingsMaxMb,
    log: log.child({ mod: 'retention' }),
    // In a cluster, every node's calls (a shared directory); unknown while Redis is down.
    async running() {
      const ids = new Set([...service.conferences.keys(), ...modes.busy()])
      for (const [id] of (await cluster?.hosting.allHosts()) ?? []) ids.add(id)
      return ids
    },
  })
  const ingest = new Ingest({
    config,
    tokens,
    service,
    engine,
    log: log.child({ mod: 'ingest' }),
  })
  const checks = new SecretChecks(config)
  const doctorProbe = createDoctorProbe(config, checks, [SIGNAL_PATH, INGEST_PATH])
  const api = createApi({
    checks,
    media: () => ({ rtmpBase: engine.rtmpBase(), flvBase: engine.flvBase() }),
    config,
    tokens,
    service,
    engineName: engine.name,
    recordingsDir: config.recordingsDir,
    ingest,
    mediaJobs: () => modes.supervisor.list().length,
    router,
    cluster,
  })
  const pages = webRoot()
  const signalling = createSignalling({
    service,
    tokens,
    config,
    log: log.child({ mod: 'signal' }),
    router,
  })
  const wss = signalling.wss
  const metrics = createMetrics({
    service,
    sockets: () => wss.clients.size,
    corking: signalling.corking,
    mediaJobs: () => modes.supervisor.list().length,
    ingests: () => ingest.uploads.size,
    retention,
    cluster,
  })
  const http: Server = frontDoor(createServer(), {
    log: log.child({ mod: 'http' }),
    async request(req, res, url) {
      if (!knownHost(req, config)) {
        res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' })
        return void res.end(UNKNOWN_HOST_TEXT)
      }
      if (await servePage(pages, req, res, url)) return
      if (await metrics.handle(req, res, url)) return
      if (edges?.handle(req, res, url)) return
      return api(req, res, url)
    },
    upgrade(req, socket, head, url) {
      if (!knownHost(req, config)) return refuseUpgrade(socket, 421)
      if (doctorProbe.handleUpgrade(req, socket, head, url)) return
      if (ingest.handleUpgrade(req, socket, head, url)) return
      if (signalling.handleUpgrade(req, socket, head, url)) return
      refuseUpgrade(socket, 404)
    },
  })

  await engine.start(gate)
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject)
      http.listen(config.port, config.host, () => resolve())
    })
  } catch (e) {
    await engine.stop()
    throw e
  }
  const port = (http.address() as AddressInfo).port
  const urlHost = config.publicHost.includes(':') ? `[${config.publicHost}]` : config.publicHost
  const wsUrl = `ws://${urlHost}:${port}${SIGNAL_PATH}`
  const httpUrl = `http://${urlHost}:${port}`
  const advertised = publicOrigin ? publicUrls(publicOrigin) : { http: httpUrl, ws: wsUrl }
  if (cluster) {
    cluster.wsUrl = advertised.ws
    await cluster.start()
  }
  retention.start()
  log.info(
    { port, engine: engine.name, dev: config.dev, node: cluster?.nodeId },
    'conference server listening',
  )

  let stopping: Promise<void> | null = null
  return {
    config,
    service,
    engine,
    modes,
    tokens,
    log,
    ingest,
    retention,
    wsUrl,
    httpUrl,
    publicHttpUrl: advertised.http,
    publicWsUrl: advertised.ws,
    cluster,
    watchFlushes: (fn) => signalling.corking.watch(fn),
    stop() {
      stopping ??= (async () => {
        await cluster?.drain(config.drainMs)
        for (const ws of wss.clients) ws.close(CloseCode.SHUTDOWN, 'server shutting down')
        // Recordings are finalised before the engine (their input) goes away.
        await Promise.all([modes.stop(), ingest.stop(), retention.stop()])
        service.close()
        await cluster?.stop()
        await engine.stop()
        await new Promise<void>((resolve) => {
          http.close(() => resolve())
          http.closeAllConnections()
          for (const ws of wss.clients) ws.terminate()
        })
        wss.close()
        doctorProbe.close()
        metrics.stop()
      })()
      return stopping
    },
  }
}
