// The store's private parts: what its actions need besides the observable state (the SDK, the
// event emitter, how the last join went). Kept off the store's public surface: the action files
// reach them with coreOf(store).
import { Emitter } from '../sdk/emitter'
import { createLogger } from '../sdk/logger'
import type { ConferenceStore } from './conference'
import type { EmediaLike, JoinByIdOptions, JoinRoomOptions, StoreEventArgs } from './types'

/** How the last join went: rejoin() repeats it. */
export type JoinPlan =
  | { kind: 'room'; options: JoinRoomOptions }
  | { kind: 'id'; confrId: string; password: string; options: JoinByIdOptions }
  | { kind: 'ticket'; confrId: string; ticket: string; options: JoinByIdOptions }

/** Not observable: none of this is shown. */
export interface Core {
  readonly store: ConferenceStore
  readonly emedia: EmediaLike
  readonly events: Emitter<StoreEventArgs>
  plan: JoinPlan | null
  /** A pubStream is on its way. */
  publishing: boolean
}

const cores = new WeakMap<ConferenceStore, Core>()

/** Makes the Core of a store being constructed. */
export function createCore(store: ConferenceStore, emedia: EmediaLike): Core {
  if (!emedia || !emedia.mgr || typeof emedia.mgr.on !== 'function') {
    throw new TypeError('createConferenceStore(emedia): emedia with mgr.on(...) is required')
  }
  const events = new Emitter<StoreEventArgs>(createLogger('warn', '[conference-kit]'))
  const core: Core = { store, emedia, events, plan: null, publishing: false }
  cores.set(store, core)
  return core
}

export function coreOf(store: ConferenceStore): Core {
  const core = cores.get(store)
  if (!core) throw new TypeError('not a ConferenceStore: make one with createConferenceStore')
  return core
}
