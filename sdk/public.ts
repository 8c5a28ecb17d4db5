// Everything both entries (index.ts for mini programs, sdk/node.ts for Node) export besides
// their default instance: the factory, the emedia constants and the public types.
export { createEmedia } from './emedia'
export type { CreateEmediaOptions, Emedia, EmediaConfig, EmediaConfigInput } from './emedia'
export { createWxAdapter } from './adapters/wx'
export type { WxLike, WxSocketTask, WxNetworkStatus } from './adapters/wx'
export type {
  Adapter,
  AdapterSocket,
  HttpRequest,
  HttpResponse,
  TimerHandle,
  Timers,
} from './adapters/types'
export type { EmediaError } from './errors'
export type {
  ConnectionState,
  EmediaEventName,
  EmediaEvents,
  MediaErrorInfo,
  MediaUpdate,
  Published,
  ReconnectedInfo,
} from './events'
export type { LogLevel, Logger } from './logger'
export type {
  ConferenceInfo,
  JoinOptions,
  JoinRoomConfig,
  JoinRoomOptions,
  Manager,
  PubStreamResult,
  SubStreamResult,
} from './manager'
export type { ReconnectPolicy } from './reconnect'
export {
  ConfrType,
  ErrorCode,
  ExitReason,
  PROTOCOL_VERSION,
  Role,
} from 'miniprogram-conference-protocol'
export type {
  Attrs,
  Conference,
  ConferenceConfig,
  ConfrTypeValue,
  ErrorCodeValue,
  ExitReasonValue,
  MediaCredential,
  Member,
  MemberCount,
  MemberExitCause,
  RoleValue,
  Stream,
} from 'miniprogram-conference-protocol'
