// The cluster's nodes: each writes its facts under a lease every beat and reads the others'; a
// node whose lease lapsed is dead, and the others are told (they take over its conferences).
import { EventEmitter } from 'events'
import { type Logger } from '../log'
import { connectionName, keys, type SharedState } from './shared-state'

export interface NodeInfo {
  id: string
  /** New at each start of the process (Bus.address). */
  boot: string
  /** Where clients reach its signalling (ws://host:port/ws). */
  wsUrl: string
  members: number
  conferences: number
  draining: boolean
  /** The protocol revision it offers (--protocol-revision). Absent: a release before 4. */
  rev?: number
  /** The bus messages it understands (BUS_REVISION). Absent: 1. */
  bus?: number
}

export const BEAT_MS = 1000
/**
 * A node that missed this long of beats is dead. Long, because a node busy for seconds (a burst
 * of joins) is alive; a killed one is seen at once, its Redis connections gone (beat below).
 */
export const LEASE_MS = 15000

export class Nodes extends EventEmitter<{
  died: [id: string]
  /** The node's process was replaced (same id, new boot) between two of our beats. */
  restarted: [id: string, oldBoot: string]
}> {
  private known = new Map<string, NodeInfo>()

  constructor(
    private readonly store: SharedState,
    private readonly self: () => NodeInfo,
    private readonly log: Logger,
  ) {
    super()
  }

  /** Alive nodes as of the last beat, this one included. */
  get alive(): ReadonlyMap<string, NodeInfo> {
    return this.known
  }

  /** Signalling URLs of the other nodes that take clients. */
  otherUrls(): string[] {
    const me = this.self().id
    return [...this.known.values()].filter((n) => n.id !== me && !n.draining).map((n) => n.wsUrl)
  }

  /** The least loaded other node that takes conferences, if any. */
  leastLoaded(): NodeInfo | undefined {
    const me = this.self().id
    return [...this.known.values()]
      .filter((n) => n.id !== me && !n.draining)
      .sort((a, b) => a.members - b.members)[0]
  }

  /** Alive as of the last beat, or (a node newer than that) by its lease in the store. */
  async isAlive(id: string): Promise<boolean> {
    if (id === this.self().id || this.known.has(id)) return true
    return (await this.store.cmd.exists(keys.node(id))) === 1
  }

  /** Write our lease, read everyone's, report the dead. */
  async beat(): Promise<void> {
    const me = this.self()
    const cmd = this.store.cmd
    await cmd
      .multi()
      .set(keys.node(me.id), JSON.stringify(me), 'PX', LEASE_MS)
      .sadd(keys.nodes, me.id)
      .exec()
    const ids = await cmd.smembers(keys.nodes)
    const infos = ids.length > 0 ? await cmd.mget(ids.map(keys.node)) : []
    // A killed process's connections are closed by its kernel at once: no need to wait out its
    // lease to know it is gone.
    const connected = String(await cmd.client('LIST'))
    const now = new Map<string, NodeInfo>()
    const dead: string[] = []
    ids.forEach((id, i) => {
      const json = infos[i]
      if (json && connected.includes(` name=${connectionName(id)} `)) {
        now.set(id, JSON.parse(json) as NodeInfo)
      } else dead.push(id)
    })
    if (dead.length > 0) {
      await cmd
        .multi()
        .srem(keys.nodes, ...dead)
        .del(...dead.map(keys.node))
        .exec()
    }
    const before = this.known
    this.known = now
    for (const id of dead) {
      this.log.warn({ node: id }, 'node dead')
      this.emit('died', id)
    }
    // A node that vanished between two of our reads without passing through `dead` above (another
    // node removed it from the set first) is dead too.
    for (const id of before.keys()) if (!now.has(id) && !dead.includes(id)) this.emit('died', id)
    // A node killed and started again within a beat never looked dead: what its old process
    // held here is as gone as if it had.
    for (const [id, info] of now) {
      const old = before.get(id)
      if (old && old.boot !== info.boot) {
        this.log.warn({ node: id }, 'node restarted')
        this.emit('restarted', id, old.boot)
      }
    }
  }

  /** Leaving on purpose: the others need not wait for the lease. */
  async leave(): Promise<void> {
    const id = this.self().id
    await this.store.cmd.multi().del(keys.node(id)).srem(keys.nodes, id).exec()
  }
}
