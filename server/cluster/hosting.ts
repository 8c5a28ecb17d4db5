// The conferences this node hosts: their state written to the shared store (only the fields that
// changed, before a request's reply leaves), and the hand-overs: taking over a dead node's
// conferences, handing ours to another node on shutdown, letting one go when the store names
// another host.
import { type ConferenceState } from '../conference/state'
import { type ConferenceService } from '../conference/service'
import { type Logger } from '../log'
import { type Bus } from './bus'
import { decode, encode, type Field } from './codec'
import { type Nodes } from './nodes'
import { keys, type SharedState } from './shared-state'

export class Hosting {
  /** confrId → field → what was last written: a write sends only the difference. */
  private readonly written = new Map<string, Map<string, Field>>()
  private readonly dirty = new Set<string>()
  private flushing: Promise<void> | null = null
  /** Loads in progress, so that two requests arriving together load a conference once. */
  private readonly loading = new Map<string, Promise<boolean>>()

  constructor(
    private readonly store: SharedState,
    private readonly service: ConferenceService,
    private readonly nodes: Nodes,
    private readonly bus: Bus,
    private readonly nodeId: string,
    private readonly log: Logger,
  ) {
    service.on('conference-created', (c) => this.changed(c.id))
    service.on('member-joined', (c) => this.changed(c.id))
    service.on('member-left', (c) => this.changed(c.id))
    service.on('stream-live', (c) => this.changed(c.id))
    service.on('stream-idle', (c) => this.changed(c.id))
    service.on('conference-end', (c) => void this.ended(c))
    service.on('conference-released', (c) => this.written.delete(c.id))
  }

  hosts(confrId: string): boolean {
    return this.service.conferences.has(confrId)
  }

  changed(confrId: string): void {
    if (this.hosts(confrId)) this.dirty.add(confrId)
  }

