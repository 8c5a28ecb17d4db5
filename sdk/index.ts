// The SDK for mini programs: `emedia` is the default client on the wx adapter. The package entry
// (../index.ts) hands this same object to `require('miniprogram-conference-kit')`, and the store
// uses it, so `emedia.config(...)` anywhere configures the one client.
import { createWxAdapter, type WxLike } from './adapters/wx'
import { createEmedia } from './emedia'

// The mini program's global, typed only by what the adapter uses (the shared SDK compiles under
// the Node typings too). Read when the client first connects, not when this module loads.
declare const wx: WxLike | undefined

export * from './public'

export const emedia = createEmedia({
  adapter: createWxAdapter(() => (typeof wx === 'undefined' ? undefined : wx)),
})
