// Mini program entry (package main): `require('miniprogram-conference-kit')` returns the ready
// emedia object on the wx adapter — `emedia.mgr`, `emedia.config`, `emedia.util` as the emedia
// SDK had them — which also carries the named exports (createEmedia, createWxAdapter, ConfrType,
// Role, ErrorCode, ExitReason). Types: `import type { Member } from 'miniprogram-conference-kit'`.
import * as sdk from './sdk/index'

const emedia = Object.assign(sdk.emedia, {
  createEmedia: sdk.createEmedia,
  createWxAdapter: sdk.createWxAdapter,
  PROTOCOL_VERSION: sdk.PROTOCOL_VERSION,
})

// Compile-time proof that the platform's `wx` fits the adapter's WxLike (no effect at run time).
const wxFits = (w: WechatMiniprogram.Wx): sdk.WxLike => w
void wxFits

// Types only: merges with the value above so that `export =` carries both.
declare namespace emedia {
  export type Adapter = sdk.Adapter
  export type Attrs = sdk.Attrs
  export type Conference = sdk.Conference
  export type ConferenceConfig = sdk.ConferenceConfig
  export type ConferenceInfo = sdk.ConferenceInfo
  export type ConfrTypeValue = sdk.ConfrTypeValue
  export type ConnectionState = sdk.ConnectionState
  export type Emedia = sdk.Emedia
  export type EmediaConfig = sdk.EmediaConfig
  export type EmediaConfigInput = sdk.EmediaConfigInput
  export type EmediaError = sdk.EmediaError
  export type EmediaEvents = sdk.EmediaEvents
  export type ErrorCodeValue = sdk.ErrorCodeValue
  export type ExitReasonValue = sdk.ExitReasonValue
  export type JoinOptions = sdk.JoinOptions
  export type JoinRoomOptions = sdk.JoinRoomOptions
  export type Manager = sdk.Manager
  export type MediaUpdate = sdk.MediaUpdate
  export type Member = sdk.Member
  export type MemberExitCause = sdk.MemberExitCause
  export type Published = sdk.Published
  export type PubStreamResult = sdk.PubStreamResult
  export type ReconnectedInfo = sdk.ReconnectedInfo
  export type RoleValue = sdk.RoleValue
  export type Stream = sdk.Stream
  export type SubStreamResult = sdk.SubStreamResult
  export type WxLike = sdk.WxLike
}

export = emedia
