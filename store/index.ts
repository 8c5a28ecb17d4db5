// The kit's store: the factory, the registry components look stores up in, and the default store
// on the SDK's default emedia (made on first use, so importing the kit opens nothing).
import { emedia } from '../sdk/index'
import { createConferenceStore } from './conference'
import { storeHub } from './registry'

storeHub.setDefaultFactory(() => createConferenceStore(emedia))

export { ConferenceStore, createConferenceStore } from './conference'
export type { CreateOptions, PusherOptions } from './conference'
export {
  DEFAULT_STORE_KEY,
  StoreHub,
  getStore,
  registerStore,
  storeHub,
  unregisterStore,
} from './registry'
export { canPublishRole, displayName } from './tiles'
export * from './media-policy'
export type * from './types'