  /** Write every changed conference; all writers of one tick share one round of writes. */
  flush(): Promise<void> {
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const ids = [...this.dirty]
      this.dirty.clear()
      this.flushing = null
      const multi = this.store.cmd.multi()
      for (const id of ids) {
        const conf = this.service.conferences.get(id)
        if (conf) this.write(multi, conf)
      }
      await multi.exec().catch((e: Error) => {
        // Kept dirty: written again on the next change or the next beat.
        for (const id of ids) this.dirty.add(id)
        this.log.warn({ err: e.message }, 'cluster store write failed')
      })
    })
    return this.flushing
  }

  private write(multi: ReturnType<SharedState['cmd']['multi']>, conf: ConferenceState) {
    const before = this.written.get(conf.id) ?? new Map<string, Field>()
    const now = encode(conf, before)
    const set: string[] = []
    for (const [field, f] of now) if (before.get(field)?.sig !== f.sig) set.push(field, f.json)
    const gone = [...before.keys()].filter((f) => !now.has(f))
    if (set.length > 0) multi.hset(keys.conf(conf.id), ...set)
    if (gone.length > 0) multi.hdel(keys.conf(conf.id), ...gone)
    // The first write (or the first after Redis came back empty) also lists the conference.
    if (before.size === 0) {
      multi.sadd(keys.confs, conf.id)
      if (conf.name !== undefined) multi.set(keys.room(conf.name), conf.id)
    }
    this.written.set(conf.id, now)
  }

  /** Redis came back (perhaps empty): claim and write all we host again, whole. */
  rewriteAll(): Promise<void> {
    this.written.clear()
    for (const id of this.service.conferences.keys()) this.dirty.add(id)
    return this.verify()
  }

  private async ended(conf: ConferenceState) {
    this.written.delete(conf.id)
    this.dirty.delete(conf.id)
    const cmd = this.store.cmd
    await Promise.all([
      cmd.del(keys.conf(conf.id)),
      cmd.srem(keys.confs, conf.id),
      cmd.delIf(keys.host(conf.id), this.nodeId),
      conf.name !== undefined ? cmd.delIf(keys.room(conf.name), conf.id) : null,
    ]).catch((e: Error) => this.log.warn({ confrId: conf.id, err: e.message }, 'store cleanup'))
  }

  /**
   * Check that we still host what we hold (one read for all): a conference another node took
   * over while this one was taken for dead is let go; one the store forgot (Redis restarted
   * empty) is claimed again.
   */
  async verify(): Promise<void> {
    const confs = [...this.service.conferences.values()]
    if (confs.length === 0) return
    const hosts = await this.store.cmd.mget(confs.map((c) => keys.host(c.id)))
    for (const [i, conf] of confs.entries()) {
      if (hosts[i] === this.nodeId) continue
      if (hosts[i] === null) {
        await this.store.cmd.claimHost(keys.host(conf.id), this.nodeId, '')
        continue
      }
      this.log.warn({ confrId: conf.id, host: hosts[i] }, 'another node hosts this conference now')
      this.service.release(conf)
      this.bus.broadcast({ t: 'rehost', confrId: conf.id, node: hosts[i]! })
    }
    if (this.dirty.size > 0) await this.flush()
  }

  /**
   * The node hosting `confrId` now: this one, a live other node, or null if the conference is
   * gone. A conference whose host is dead (or unnamed) is taken over here.
   */
  async resolve(confrId: string): Promise<string | null> {
    if (this.hosts(confrId)) return this.nodeId
    const host = await this.store.cmd.get(keys.host(confrId))
    // Ours: loaded, or claimed for a room whose first join is making it here right now.
    if (host === this.nodeId) return (await this.load(confrId), this.nodeId)
    if (host && (await this.nodes.isAlive(host))) return host
    if (await this.takeOver(confrId, host ?? '')) return this.nodeId
    const now = await this.store.cmd.get(keys.host(confrId))
    return now && now !== host ? now : null
  }

  /** Host a conference whose host is `dead` (or none); false if another node was faster. */
  async takeOver(confrId: string, dead: string): Promise<boolean> {
    if (!(await this.store.cmd.exists(keys.conf(confrId)))) return false
    const won = await this.store.cmd.claimHost(keys.host(confrId), this.nodeId, dead)
    if (won !== 1) return false
    if (!(await this.load(confrId))) return false
    this.log.warn({ confrId, from: dead || undefined }, 'took over a conference')
    // Everyone bridged to the old host moves its sockets so that they resume here.
    this.bus.broadcast({ t: 'rehost', confrId, node: this.nodeId })
    return true
  }

  /** Read a conference from the store and host it here. */
  load(confrId: string): Promise<boolean> {
    if (this.hosts(confrId)) return Promise.resolve(true)
    let p = this.loading.get(confrId)
    if (!p) {
      p = (async () => {
        const fields = await this.store.cmd.hgetall(keys.conf(confrId))
        const conf = decode(fields)
        if (!conf || this.hosts(confrId)) return this.hosts(confrId)
        this.written.set(conf.id, encode(conf))
        this.service.adopt(conf)
        return true
      })().finally(() => this.loading.delete(confrId))
      this.loading.set(confrId, p)
    }
    return p
  }

  /** At start: what the store says this node id hosts (a previous life of it) is hosted again. */
  async adoptOwn(): Promise<void> {
    for (const [id, host] of await this.allHosts()) if (host === this.nodeId) await this.load(id)
  }

  /** A node died: take over the conferences it hosted (racing the other survivors). */
  async orphansOf(dead: string): Promise<void> {
    for (const [id, host] of await this.allHosts())
      if (host === dead || (host === null && !this.hosts(id))) await this.takeOver(id, host ?? '')
  }

  /** Every conference of the cluster with the node the store names as its host. */
  async allHosts(): Promise<Array<[string, string | null]>> {
    const ids = await this.store.cmd.smembers(keys.confs)
    if (ids.length === 0) return []
    const hosts = await this.store.cmd.mget(ids.map(keys.host))
    return ids.map((id, i) => [id, hosts[i]])
  }

  /** Shutdown: give every conference we host to the least loaded other node. */
  async handOverAll(): Promise<number> {
    let moved = 0
    for (const conf of [...this.service.conferences.values()]) {
      const target = this.nodes.leastLoaded()
      if (!target) break
      await this.flushOne(conf)
      const ok = await this.store.cmd.passHost(keys.host(conf.id), this.nodeId, target.id)
      if (ok !== 1) continue
      this.service.release(conf)
      this.bus.send(target.id, { t: 'adopt', confrId: conf.id })
      this.bus.broadcast({ t: 'rehost', confrId: conf.id, node: target.id })
      target.members += conf.members.size
      moved++
    }
    return moved
  }

  private async flushOne(conf: ConferenceState) {
    const multi = this.store.cmd.multi()
    this.write(multi, conf)
    await multi.exec()
  }
}
