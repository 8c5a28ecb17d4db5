// Node entry (`miniprogram-conference-server/client`, shipped with the server package because it needs `ws`): the same SDK on `ws` + fetch, for bots, tests
// and server-side use. `emedia` is a ready instance; createEmedia makes more (one per client).
import { createNodeAdapter } from './adapters/node'
import { createEmedia } from './emedia'

export * from './public'
export { createNodeAdapter } from './adapters/node'
export type { NodeAdapter, NodeAdapterOptions } from './adapters/node'

/** A default client on its own Node adapter (`emedia.adapter` lets you play with the network). */
export const emedia = createEmedia({ adapter: createNodeAdapter() })
