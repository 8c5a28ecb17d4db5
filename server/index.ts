// `require('miniprogram-conference-server')`: run the server inside your own Node process, or
// mint user tokens in your app's backend.
export { createConferenceServer } from './app'
export type { ConferenceServer, ServerParts } from './app'
export { loadConfig, describeOptions } from './config'
export type { ServerConfig } from './config'
export { mintUserToken } from './auth/tokens'
export type { MediaEngine, MediaHooks, MediaSession } from './media/engine'
