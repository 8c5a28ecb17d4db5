// Node-to-node messages over Redis pub/sub: requests forwarded to the node hosting a conference
// and their replies, event frames for bridged sockets (batched: one publish per node per tick,
// each frame once however many sockets of that node receive it; a turn's arrivals once, as the
// members, with where each socket starts: that node makes the frames), and cluster-wide notices.
import { ErrorCode } from 'miniprogram-conference-protocol'
import { type ArrivalFrames } from '../conference/frames'
import { type EdgeCall } from '../media/nginx/edge-hooks'
import { type ServiceMethod } from '../conference/methods'
import { type OperationName, type OpParams } from '../conference/operations'
import { type Logger } from '../log'
import { RpcError } from '../rpc-error'
import { type Params } from '../signal/schemas'
import { keys, type SharedState } from './shared-state'

/**
 * What this release's nodes understand on the bus, in their lease so that a newer node asks an
 * older one only what it knows. 2: operators' actions (`op`); 3: a turn's arrivals (`arr`);
 * 4: the operator's mute (`op` mute).
 */
export const BUS_REVISION = 4

/** The bus revision a host needs for an operator's action (the rest: 2). */
export const OP_SINCE: { readonly [O in OperationName]?: number } = { mute: 4 }

/** The bus address of one run of a node (Bus.address). */
export const incarnation = (nodeId: string, boot: string) => `${nodeId}#${boot}`

/** Who sent a forwarded request, as its own node authenticated it. */
export interface CallerInfo {
  userId: string
  appId: string
  maxRole?: number
  address?: string
  /** The protocol revision of the client's socket (the events it understands). */
  rev?: number
  /** What the socket's node understands on the bus (BUS_REVISION; absent: before 3). */
  bus?: number
}

/** A member's request for the conference's host: a method and its params, typed together. */
export type ForwardedRequest = {
  [M in ServiceMethod]: {
    conn: string
    caller: CallerInfo
    confrId: string
    method: M
    params: Params<M>
  }
}[ServiceMethod]

/** An operator's action for the conference's host (conference/operations.ts). */
export type ForwardedOperation = {
  [O in OperationName]: { confrId: string; op: O; params: OpParams<O> }
}[OperationName]

export type BusMessage =
  | ({ t: 'req'; from: string; rid: number } & ForwardedRequest)
  | ({ t: 'op'; from: string; rid: number } & ForwardedOperation)
  | {
      t: 'res'
      rid: number
      result?: unknown
      error?: { code: number; message: string }
      notHere?: boolean
    }
  /** Event frames for sockets of the receiving node: [frame, connection ids]. */
  | { t: 'ev'; batch: Array<[string, string[]]> }
  /** One turn's arrivals in a conference (members: their views, serialised) for sockets of the
   * receiving node: [connection id, index of the first arrival it is told of]. */
  | { t: 'arr'; confrId: string; members: string[]; to: Array<[string, number]> }
  /** A membership no longer belongs to that socket (exit, kick, replaced). */
  | { t: 'left'; conn: string; confrId: string }
  /** A bridged socket closed: its memberships wait out the grace window. */
  | { t: 'detach'; from: string; conn: string }
  /** An nginx edge's call about a conference the receiving node hosts (answered with 'res'). */
  | { t: 'hook'; from: string; rid: number; hook: EdgeCall }
  /** To one node: host this conference from the store now (drain hand-over). */
  | { t: 'adopt'; confrId: string }
  /** To all: the conference has a new host; move your sockets in it so they resume there. */
  | { t: 'rehost'; confrId: string; node: string }

/** What a node's sockets are sent in one tick: frames (each once, with its sockets) or arrivals. */
type Outgoing =
  | { kind: 'frames'; byFrame: Map<string, string[]> }
  | { kind: 'arrivals'; frames: ArrivalFrames; to: Array<[string, number]> }

/** A reply saying the conference is not hosted by the node asked (any more). */
export class NotHere extends Error {}

// Under the SDK's own request timeout (20 s); a dead host fails its requests sooner (failNode).
const REQUEST_TIMEOUT_MS = 15000

export class Bus {
  private nextRid = 1
  private readonly pending = new Map<
    number,
    {
      node: string
      resolve: (v: unknown) => void
      reject: (e: Error) => void
      timer: NodeJS.Timeout
    }
  >()
  /** node → what its sockets are sent this tick, in order: runs of frames, and arrivals. */
  private readonly outbox = new Map<string, Outgoing[]>()
  private flushQueued = false

  /**
   * Where what is meant for this process (not for its node id) goes: replies, and frames for its
   * sockets. `node#boot`, new at each start, so that a node restarted under the same id gets
   * nothing meant for the process it replaced — and the others can tell the two apart.
   */
  readonly address: string

  constructor(
    private readonly store: SharedState,
    private readonly nodeId: string,
    readonly boot: string,
    private readonly log: Logger,
    private readonly onMessage: (m: BusMessage) => void,
  ) {
    this.address = incarnation(nodeId, boot)
    store.sub.on('message', (_channel: string, text: string) => this.receive(text))
    // (Re)subscribed on every ready: a Redis restart forgets subscriptions.
    store.sub.on('ready', () => void this.subscribe())
  }

