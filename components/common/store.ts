// The one place components look their store up. It imports the store's entry, not just its
// registry: the entry is what registers the default store, so a component used without
// `store-key` (as the demo uses <conference-room>) finds one.
export { storeHub, type StoreHub } from '../../store/index'
export { localFields, storeFields, storeOf, tileFields } from '../../store/bindings'
