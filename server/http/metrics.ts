// GET /metrics in the Prometheus text format (prom-client): what the server holds (sockets,
// conferences, members, live streams, media jobs, browser ingests, recordings on disk), what happened (joins,
// errors by code) and the process (prom-client's defaults, event-loop lag among them). A
// registry of its own per server, so that two servers in one process do not share counters.
import { type IncomingMessage, type ServerResponse } from 'http'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { type Cluster } from '../cluster/cluster'
import { type ConferenceService } from '../conference/service'
import { lastResortCount } from '../last-resort'
import { type Retention } from '../media/jobs'
import { type Corking } from '../signal/corking'

export interface MetricsDeps {
  service: ConferenceService
  sockets(): number
  /** The signalling sockets' writes, flushed once a turn. */
  corking: Corking
  mediaJobs(): number
  ingests(): number
  /** Recordings on disk, as of its last sweep. */
  retention?: Retention
  cluster?: Cluster
}

export function createMetrics(deps: MetricsDeps) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'ck_' })
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read())
      },
    })
  gauge('ck_sockets', 'Signalling WebSockets open', deps.sockets)
  gauge('ck_conferences', 'Conferences', () => deps.service.stats().conferences)
  gauge('ck_members', 'Members in all conferences', () => deps.service.stats().members)
  gauge('ck_streams', 'Streams with media flowing', () => deps.service.stats().streams)
  gauge('ck_media_jobs', 'ffmpeg jobs for recordings and mixes', deps.mediaJobs)
  gauge('ck_ingests', 'Browser publishers relayed by ffmpeg', deps.ingests)
  const retention = deps.retention
  if (retention) {
    gauge(
      'ck_recordings_bytes',
      'Bytes under --recordings-dir (as of the last sweep, each minute)',
      () => retention.bytes,
    )
    gauge('ck_recordings_files', 'Files under --recordings-dir', () => retention.files)
    gauge(
      'ck_recordings_cap_bytes',
      '--recordings-max-mb in bytes (0: no cap)',
      () => retention.capBytes,
    )
    gauge(
      'ck_recordings_near_cap',
      '1 from 90 % of --recordings-max-mb on (the oldest recordings go at the cap)',
      () => (retention.nearCap ? 1 : 0),
    )
    new Counter({
      name: 'ck_recordings_deleted_total',
      help: 'Recording files deleted by retention, by reason (age, cap)',
      labelNames: ['reason'],
      registers: [registry],
      collect() {
        this.reset()
        for (const [reason, n] of Object.entries(retention.deletedFiles)) this.inc({ reason }, n)
      },
    })
  }
  const cluster = deps.cluster
  if (cluster) {
    gauge('ck_cluster_redis_up', '1 while the cluster store (Redis) is reachable', () =>
      cluster.store.up ? 1 : 0,
    )
    gauge(
      'ck_cluster_nodes',
      'Live nodes of the cluster, as this node last saw',
      () => cluster.nodes.alive.size,
    )
  }
  const joins = new Counter({
    name: 'ck_joins_total',
    help: 'Members that joined a conference (rate() gives joins/s)',
    registers: [registry],
  })
  const errors = new Counter({
    name: 'ck_errors_total',
    help: 'Requests answered with an error, by error code',
    labelNames: ['code'],
    registers: [registry],
  })
  new Counter({
    name: 'ck_last_resort_total',
    help: 'Errors that escaped every handler to the process last resort (always a bug; alert on > 0)',
    registers: [registry],
    collect() {
      this.reset()
      this.inc(lastResortCount())
    },
  })
  // What a burst costs before it is on the wire: from a turn's first frame (event or reply)
  // queued to all of that turn's frames handed to the kernel (a streamAdded to 2,000 members).
  const flushes = new Histogram({
    name: 'ck_socket_flush_seconds',
    help: "Time from an event-loop turn's first signalling frame queued to all its frames handed to the kernel",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  })
  const unwatch = deps.corking.watch((_sockets, since) =>
    flushes.observe((performance.now() - since) / 1000),
  )
  const onJoin = () => joins.inc()
  const onError = (code: number) => errors.inc({ code: String(code) })
  deps.service.on('member-joined', onJoin)
  deps.service.on('request-failed', onError)

  return {
    registry,
    async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
      if (url.pathname !== '/metrics' || req.method !== 'GET') return false
      const text = await registry.metrics()
      res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' })
      res.end(text)
      return true
    },
    stop() {
      deps.service.off('member-joined', onJoin)
      deps.service.off('request-failed', onError)
      unwatch()
      registry.clear()
    },
  }
}
