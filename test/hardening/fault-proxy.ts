// A TCP proxy on loopback that plays a bad network between a client and the server:
//   pass     forward bytes both ways (the normal case);
//   drop     reset every connection and refuse new ones (the phone lost its network);
//   stall    forward nothing while keeping every socket open, new ones included (a half-open,
//            blackholed path: a tunnel, a dead NAT entry). Bytes wait, as TCP would retransmit
//            them, and flow again on restore; closes seen meanwhile are passed on after them.
//   restore  back to pass.
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'net'

export type FaultMode = 'pass' | 'drop' | 'stall'

interface Link {
  client: Socket
  upstream: Socket | null
  /** Which side closed while the path was stalled: passed on when it is restored. */
  pendingClose: Array<'client' | 'upstream'>
}

export class FaultProxy {
  private mode: FaultMode = 'pass'
  private readonly links = new Set<Link>()
  /** Connections accepted since start, for assertions. */
  accepted = 0

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {
    server.on('connection', (socket) => this.accept(socket))
  }

  /** Starts a proxy on 127.0.0.1 (a free port) to `target`. */
  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const server = createServer({ allowHalfOpen: true })
    const proxy = new FaultProxy(server, target)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    return proxy
  }

  /** A proxy in front of the host:port of `url` (http:// or ws://). */
  static forUrl(url: string): Promise<FaultProxy> {
    const u = new URL(url)
    return FaultProxy.start({ host: u.hostname, port: Number(u.port) })
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  get state(): FaultMode {
    return this.mode
  }

  /** Open connections (client sides) right now. */
  get open(): number {
    return this.links.size
  }

  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string {
    const u = new URL(url)
    u.hostname = '127.0.0.1'
    u.port = String(this.port)
    return u.toString()
  }

  drop(): void {
    this.mode = 'drop'
    for (const link of [...this.links]) this.kill(link)
  }

  stall(): void {
    this.mode = 'stall'
    for (const link of this.links) {
      link.client.pause()
      link.upstream?.pause()
    }
  }

  restore(): void {
    const wasStalled = this.mode === 'stall'
    this.mode = 'pass'
    if (!wasStalled) return
    for (const link of [...this.links]) {
      if (!link.upstream) this.dial(link)
      link.client.resume()
      link.upstream?.resume()
      for (const side of link.pendingClose.splice(0)) this.closed(link, side, 'close')
    }
  }

  async stop(): Promise<void> {
    for (const link of [...this.links]) this.kill(link)
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  // ---- internals ----

  private accept(client: Socket) {
    this.accepted++
    client.on('error', () => undefined)
    if (this.mode === 'drop') {
      client.resetAndDestroy()
      return
    }
    const link: Link = { client, upstream: null, pendingClose: [] }
    this.links.add(link)
    client.setNoDelay(true)
    if (this.mode === 'stall') client.pause()
    else this.dial(link)
  }

  /** Opens the upstream side (deferred while stalled: the SYN would not get through). */
  private dial(link: Link) {
    const { client } = link
    const up = connect({ host: this.target.host, port: this.target.port, allowHalfOpen: true })
    link.upstream = up
    up.setNoDelay(true)
    up.on('error', () => undefined)
    this.forward(client, up)
    this.forward(up, client)
    client.on('end', () => this.closed(link, 'client', 'end'))
    client.on('close', () => this.closed(link, 'client', 'close'))
    up.on('end', () => this.closed(link, 'upstream', 'end'))
    up.on('close', () => this.closed(link, 'upstream', 'close'))
  }

  /** from → to with backpressure; a chunk that arrives as the path stalls is held back. */
  private forward(from: Socket, to: Socket) {
    from.on('data', (d) => {
      if (this.mode !== 'pass') {
        from.pause()
        from.unshift(d)
      } else if (!to.write(d)) from.pause()
    })
    to.on('drain', () => this.mode === 'pass' && from.resume())
  }

  /**
   * A side sent FIN ('end': half-close the other side) or is gone ('close': cut the other side).
   * While stalled nothing is passed on: the other end learns of it when the path is back.
   */
  private closed(link: Link, side: 'client' | 'upstream', how: 'end' | 'close') {
    if (!this.links.has(link)) return
    if (this.mode === 'stall') {
      if (how === 'close' && !link.pendingClose.includes(side)) link.pendingClose.push(side)
      return
    }
    const other = side === 'client' ? link.upstream : link.client
    if (how === 'end') {
      if (other && !other.destroyed) other.end()
      return
    }
    this.links.delete(link)
    other?.destroy()
  }

  private kill(link: Link) {
    this.links.delete(link)
    link.client.resetAndDestroy()
    link.upstream?.resetAndDestroy()
  }
}
