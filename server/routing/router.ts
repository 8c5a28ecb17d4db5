// The one seam between a request and where it is carried out. A socket (signal/connection.ts)
// and the operator's HTTP routes (http/operator.ts) hand every request to a Router and never ask
// whether there is a cluster: alone, the LocalRouter here runs it on this node's service; in a
// cluster, cluster/router.ts's ClusterRouter wraps a LocalRouter and runs it on the conference's
// host (here or over the bus). The facts a router needs about a method are in the method table
// (conference/methods.ts), and about an operator's action in conference/operations.ts.
import { type Caller, type ConferenceService } from '../conference/service'
import { type R } from '../conference/context'
import { type ServiceMethod } from '../conference/methods'
import { type Peer } from '../conference/state'
import {
  operate,
  type ConferenceSummary,
  type OperationName,
  type OpParams,
  type OpResult,
} from '../conference/operations'
import { type Params } from '../signal/schemas'

/** A socket of this node, as a router sees it (signal/connection.ts). */
export interface LocalSocket extends Peer {
  readonly id: string
  readonly caller: Caller | null
  /** Ask the client to reconnect (to `url`, or where it likes) and resume there. */
  move(reason: string, url?: string): void
}

export interface Router {
  /** The sockets of this node, by id. */
  readonly sockets: Map<string, LocalSocket>
  /** A member's request, from socket `conn`. */
  request<M extends ServiceMethod>(
    method: M,
    caller: Caller,
    params: Params<M>,
    conn: string,
  ): R<M> | Promise<R<M>>
  /** An operator's action on one conference. */
  operate<O extends OperationName>(
    op: O,
    confrId: string,
    params: OpParams<O>,
  ): Promise<OpResult<O>>
  /** Every conference, summarised, wherever it is hosted. */
  summaries(): Promise<Array<ConferenceSummary & { host?: string }>>
  /** A socket closed: its memberships wait out the grace window. */
  detach(caller: Caller | null, conn: string): void
}

/** One node: everything is done here. */
export class LocalRouter implements Router {
  readonly sockets = new Map<string, LocalSocket>()

  constructor(readonly service: ConferenceService) {}

  request<M extends ServiceMethod>(
    method: M,
    caller: Caller,
    params: Params<M>,
  ): R<M> | Promise<R<M>> {
    return this.service.handle(method, caller, params)
  }

  async operate<O extends OperationName>(op: O, confrId: string, params: OpParams<O>) {
    return operate(this.service, op, confrId, params)
  }

  async summaries(): Promise<Array<ConferenceSummary & { host?: string }>> {
    return [...this.service.conferences.keys()].map((id) =>
      operate(this.service, 'summary', id, {}),
    )
  }

  detach(caller: Caller | null, conn: string) {
    this.sockets.delete(conn)
    if (caller) this.service.detach(caller)
  }
}
