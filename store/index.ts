// The kit's store: the factory, the registry components look stores up in, and the default store
// on the SDK's default emedia (made on first use, so importing the kit opens nothing).
import { emedia } from '../sdk/index'
import { createConferenceStore } from './root'
import { storeHub } from './registry'

storeHub.setDefaultFactory(() => createConferenceStore(emedia))

export { ConferenceStore, createConferenceStore } from './root'
export { SessionStore, REJOINABLE } from './session'
export type { CreateOptions, JoinPlan } from './session'
export { MediaStore, defaultLocal } from './media'
export { MeetingStore, MAX_STORED_MESSAGES, MESSAGE_PAGE } from './meeting'
export type { PusherOptions } from './media'
export { ScreenStore } from './screen'
export type { LocalMirror, SoundMode } from './screen'
export {
  DEFAULT_STORE_KEY,
  StoreHub,
  getStore,
  registerStore,
  storeHub,
  unregisterStore,
} from './registry'
export { mediaLessTile } from './tiles'
export { displayName } from './names'
export { canPublish } from 'miniprogram-conference-protocol'
export * from './media-policy'
export type * from './types'
