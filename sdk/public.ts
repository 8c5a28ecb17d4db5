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
  ControlsState,
  EmediaEventName,
  EmediaEvents,
  MediaErrorInfo,
  MediaUpdate,
  MutedByHost,
  Published,
  ReconnectedInfo,
} from './events'
export type { LogLevel, Logger } from './logger'
export type {
  ConferenceInfo,
  JoinOptions,
  JoinRoomConfig,
  JoinRoomOptions,
  InvitationResult,
  Manager,
  MessageContent,
  MessageOptions,
  MuteOptions,
  MuteResult,
  PubStreamResult,
  SubStreamResult,
} from './manager'
export type { ReconnectPolicy } from './reconnect'
export {
  ConfrType,
  ErrorCode,
  ExitReason,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  Role,
} from 'miniprogram-conference-protocol'
export type {
  Attrs,
  ChatMessage,
  Conference,
  ConferenceConfig,
  ConferenceControls,
  Hand,
  HostMute,
  MemberRef,
  MuteAll,
  Refusal,
  RoleDenied,
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
