// The wire contract between the SDK and the server (docs/protocol.md explains it). The SDK builds
// requests from it, the server validates them against it (server/signal/schemas.ts), and both ends
// type their frames with it. Nothing here touches a platform API: it runs in a mini program, in
// Node and in a browser.
export * from './version'
export * from './roles'
export * from './codes'
export * from './model'
export * from './meeting'
export type * from './methods'
export type * from './events'
export * from './frames'
