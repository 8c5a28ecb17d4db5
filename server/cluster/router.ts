// The cluster's router (routing/router.ts is the seam): a request is done here when this node
// hosts the conference it names, else on the node that does, over the bus; the reply comes back
// the same way. It wraps the LocalRouter, which does what is done here, and writes each change to
// the shared store before the reply leaves. The host keeps a Caller for each bridged socket whose
// events go back through that socket's node.
import {
  ErrorCode,
  type EventName,
  type Events,
  type JoinResult,
  knowsMethod,
  METHOD_SINCE,
  type MethodName,
  UNSTATED_REVISION,
} from 'miniprogram-conference-protocol'
import { ArrivalFrames, Frame } from '../conference/frames'
import { type Peer } from '../conference/state'
import { type Caller } from '../conference/service'
import { methods, type ServiceMethod } from '../conference/methods'
import { newId, type R } from '../conference/context'
import {
  operations,
  type ConferenceSummary,
  type OperationName,
  type OpParams,
  type OpResult,
} from '../conference/operations'
import { type LocalRouter, type LocalSocket, type Router } from '../routing/router'
import { type Logger } from '../log'
import { RpcError } from '../rpc-error'
import { type Params } from '../signal/schemas'
import {
  type Bus,
  BUS_REVISION,
  type BusMessage,
  type CallerInfo,
  type ForwardedOperation,
  type ForwardedRequest,
  NotHere,
  OP_SINCE,
} from './bus'
import { type Hosting } from './hosting'
import { type Nodes } from './nodes'
import { keys, type SharedState } from './shared-state'

/** A draining node makes no new conference (joins to ones hosted elsewhere are still bridged). */
const shuttingDown = () =>
  new RpcError(ErrorCode.UNAVAILABLE, 'this server is shutting down; connect to another')

/** Events of a bridged socket's membership, sent to the socket's own node. */
class RemotePeer implements Peer {
  constructor(
    private readonly bus: Bus,
    readonly node: string,
    readonly conn: string,
    readonly rev?: number,
    /** Whether that node takes a turn's arrivals as such (`arr`, bus revision 3). */
    private readonly takesArrivals = false,
  ) {}
  send<E extends EventName>(event: E, data: Events[E]) {
    this.sendFrame(Frame.of(event, data))
  }
  sendFrame(frame: Frame) {
    this.bus.frame(this.node, this.conn, frame.text)
  }
  sendArrivals(frames: ArrivalFrames, from: number) {
    if (this.takesArrivals) return this.bus.arrivals(this.node, this.conn, frames, from)
    // An older node: the frames themselves, made here for the socket's revision.
    for (const frame of frames.framesFor(this.rev ?? 0, from)) this.sendFrame(frame)
  }
  left(confrId: string) {
    this.bus.send(this.node, { t: 'left', conn: this.conn, confrId })
  }
}

export class ClusterRouter implements Router {
  /** `node#boot/conn` → the Caller of a bridged socket, on this (hosting) node. */
  private readonly remote = new Map<string, Caller>()

  constructor(
    /** What is done on this node. */
    private readonly inner: LocalRouter,
    private readonly store: SharedState,
    private readonly bus: Bus,
    private readonly hosting: Hosting,
    private readonly nodes: Nodes,
    private readonly nodeId: string,
    /** The protocol revision this node offers. */
    private readonly revision: number,
    private readonly log: Logger,
    private readonly accepting: () => boolean,
    /** Where moved sockets should go: another node's URL while this one drains, else anywhere. */
    private readonly moveTarget: () => string | undefined,
  ) {}

  get sockets(): Map<string, LocalSocket> {
    return this.inner.sockets
  }

  private get service() {
    return this.inner.service
  }

  async request<M extends ServiceMethod>(
    method: M,
    caller: Caller,
    params: Params<M>,
    conn: string,
  ): Promise<R<M>> {
    const result = (await this.routed(method, caller, params, conn)) as R<M>
    // The socket closed while its request was away (at the host, or waiting on Redis): detach
    // found none of what the request gave it, so that waits out the grace window now.
    if (!this.sockets.has(conn) && caller.memberships.size > 0) this.detach(caller, conn)
    return this.withNodes(method, result)
  }

