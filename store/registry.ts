// Stores by key. Components find their store by a `store-key` property (a mini program cannot pass
// an object with methods through WXML), so a page, a test or a second room can inject its own
// store: registerStore('meeting', createConferenceStore(myEmedia)) and <conference-room
// store-key="meeting">. The key 'default' is the store on the default emedia, made on first use.
import type { ConferenceStore } from './root'

export const DEFAULT_STORE_KEY = 'default'

export class StoreHub {
  private readonly stores = new Map<string, ConferenceStore>()
  private defaultFactory: (() => ConferenceStore) | null = null

  setDefaultFactory(factory: () => ConferenceStore): void {
    this.defaultFactory = factory
  }

  register(key: string, store: ConferenceStore): void {
    if (!key) throw new TypeError('registerStore: key is required')
    this.stores.set(key, store)
  }

  unregister(key: string): void {
    this.stores.delete(key)
  }

  has(key: string): boolean {
    return this.stores.has(key)
  }

  get(key: string = DEFAULT_STORE_KEY): ConferenceStore {
    const k = key || DEFAULT_STORE_KEY
    let store = this.stores.get(k)
    if (!store && k === DEFAULT_STORE_KEY && this.defaultFactory) {
      store = this.defaultFactory()
      this.stores.set(k, store)
    }
    if (!store) {
      throw new Error(`no conference store registered as '${k}': call registerStore('${k}', store)`)
    }
    return store
  }
}

export const storeHub = new StoreHub()

export function registerStore(key: string, store: ConferenceStore): void {
  storeHub.register(key, store)
}

export function unregisterStore(key: string): void {
  storeHub.unregister(key)
}

export function getStore(key?: string): ConferenceStore {
  return storeHub.get(key)
}
