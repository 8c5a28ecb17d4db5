// Open signalling sockets, grouped by client address (security/client-address.ts): caps how many
// the server and one address may hold and how many requests per second they may send together,
// and lets tests and invariant checks see every live socket. One registry per server, found
// through the server's ConferenceService (the handle tests and embedders already have).
import type WebSocket from 'ws'
import { CloseCode, ErrorCode } from 'miniprogram-conference-protocol'
import { TokenBucket } from './bucket'

/** What the registry needs to know of a socket: the memberships it holds (confrId → memberId). */
export interface TrackedSocket {
  readonly memberships: ReadonlyMap<string, string>
}

export interface AddressLimits {
  /** Sockets of the whole server. */
  maxSockets: number
  maxSocketsPerAddress: number
  msgRatePerAddress: number
  msgBurstPerAddress: number
}

interface Address {
  sockets: Set<TrackedSocket>
  /** Requests of all the address's sockets together. */
  bucket: TokenBucket
}

export class SocketRegistry {
  private readonly byAddress = new Map<string, Address>()
  private count = 0

  constructor(private readonly limits: () => AddressLimits) {}

  /**
   * Registers the socket `make()` builds for `ws`, unless `address` already holds its limit: then
   * the client gets a -429 error frame and close code 4029, and nothing is built.
   */
  admit(ws: WebSocket, address: string, make: () => TrackedSocket): TrackedSocket | null {
    const { maxSocketsPerAddress: max, maxSockets } = this.limits()
    const entry = this.byAddress.get(address) ?? this.newAddress()
    const set = entry.sockets
    const message =
      maxSockets > 0 && this.count >= maxSockets
        ? `this server is full (limit ${maxSockets} connections); try again later`
        : max > 0 && set.size >= max
          ? `too many connections from your address (limit ${max})`
          : ''
    if (message) {
      ws.send(JSON.stringify({ id: null, error: { code: ErrorCode.RATE_LIMITED, message } }))
      ws.close(CloseCode.RATE_LIMITED, message)
      return null
    }
    const socket = make()
    set.add(socket)
    this.byAddress.set(address, entry)
    this.count++
    ws.once('close', () => {
      if (!set.delete(socket)) return
      this.count--
      if (set.size === 0 && this.byAddress.get(address) === entry) this.byAddress.delete(address)
    })
    return socket
  }

  /** One request from `address`: false when its sockets together are over the rate. */
  take(address: string): boolean {
    return this.byAddress.get(address)?.bucket.take() ?? true
  }

  /** Open sockets right now. */
  get size(): number {
    return this.count
  }

  from(address: string): number {
    return this.byAddress.get(address)?.sockets.size ?? 0
  }

  *all(): IterableIterator<TrackedSocket> {
    for (const a of this.byAddress.values()) yield* a.sockets
  }

  private newAddress(): Address {
    const bucket = new TokenBucket(
      () => this.limits().msgRatePerAddress,
      () => this.limits().msgBurstPerAddress,
    )
    return { sockets: new Set(), bucket }
  }
}

const registries = new WeakMap<object, SocketRegistry>()

/** Made once per server by the signalling endpoint, keyed by the server's service. */
export function createSocketRegistry(service: object, limits: () => AddressLimits): SocketRegistry {
  const r = new SocketRegistry(limits)
  registries.set(service, r)
  return r
}

/** The registry of the server whose service is `service` (undefined: no signalling attached). */
export function socketsOf(service: object): SocketRegistry | undefined {
  return registries.get(service)
}