  private async routed<M extends ServiceMethod>(
    method: M,
    caller: Caller,
    params: Params<M>,
    conn: string,
  ): Promise<unknown> {
    const p = params as { confrId?: string; roomName?: string }
    const creates = method === 'createConference' || method === 'join'
    if (creates && !this.store.up)
      throw new RpcError(ErrorCode.UNAVAILABLE, 'the cluster store is unreachable; try again later')
    try {
      if (method === 'createConference')
        return await this.create(caller, params as Params<'createConference'>)
      if (method === 'join' && p.roomName !== undefined) {
        const { id, claimed } = await this.roomId(p.roomName)
        if (claimed && !this.accepting()) {
          await this.dropUnusedClaim(p.roomName, id)
          throw shuttingDown()
        }
        return await this.at(id, method, caller, params, conn).catch(async (e: unknown) => {
          if (claimed) await this.dropUnusedClaim(p.roomName!, id)
          throw e
        })
      }
      if (p.confrId !== undefined) return await this.at(p.confrId, method, caller, params, conn)
      if (methods[method].byStream) return await this.byStream(method, caller, params, conn)
      return await this.local(method, caller, params)
    } catch (e) {
      if (e instanceof RpcError) throw e
      // A Redis command failed (it is down): the client may retry.
      this.log.warn({ method, err: (e as Error).message }, 'cluster request failed')
      throw new RpcError(ErrorCode.UNAVAILABLE, 'the cluster store is unreachable; try again later')
    }
  }

  /** A socket closed: its memberships here wait out the grace window; the others' hosts are told. */
  detach(caller: Caller | null, conn: string) {
    if (caller) {
      const hosts = new Set<string>()
      for (const confrId of caller.memberships.keys())
        if (!this.hosting.hosts(confrId))
          void this.hostOf(confrId).then((h) => h && this.tellDetach(h, conn, hosts))
    }
    this.inner.detach(caller, conn)
  }

  private tellDetach(host: string, conn: string, told: Set<string>) {
    if (told.has(host)) return
    told.add(host)
    this.bus.send(host, { t: 'detach', from: this.bus.address, conn })
  }

  private async hostOf(confrId: string): Promise<string | null> {
    return this.store.cmd.get(keys.host(confrId)).catch(() => null)
  }

  /** A message from another node. */
  async receive(m: BusMessage): Promise<void> {
    switch (m.t) {
      case 'req':
        return this.serve(m)
      case 'op':
        return this.serveOp(m)
      case 'ev':
        for (const [text, conns] of m.batch) {
          const frame = new Frame(text)
          for (const c of conns) this.sockets.get(c)?.sendFrame(frame)
        }
        return
      case 'arr': {
        const frames = new ArrivalFrames(m.confrId, m.members)
        for (const [c, from] of m.to) this.sockets.get(c)?.sendArrivals(frames, from)
        return
      }
      case 'left':
        this.sockets.get(m.conn)?.left(m.confrId)
        return
      case 'detach': {
        const rc = this.remote.get(`${m.from}/${m.conn}`)
        this.remote.delete(`${m.from}/${m.conn}`)
        if (rc) this.service.detach(rc)
        return
      }
      case 'adopt':
        await this.hosting.load(m.confrId)
        return
      case 'rehost':
        return this.moveSocketsOf(m.confrId)
      case 'hook':
        return this.onHook?.(m)
    }
  }

  /** Set by the cluster when this node runs nginx edges' hooks. */
  onHook?: (m: Extract<BusMessage, { t: 'hook' }>) => Promise<void>

  /**
   * A node died (`node#`), or one run of it was replaced (`node#boot/`): the sockets it bridged
   * to us are gone; their memberships wait to resume.
   */
  bridgesEnded(prefix: string) {
    for (const [key, rc] of this.remote) {
      if (!key.startsWith(prefix)) continue
      this.remote.delete(key)
      this.service.detach(rc)
    }
  }

  /** Every socket of this node in `confrId` reconnects and resumes (its host changed). */
  private moveSocketsOf(confrId: string) {
    for (const s of this.sockets.values())
      if (s.caller?.memberships.has(confrId))
        s.move('the conference moved to another server', this.moveTarget())
  }