  async subscribe(): Promise<void> {
    const channels = [keys.bus(this.nodeId), keys.bus(this.address), keys.all]
    await this.store.sub.subscribe(...channels).catch((e: Error) => {
      this.log.warn({ err: e.message }, 'bus subscribe failed')
    })
  }

  send(node: string, m: BusMessage): void {
    this.store.cmd.publish(keys.bus(node), JSON.stringify(m)).catch((e: Error) => {
      this.log.warn({ node, t: m.t, err: e.message }, 'bus send failed')
    })
  }

  broadcast(m: BusMessage): void {
    this.store.cmd.publish(keys.all, JSON.stringify(m)).catch((e: Error) => {
      this.log.warn({ t: m.t, err: e.message }, 'bus broadcast failed')
    })
  }

  /** Forward a request to `node`; resolves with its result, rejects with its RpcError. */
  request(node: string, m: ForwardedRequest) {
    return this.ask(node, (rid) => ({ ...m, t: 'req', rid, from: this.address }))
  }

  /** Forward an operator's action to the node hosting its conference. */
  operate(node: string, m: ForwardedOperation) {
    return this.ask(node, (rid) => ({ ...m, t: 'op', rid, from: this.address }))
  }

  /** Forward an edge's call to the node hosting its conference. */
  hook(node: string, hook: EdgeCall) {
    return this.ask(node, (rid) => ({ t: 'hook', rid, from: this.address, hook }))
  }

  private ask(node: string, message: (rid: number) => BusMessage) {
    const rid = this.nextRid++
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid)
        reject(new RpcError(ErrorCode.UNAVAILABLE, 'the conference host did not answer; retry'))
      }, REQUEST_TIMEOUT_MS)
      this.pending.set(rid, { node, resolve, reject, timer })
      this.send(node, message(rid))
    })
  }

  reply(to: string, rid: number, out: { result?: unknown; error?: RpcError; notHere?: boolean }) {
    // What that node's sockets were sent before this reply reaches them before it.
    this.flushTo(to)
    const error = out.error && { code: out.error.code, message: out.error.message }
    this.send(to, { t: 'res', rid, result: out.result, error, notHere: out.notHere })
  }

  /** An event frame for socket `conn` of `node`, sent with the others of this tick. */
  frame(node: string, conn: string, text: string): void {
    const queue = this.queueOf(node)
    let last = queue[queue.length - 1]
    if (last?.kind !== 'frames') queue.push((last = { kind: 'frames', byFrame: new Map() }))
    const conns = last.byFrame.get(text)
    if (conns) conns.push(conn)
    else last.byFrame.set(text, [conn])
  }

  /** A turn's arrivals for socket `conn` of `node` from index `from` on, sent with this tick's. */
  arrivals(node: string, conn: string, frames: ArrivalFrames, from: number): void {
    const queue = this.queueOf(node)
    let last = queue[queue.length - 1]
    if (last?.kind !== 'arrivals' || last.frames !== frames)
      queue.push((last = { kind: 'arrivals', frames, to: [] }))
    last.to.push([conn, from])
  }

  private queueOf(node: string): Outgoing[] {
    let queue = this.outbox.get(node)
    if (!queue) this.outbox.set(node, (queue = []))
    if (!this.flushQueued) {
      this.flushQueued = true
      setImmediate(() => this.flushOutbox())
    }
    return queue
  }

  private flushOutbox() {
    this.flushQueued = false
    for (const node of [...this.outbox.keys()]) this.flushTo(node)
  }

  /** One message per run, in the order they were queued (one channel keeps that order). */
  private flushTo(node: string) {
    const queue = this.outbox.get(node)
    if (!queue) return
    this.outbox.delete(node)
    for (const out of queue)
      if (out.kind === 'frames') this.send(node, { t: 'ev', batch: [...out.byFrame] })
      else {
        const { confrId, members } = out.frames
        this.send(node, { t: 'arr', confrId, members: [...members], to: out.to })
      }
  }

  private receive(text: string) {
    let m: BusMessage
    try {
      m = JSON.parse(text) as BusMessage
    } catch {
      return this.log.warn('bus: a message that is not JSON')
    }
    if (m.t !== 'res') return this.onMessage(m)
    const p = this.pending.get(m.rid)
    if (!p) return
    this.pending.delete(m.rid)
    clearTimeout(p.timer)
    if (m.notHere) p.reject(new NotHere())
    else if (m.error) p.reject(new RpcError(m.error.code, m.error.message))
    else p.resolve(m.result)
  }

  /** `node` died: what we asked it will never be answered; the askers look for the new host. */
  failNode(node: string) {
    for (const [rid, p] of this.pending) {
      if (p.node !== node) continue
      this.pending.delete(rid)
      clearTimeout(p.timer)
      p.reject(new NotHere())
    }
  }

  close() {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer)
      p.reject(new RpcError(ErrorCode.UNAVAILABLE, 'server shutting down'))
    }
    this.pending.clear()
  }
}
