// How a component finds its store and binds store fields to its data. Every kit component takes
// a `store-key` property (common/component.ts) and looks its store up in the registry by it; the
// key 'default' is the store on the default emedia, registered by store/index (required here, so
// a component used without store-key finds it).
//
// The bindings: mobx-miniprogram-bindings fixes a binding's `store` when the component is
// defined, but the key is only known per instance, so each field is a function that resolves the
// instance's store first. Each field is its own reaction on one value: a change sends exactly the
// fields that changed.
import {
  mediaLessTile,
  storeHub,
  type ConferenceStore,
  type LocalMedia,
  type Tile,
} from '../../store/index'
import type { MediaStore } from '../../store/media'
import type { MeetingStore } from '../../store/meeting'
import type { ScreenStore } from '../../store/screen'
import type { SessionStore } from '../../store/session'

/** What a bound component is, to the fields (its own `data`). */
export interface StoreHost {
  data: { storeKey?: string; tileId?: string }
}

type Field = (this: StoreHost) => unknown

/** The store of a component (by its `store-key`). */
export function storeOf(component: StoreHost): ConferenceStore {
  return storeHub.get(component.data.storeKey)
}

/** `storeBindings` of a component from the fields below. */
export function bindStore(...fields: Array<Record<string, Field>>) {
  return { store: storeHub, fields: Object.assign({}, ...fields), actions: [] }
}

function fieldsOf<T, K extends keyof T>(
  keys: K[],
  from: (store: ConferenceStore) => T,
): Record<K, Field> {
  const fields = {} as Record<K, Field>
  for (const key of keys) {
    fields[key] = function (this: StoreHost) {
      return from(storeOf(this))[key]
    }
  }
  return fields
}

/** Fields of the root store (tileIds, featuredTileId, …). */
export const rootFields = <K extends keyof ConferenceStore>(keys: K[]) =>
  fieldsOf<ConferenceStore, K>(keys, (s) => s)

/** Fields of the session store (status, canPublish, …). */
export const sessionFields = <K extends keyof SessionStore>(keys: K[]) =>
  fieldsOf<SessionStore, K>(keys, (s) => s.session)

/** Fields of the media store (permissionDenied, …). */
export const mediaFields = <K extends keyof MediaStore>(keys: K[]) =>
  fieldsOf<MediaStore, K>(keys, (s) => s.media)

/** Fields of the meeting store (roster, hands, locked, …). */
export const meetingFields = <K extends keyof MeetingStore>(keys: K[]) =>
  fieldsOf<MeetingStore, K>(keys, (s) => s.meeting)
/** Fields of the screen store (soundMode, headCount, …). */
export const screenFields = <K extends keyof ScreenStore>(keys: K[]) =>
  fieldsOf<ScreenStore, K>(keys, (s) => s.screen)

/** Fields of our own publishing state. */
export const localFields = <K extends keyof LocalMedia>(keys: K[]) =>
  fieldsOf<LocalMedia, K>(keys, (s) => s.media.local)

const EMPTY_TILE: Tile = mediaLessTile('')

/** Fields of the tile of `data.tileId`, or of our own tile with `self`. */
export function tileFields<K extends keyof Tile>(keys: K[], self = false): Record<K, Field> {
  const fields = {} as Record<K, Field>
  for (const key of keys) {
    fields[key] = function (this: StoreHost) {
      const store = storeOf(this)
      const id = self ? store.session.self?.id : this.data.tileId
      return ((id && store.tileOf(id)) || EMPTY_TILE)[key]
    }
  }
  return fields
}