  private async serve(m: Extract<BusMessage, { t: 'req' }>) {
    const key = `${m.from}/${m.conn}`
    let rc = this.remote.get(key)
    if (!rc) {
      const info: CallerInfo = m.caller
      rc = {
        userId: info.userId,
        appId: info.appId,
        maxRole: info.maxRole as Caller['maxRole'],
        address: info.address,
        peer: new RemotePeer(this.bus, m.from, m.conn, info.rev, (info.bus ?? 1) >= 3),
        memberships: new Map(),
      }
      this.remote.set(key, rc)
    }
    try {
      if ((await this.hosting.resolve(m.confrId)) !== this.nodeId)
        return this.bus.reply(m.from, m.rid, { notHere: true })
      const result = await this.local(m.method, rc, m.params)
      this.bus.reply(m.from, m.rid, { result })
    } catch (e) {
      this.replyError(m, e, m.method)
    }
  }

  private replyError(m: { from: string; rid: number }, e: unknown, what: string) {
    const error = e instanceof RpcError ? e : new RpcError(ErrorCode.INTERNAL, 'internal error')
    if (!(e instanceof RpcError)) this.log.error({ err: e, what }, 'request failed')
    this.bus.reply(m.from, m.rid, { error })
  }

  /** Done here; a change is in the store before the reply leaves. */
  private async local<M extends ServiceMethod>(method: M, caller: Caller, params: Params<M>) {
    const result = await this.inner.request(method, caller, params)
    if (!methods[method].reads) {
      for (const id of caller.memberships.keys()) this.hosting.changed(id)
      const p = params as { confrId?: string }
      if (p.confrId) this.hosting.changed(p.confrId)
      await this.hosting.flush()
    }
    return result
  }

  // ---- the operator's actions ----

