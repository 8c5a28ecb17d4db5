// The tiles of the room laid out per template. It binds the list of tile ids only: a mute, a
// speaking change or a new play URL re-renders the one tile concerned, never the grid.
import { ComponentWithStore } from 'mobx-miniprogram-bindings'
import { storeFields, storeOf, storeHub, type StoreHub } from '../common/store'
import { layoutTiles, type Cell } from './layout'

ComponentWithStore({
  options: { styleIsolation: 'isolated' },
  properties: {
    storeKey: { type: String, value: 'default' },
    /** grid | 1v1 | speaker */
    template: { type: String, value: 'grid' },
    /** Height of the grid in rpx (the width is the screen's 750rpx). */
    height: { type: Number, value: 1000 },
  },
  data: {
    tileIds: [] as string[],
    selfId: '',
    cells: [] as Cell[],
    pages: 1,
    page: 0,
    /** speaker template: the member shown large (tap a thumbnail to choose). */
    mainId: '',
  },
  storeBindings: {
    store: storeHub,
    fields: {
      ...storeFields(['tileIds']),
      selfId(this: { data: { storeKey?: string } }, hub: StoreHub) {
        return storeOf(this, hub).self?.id ?? ''
      },
    },
    actions: [],
  },
  observers: {
    'tileIds, selfId, template, height, page, mainId'() {
      this.relayout()
    },
  },
  methods: {
    relayout() {
      const { tileIds, selfId, template, height, page, mainId } = this.data
      const { cells, pages } = layoutTiles(tileIds, selfId, template, height, page, mainId)
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
      const memberId = e.currentTarget.dataset.id
      if (this.data.template === 'speaker') this.setData({ mainId: memberId })
      this.triggerEvent('tiletap', { memberId })
    },
  },
})
