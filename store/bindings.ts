// Field definitions for mobx-miniprogram-bindings. Each component binds the store hub and
// resolves its own store (`data.storeKey`) and, for a tile, its own member (`data.memberId`), so
// every field is its own reaction on a primitive: a change sends exactly the fields that changed.
import type { StoreHub } from './registry'
import type { ConferenceStore } from './conference'
import type { LocalMedia, Tile } from './types'

interface BoundData {
  data: { storeKey?: string; memberId?: string }
}

type Field = (this: BoundData, hub: StoreHub) => unknown

export function storeOf(component: BoundData, hub: StoreHub): ConferenceStore {
  return hub.get(component.data.storeKey)
}

const EMPTY_TILE: Tile = {
  memberId: '',
  name: '',
  isSelf: false,
  url: '',
  voff: 1,
  aoff: 1,
  speaking: false,
  key: '',
}

/** Fields of the tile of `data.memberId`, or of our own tile with `self`. */
export function tileFields<K extends keyof Tile>(keys: K[], self = false): Record<K, Field> {
  const fields = {} as Record<K, Field>
  for (const key of keys) {
    fields[key] = function (this: BoundData, hub: StoreHub) {
      const store = storeOf(this, hub)
      const memberId = self ? store.self?.id : this.data.memberId
      const tile = memberId ? store.tileOf(memberId) : undefined
      return (tile ?? EMPTY_TILE)[key]
    }
  }
  return fields
}

/** Fields of our own publishing state. */
export function localFields<K extends keyof LocalMedia>(keys: K[]): Record<K, Field> {
  const fields = {} as Record<K, Field>
  for (const key of keys) {
    fields[key] = function (this: BoundData, hub: StoreHub) {
      return storeOf(this, hub).local[key]
    }
  }
  return fields
}

/** Fields read straight off the store (status, canPublish, tileIds, …). */
export function storeFields<K extends keyof ConferenceStore>(keys: K[]): Record<K, Field> {
  const fields = {} as Record<K, Field>
  for (const key of keys) {
    fields[key] = function (this: BoundData, hub: StoreHub) {
      return storeOf(this, hub)[key]
    }
  }
  return fields
}