  /** On the conference's host, here or over the bus; a change is in the store before the reply. */
  async operate<O extends OperationName>(
    op: O,
    confrId: string,
    params: OpParams<O>,
  ): Promise<OpResult<O>> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const host = await this.hosting.resolve(confrId)
      if (host === null || host === this.nodeId) return this.operateHere(op, confrId, params)
      if (this.peer(host).bus < (OP_SINCE[op] ?? 2))
        throw new RpcError(
          ErrorCode.UNAVAILABLE,
          `the server hosting ${confrId} (${host}) runs an older release: ask it, or upgrade it`,
        )
      try {
        return (await this.bus.operate(host, {
          confrId,
          op,
          params,
        } as ForwardedOperation)) as OpResult<O>
      } catch (e) {
        if (!(e instanceof NotHere)) throw e
      }
    }
    throw new RpcError(ErrorCode.UNAVAILABLE, 'the conference is moving between servers; retry')
  }

  private async operateHere<O extends OperationName>(op: O, confrId: string, params: OpParams<O>) {
    const result = await this.inner.operate(op, confrId, params)
    if (!operations[op].reads) {
      this.hosting.changed(confrId)
      await this.hosting.flush()
    }
    return result
  }

  private async serveOp(m: Extract<BusMessage, { t: 'op' }>) {
    try {
      if ((await this.hosting.resolve(m.confrId)) !== this.nodeId)
        return this.bus.reply(m.from, m.rid, { notHere: true })
      this.bus.reply(m.from, m.rid, { result: await this.operateHere(m.op, m.confrId, m.params) })
    } catch (e) {
      this.replyError(m, e, m.op)
    }
  }

  /** Every conference of the cluster, each summarised by its host. */
  async summaries(): Promise<Array<ConferenceSummary & { host?: string }>> {
    const all = await this.hosting.allHosts()
    const found = await Promise.all(
      all.map(([confrId, host]) =>
        this.operate('summary', confrId, {}).then(
          (s) => ({ ...s, host: host ?? undefined }),
          // Ended, or its host gone, between the listing and the question.
          () => null,
        ),
      ),
    )
    return found.filter((s) => s !== null)
  }

  /**
   * Join and resume replies list the other nodes as the node answering the client sees them, and
   * say the lower of this node's revision and the host's: what the client may call through here.
   */
  private withNodes<T>(method: MethodName, result: T): T {
    if (method !== 'join' && method !== 'resume') return result
    const r = result as JoinResult
    const rev = Math.min(this.revision, r.rev ?? UNSTATED_REVISION)
    return { ...r, nodes: this.nodes.otherUrls(), rev } as T
  }

  /**
   * What `host` understands, from its lease: a lease that does not say is an older release's; a
   * node not seen yet is asked as if it were this one (it answers for itself).
   */
  private peer(host: string) {
    const info = this.nodes.alive.get(host)
    if (!info) return { rev: this.revision, bus: BUS_REVISION }
    return { rev: info.rev ?? UNSTATED_REVISION, bus: info.bus ?? 1 }
  }

  /** On another node: forwarded, and the socket's own view of its memberships kept. */
  private async at<M extends ServiceMethod>(
    confrId: string,
    method: M,
    caller: Caller,
    params: Params<M>,
    conn: string,
  ): Promise<unknown> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const host = await this.hosting.resolve(confrId)
      // Gone, or here: the service gives the answer (-301, -504...).
      if (host === null || host === this.nodeId) return this.local(method, caller, params)
      try {
        const info: CallerInfo = {
          userId: caller.userId,
          appId: caller.appId,
          maxRole: caller.maxRole,
          address: caller.address,
          rev: caller.peer.rev,
          bus: BUS_REVISION,
        }
        const { rev } = this.peer(host)
        if (!knowsMethod(rev, method))
          throw new RpcError(
            ErrorCode.UNKNOWN_METHOD,
            `"${method}" needs protocol revision ${METHOD_SINCE[method]}; the server hosting this conference offers ${rev}`,
          )
        const res = await this.bus.request(host, {
          conn,
          caller: info,
          confrId,
          method,
          params,
        } as ForwardedRequest)
        return this.bridged(method, caller, confrId, res)
      } catch (e) {
        if (!(e instanceof NotHere)) throw e
      }
    }
    throw new RpcError(ErrorCode.UNAVAILABLE, 'the conference is moving between servers; retry')
  }

  private bridged(method: MethodName, caller: Caller, confrId: string, res: unknown) {
    if (method === 'join' || method === 'resume') {
      const r = res as JoinResult
      caller.memberships.set(r.conference.confrId, r.self.id)
    }
    if (method === 'exit') caller.memberships.delete(confrId)
    return res
  }

  private async byStream<M extends ServiceMethod>(
    method: M,
    caller: Caller,
    params: Params<M>,
    conn: string,
  ) {
    let last: unknown = null
    for (const confrId of [...caller.memberships.keys()]) {
      try {
        return await this.at(confrId, method, caller, params, conn)
      } catch (e) {
        const code = (e as RpcError).code
        if (code !== ErrorCode.PUBLISH_INACTIVE && code !== ErrorCode.MEMBER_INVALID) throw e
        last = e
      }
    }
    if (last) throw last
    return this.local(method, caller, params)
  }

  /** The conference of a room name: the one that exists, or a new one hosted here. */
  private async roomId(name: string): Promise<{ id: string; claimed: boolean }> {
    const existing = await this.store.cmd.get(keys.room(name))
    if (existing) return { id: existing, claimed: false }
    const id = newId('CF_')
    const winner = await this.store.cmd.claimRoom(
      keys.room(name),
      keys.host(id),
      keys.confs,
      id,
      this.nodeId,
    )
    // The claim is held until the join made the conference, which `local` then writes.
    if (winner === id) this.service.claimRoom(name, id)
    return { id: winner, claimed: winner === id }
  }

  /** A join that claimed a room name here and failed before making its conference. */
  private async dropUnusedClaim(name: string, id: string) {
    if (this.hosting.hosts(id)) return
    this.service.claimRoom(name, null)
    const cmd = this.store.cmd
    await Promise.all([
      cmd.delIf(keys.room(name), id),
      cmd.delIf(keys.host(id), this.nodeId),
      cmd.srem(keys.confs, id),
    ]).catch(() => undefined)
  }

  private async create(caller: Caller, params: Params<'createConference'>) {
    if (!this.accepting()) throw shuttingDown()
    const result = await this.service.handle('createConference', caller, params)
    await this.store.cmd.claimHost(keys.host(result.confrId), this.nodeId, '')
    this.hosting.changed(result.confrId)
    await this.hosting.flush()
    return result
  }
}
