// The cluster's shared state in Redis (not the kit's MobX store/): two Redis connections (commands and subscriptions), their health,
// the key names and the few atomic scripts the nodes agree through. Commands fail at once while
// Redis is unreachable (no offline queue): a caller must know, not wait.
import { EventEmitter } from 'events'
import Redis from 'ioredis'
import { type Logger } from '../log'

export const keys = {
  /** Room name → confrId of the conference joined by that name. */
  room: (name: string) => `ck:room:${name}`,
  /** The conference's state (codec.ts). */
  conf: (id: string) => `ck:conf:${id}`,
  /** Node id hosting the conference; alive as long as that node is (no lease of its own). */
  host: (id: string) => `ck:host:${id}`,
  /** Every conference id in the cluster. */
  confs: 'ck:confs',
  /** A node's public facts (NodeInfo), a lease renewed by that node. */
  node: (id: string) => `ck:node:${id}`,
  nodes: 'ck:nodes',
  /** Channel of one node's messages (bus.ts). */
  bus: (id: string) => `ck:bus:${id}`,
  /** Channel every node hears. */
  all: 'ck:all',
}

// Room name → conference id, claimed once: the first claimant's id wins and it hosts.
const CLAIM_ROOM = `
local cur = redis.call('GET', KEYS[1])
if cur then return cur end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[1])
return ARGV[1]`

// Host a conference: free, already ours, or hosted by `replace` (a dead node).
const CLAIM_HOST = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] and cur ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1`

// Delete a key only while it still holds the value we set (a lease or a room name).
const DEL_IF = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

// Give a conference we host to another node.
const PASS_HOST = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`

export interface ClusterRedis extends Redis {
  claimRoom(room: string, host: string, confs: string, id: string, node: string): Promise<string>
  claimHost(host: string, node: string, replace: string): Promise<number>
  delIf(key: string, value: string): Promise<number>
  passHost(host: string, from: string, to: string): Promise<number>
}

export const connectionName = (nodeId: string) => `ck-node:${nodeId}`

/** Emits 'up' each time both connections are ready again, 'down' when one is lost. */
export class SharedState extends EventEmitter<{ up: []; down: [] }> {
  readonly cmd: ClusterRedis
  readonly sub: Redis
  private wasUp = false
  /** Closed on purpose: its connections going away is no outage. */
  private closing = false

  constructor(
    url: string,
    nodeId: string,
    private readonly log: Logger,
  ) {
    super()
    const options = {
      // Named, so that the others see in CLIENT LIST when this process is gone (nodes.ts).
      connectionName: connectionName(nodeId),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // Keep trying, at most every second: the node recovers by itself when Redis is back.
      retryStrategy: (n: number) => Math.min(100 * n, 1000),
    }
    // Commands of one turn leave in one write: a burst of joins costs a few system calls, not
    // several per join.
    this.cmd = new Redis(url, { ...options, enableAutoPipelining: true }) as ClusterRedis
    this.cmd.defineCommand('claimRoom', { numberOfKeys: 3, lua: CLAIM_ROOM })
    this.cmd.defineCommand('claimHost', { numberOfKeys: 1, lua: CLAIM_HOST })
    this.cmd.defineCommand('delIf', { numberOfKeys: 1, lua: DEL_IF })
    this.cmd.defineCommand('passHost', { numberOfKeys: 1, lua: PASS_HOST })
    this.sub = new Redis(url, { ...options, autoResubscribe: true })
    for (const c of [this.cmd, this.sub]) {
      c.on('ready', () => this.check())
      c.on('close', () => this.check())
      c.on('error', (e: Error) => this.log.debug({ err: e.message }, 'redis'))
    }
  }

  get up(): boolean {
    return this.cmd.status === 'ready' && this.sub.status === 'ready'
  }

  /** Connects; a Redis that is down now is not fatal: the node starts and reports it. */
  async connect(): Promise<void> {
    await Promise.all(
      [this.cmd, this.sub].map((c) =>
        c.connect().catch((e: Error) => this.log.error({ err: e.message }, 'redis unreachable')),
      ),
    )
    this.check()
  }

  private check() {
    if (this.closing) return
    const up = this.up
    if (up === this.wasUp) return
    this.wasUp = up
    if (up) this.log.info('redis reachable')
    else this.log.error('redis unreachable: no joins until it is back')
    this.emit(up ? 'up' : 'down')
  }

  async close(): Promise<void> {
    this.closing = true
    this.removeAllListeners()
    await Promise.all([this.cmd, this.sub].map((c) => c.quit().catch(() => c.disconnect())))
  }
}
