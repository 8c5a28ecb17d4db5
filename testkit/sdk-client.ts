// SDK clients for integration tests: the Node build of the emedia API on the Node adapter, each
// with its own user, recording every callback it receives.
import { type ConferenceServer } from '../server/app'
import { createEmedia, createNodeAdapter } from '../sdk/node'
import type { NodeAdapter, NodeAdapterOptions } from '../sdk/adapters/node'
import type { JoinRoomOptions } from '../sdk/manager'
import { tokenFor } from './server'

export interface NodeClient {
  emedia: ReturnType<typeof createEmedia>
  adapter: NodeAdapter
  /** Every event the client saw, in order: [name, ...args]. */
  log: unknown[][]
  /** onConferenceExit calls: [reason, failed]. */
  exits: Array<[number, number]>
  events(name: string): unknown[][]
  close(): Promise<void>
}

/** The meeting's events (revision 6). */
export const MEETING_EVENTS = [
  'mutedByHost',
  'handsChanged',
  'controlsChanged',
  'speakInvitation',
  'speakInvitationAnswered',
  'message',
  'roleDenied',
] as const

/** The SDK events a test client records (all but stateChanged, which only tracks state). */
export const RECORDED_EVENTS = [
  'memberJoined',
  'memberExited',
  'memberUpdated',
  'streamAdded',
  'streamRemoved',
  'roleChanged',
  'mediaChanged',
  'conferenceExit',
  'confrAttrsUpdated',
  'reconnecting',
  'reconnected',
  'mediaError',
  'memberCount',
  ...MEETING_EVENTS,
] as const

/** Where a client connects and who signs its token: a server, or one node of a cluster. */
export type ClientTarget = Pick<ConferenceServer, 'wsUrl' | 'tokens'>

export async function nodeClient(
  server: ClientTarget,
  userId: string,
  opts: {
    maxRole?: 1 | 3 | 7 | 9
    config?: Record<string, unknown>
    /** Its Node adapter's options (TLS: an https agent for wss://). */
    adapter?: NodeAdapterOptions
  } = {},
): Promise<NodeClient> {
  const adapter = createNodeAdapter(opts.adapter)
  const emedia = createEmedia({ adapter })
  emedia.config({
    host: server.wsUrl,
    token: tokenFor(server, userId, opts.maxRole),
    ...opts.config,
  })
  const log: unknown[][] = []
  const exits: Array<[number, number]> = []
  for (const name of RECORDED_EVENTS) {
    emedia.mgr.on(name, (...args: unknown[]) => {
      log.push([name, ...args])
      if (name === 'conferenceExit') exits.push([args[0] as number, args[1] as number])
    })
  }
  return {
    emedia,
    adapter,
    log,
    exits,
    events: (name) => log.filter((e) => e[0] === name).map((e) => e.slice(1)),
    async close() {
      await emedia.mgr.disconnect()
    },
  }
}

/** Node clients of one test file, all closed by `closeAll` (afterEach). */
export function clientPool(server: () => ConferenceServer) {
  const open: NodeClient[] = []
  return {
    async client(userId: string, opts?: Parameters<typeof nodeClient>[2]): Promise<NodeClient> {
      const c = await nodeClient(server(), userId, opts)
      open.push(c)
      return c
    },
    closeAll: () => Promise.all(open.splice(0).map((c) => c.close())),
  }
}

/**
 * `clients` join one room one after another, so that the order of arrival is fixed (the first
 * creates it): the i-th with `roles[i]`, those past the list with its last role (none: the
 * SDK's default). The first one's conference.
 */
export async function joinInTurn(
  clients: NodeClient[],
  room: JoinRoomOptions,
  roles: Array<JoinRoomOptions['role']> = [],
) {
  const joined = []
  for (const [i, c] of clients.entries()) {
    const role = roles[Math.min(i, roles.length - 1)]
    joined.push(await c.emedia.mgr.joinRoom(role === undefined ? room : { ...room, role }))
  }
  return joined[0]
}

/** The error a promise rejects with; fails when it resolves. */
export const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: { code: number; message: string }) => e,
  )
