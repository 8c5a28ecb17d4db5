// The tiles of the room laid out per template. It binds the list of tile ids only: a mute, a
// speaking change or a new play URL re-renders the one tile concerned, never the grid.
import { KitComponent } from '../common/component'
import { bindStore, rootFields, storeOf, type StoreHost } from '../common/store-fields'
import { layoutTiles, type Cell } from './layout'

KitComponent({
  properties: {
    /** grid | 1v1 | speaker */
    template: { type: String, value: 'grid' },
    /** Height of the grid in rpx; 0: fill the host element (give <member-grid> a height). */
    height: { type: Number, value: 0 },
    /** Show "waiting for others" while you are alone (the room shows it once joined only). */
    showEmpty: { type: Boolean, value: true },
  },
  data: {
    tileIds: [] as string[],
    selfId: '',
    cells: [] as Cell[],
    pages: 1,
    page: 0,
    featuredTileId: '',
    /** speaker template: the tile shown large (tap a thumbnail to choose; a shared screen
     * takes it when it starts). */
    mainId: '',
  },
  storeBindings: bindStore(rootFields(['tileIds', 'featuredTileId']), {
    selfId(this: StoreHost) {
      return storeOf(this).session.self?.id ?? ''
    },
  }),
  observers: {
    featuredTileId(id: string) {
      // A screen shared now is what everyone wants to see: it replaces the one chosen.
      if (id && id !== this.data.mainId) this.setData({ mainId: id })
    },
    'tileIds, selfId, template, page, mainId'() {
      this.relayout()
    },
  },
  methods: {
    relayout() {
      const { tileIds, selfId, template, page, mainId, featuredTileId } = this.data
      const main = tileIds.includes(mainId) ? mainId : featuredTileId
      const { cells, pages } = layoutTiles(tileIds, selfId, template, page, main)
      const next = Math.min(page, pages - 1)
      const changed: Record<string, unknown> = {}
      if (JSON.stringify(cells) !== JSON.stringify(this.data.cells)) changed.cells = cells
      if (pages !== this.data.pages) changed.pages = pages
      if (next !== page) changed.page = next
      if (Object.keys(changed).length) this.setData(changed)
    },
    prevPage() {
      if (this.data.page > 0) this.setData({ page: this.data.page - 1 })
    },
    nextPage() {
      if (this.data.page < this.data.pages - 1) this.setData({ page: this.data.page + 1 })
    },
    onTileTap(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const tileId = e.currentTarget.dataset.id
      if (this.data.template === 'speaker') this.setData({ mainId: tileId })
      const memberId = this.store().tileOf(tileId)?.memberId ?? tileId
      this.triggerEvent('tiletap', { memberId, tileId })
    },
  },
})
