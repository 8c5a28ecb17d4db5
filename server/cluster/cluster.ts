// One node of a cluster (--redis): the shared store, the bus, the node registry, the conferences
// hosted here and the request router, put together; the beat that keeps leases and finds dead
// nodes; health; and the drain of a node told to stop (docs/scale.md).
import { randomBytes } from 'crypto'
import { type Tokens } from '../auth/tokens'
import { type ConferenceService } from '../conference/service'
import { type Logger } from '../log'
import { type EdgeAnswer, type EdgeCall, type EdgeHooks } from '../media/nginx/edge-hooks'
import { Bus, BUS_REVISION, incarnation } from './bus'
import { Hosting } from './hosting'
import { BEAT_MS, type NodeInfo, Nodes } from './nodes'
import { type LocalRouter } from '../routing/router'
import { ClusterRouter } from './router'
import { SharedState } from './shared-state'

export interface ClusterHealth {
  node: string
  redis: 'up' | 'down'
  draining: boolean
  nodes: number
}

export class Cluster {
  readonly store: SharedState
  readonly bus: Bus
  readonly nodes: Nodes
  readonly hosting: Hosting
  readonly router: ClusterRouter
  /** Filled in once the HTTP server listens. */
  wsUrl = ''
  private readonly service: ConferenceService
  private draining = false
  private beatTimer: NodeJS.Timeout | null = null
  private beating = false

  constructor(
    url: string,
    readonly nodeId: string,
    /** What this node does itself; the cluster's router wraps it. */
    local: LocalRouter,
    private readonly log: Logger,
    /** The protocol revision this node offers (--protocol-revision). */
    private readonly revision: number,
  ) {
    this.service = local.service
    this.store = new SharedState(url, nodeId, log)
    this.bus = new Bus(this.store, nodeId, randomBytes(6).toString('base64url'), log, (m) => {
      this.router.receive(m).catch((e: Error) => log.warn({ t: m.t, err: e.message }, 'bus'))
    })
    this.nodes = new Nodes(this.store, () => this.info(), log)
    this.hosting = new Hosting(this.store, this.service, this.nodes, this.bus, nodeId, log)
    this.router = new ClusterRouter(
      local,
      this.store,
      this.bus,
      this.hosting,
      this.nodes,
      nodeId,
      revision,
      log,
      () => !this.draining,
      () => (this.draining ? this.nextUrl() : undefined),
    )
    this.nodes.on('died', (id) => {
      this.bus.failNode(id)
      this.router.bridgesEnded(`${id}#`)
      this.hosting.orphansOf(id).catch((e: Error) => log.warn({ err: e.message }, 'take-over'))
    })
    // Its conferences were adopted by the new run itself (Hosting.adoptOwn); what the old run
    // was asked or bridged here is what ends.
    this.nodes.on('restarted', (id, oldBoot) => {
      this.bus.failNode(id)
      this.router.bridgesEnded(`${incarnation(id, oldBoot)}/`)
    })
    this.store.on('up', () => {
      void this.bus.subscribe()
      this.hosting.rewriteAll().catch((e: Error) => log.warn({ err: e.message }, 'rewrite'))
    })
  }

  private info(): NodeInfo {
    const { members, conferences } = this.service.stats()
    const { nodeId: id, wsUrl, draining } = this
    const { revision: rev } = this
    return {
      id,
      boot: this.bus.boot,
      wsUrl,
      members,
      conferences,
      draining,
      rev,
      bus: BUS_REVISION,
    }
  }

  async start(): Promise<void> {
    await this.store.connect()
    await this.bus.subscribe()
    await this.beat()
    if (this.store.up) await this.hosting.adoptOwn()
    this.beatTimer = setInterval(() => void this.beat(), BEAT_MS)
    this.beatTimer.unref()
  }

  private async beat() {
    if (this.beating || !this.store.up) return
    this.beating = true
    try {
      await this.nodes.beat()
      this.tellNodes()
      await this.hosting.verify()
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'cluster beat failed')
    } finally {
      this.beating = false
    }
  }

  private lastNodes = ''
  /** The other nodes changed: clients in a conference get the new list to fail over to. */
  private tellNodes() {
    const nodes = this.nodes.otherUrls()
    const key = nodes.join(' ')
    if (key === this.lastNodes) return
    this.lastNodes = key
    for (const s of this.router.sockets.values())
      if (s.caller?.memberships.size) s.send('nodesChanged', { nodes })
  }

  /**
   * nginx edges call any node: a call about a conference hosted elsewhere is answered by its
   * host (the gate there knows the member and the stream; its engine is the origin).
   */
  serveEdges(edges: EdgeHooks, tokens: Tokens) {
    this.router.onHook = async (m) => {
      const out = await edges
        .decide(m.hook)
        .catch((): EdgeAnswer => ({ status: 500, text: 'internal error' }))
      this.bus.reply(m.from, m.rid, { result: out })
    }
    return async (hook: EdgeCall): Promise<EdgeAnswer | null> => {
      let confrId: string
      try {
        const token = hook.session.query.token ?? ''
        confrId = tokens.verifyMedia(token, 'play', hook.session.stream).confrId
      } catch {
        return null // refused here, as by any node
      }
      const host = await this.hosting.resolve(confrId).catch(() => null)
      if (!host || host === this.nodeId) return null
      return (await this.bus.hook(host, hook).catch((): EdgeAnswer => ({
        status: 503,
        text: 'conference host unavailable',
      }))) as EdgeAnswer
    }
  }

  health(): ClusterHealth {
    return {
      node: this.nodeId,
      redis: this.store.up ? 'up' : 'down',
      draining: this.draining,
      nodes: this.nodes.alive.size,
    }
  }

  /**
   * Stop taking joins, hand every hosted conference to another node, ask every client to move
   * there, and wait (at most `ms`) until they have.
   */
  async drain(ms: number): Promise<void> {
    if (this.draining) return
    this.draining = true
    const started = Date.now()
    await this.beat()
    const moved = await this.hosting.handOverAll().catch((e: Error) => {
      this.log.error({ err: e.message }, 'hand-over failed')
      return 0
    })
    // Sockets that arrive during the drain (a client resuming on its configured host) are moved
    // too: every socket holding a membership is asked again each second until it is gone.
    const askedAt = new Map<string, number>()
    while (this.router.sockets.size > 0 && Date.now() - started < ms) {
      for (const s of this.router.sockets.values()) {
        if (!s.caller?.memberships.size || Date.now() - (askedAt.get(s.id) ?? 0) < 1000) continue
        askedAt.set(s.id, Date.now())
        s.move('server shutting down', this.nextUrl())
      }
      await new Promise((r) => setTimeout(r, 50))
    }
    this.log.info(
      { conferences: moved, left: this.router.sockets.size, ms: Date.now() - started },
      'drained',
    )
  }

  private moved = 0
  /** The other nodes in turn, so that a draining node's clients spread over them. */
  private nextUrl(): string | undefined {
    const urls = this.nodes.otherUrls()
    return urls.length > 0 ? urls[this.moved++ % urls.length] : undefined
  }

  async stop(): Promise<void> {
    if (this.beatTimer) clearInterval(this.beatTimer)
    this.beatTimer = null
    if (this.store.up) await this.nodes.leave().catch(() => undefined)
    this.bus.close()
    await this.store.close()
  }
}
