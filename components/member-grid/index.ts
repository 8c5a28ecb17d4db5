// The tiles of the room laid out per template. It binds the list of tile ids only: a mute, a
// speaking change or a new play URL re-renders the one tile concerned, never the grid.
import { ComponentWithStore } from 'mobx-miniprogram-bindings'
import { storeFields, storeOf } from '../../store/bindings'
import { storeHub, type StoreHub } from '../../store/registry'
import { layoutTiles, type Cell } from './layout'
import { textsFor } from '../common/i18n'

ComponentWithStore({
  options: { styleIsolation: 'isolated' },
  externalClasses: ['custom-class'],
  properties: {
    storeKey: { type: String, value: 'default' },
    /** grid | 1v1 | speaker */
    template: { type: String, value: 'grid' },
    /** Height of the grid in rpx; 0: fill the host element (give <member-grid> a height). */
    height: { type: Number, value: 0 },
    /** 'zh' | 'en'; empty: the WeChat client's language. */
    lang: { type: String, value: '' },
    /** Show "waiting for others" while you are alone (the room shows it once joined only). */
    showEmpty: { type: Boolean, value: true },
  },
  data: {
    tileIds: [] as string[],
    selfId: '',
    cells: [] as Cell[],
    pages: 1,
    page: 0,
    /** speaker template: the member shown large (tap a thumbnail to choose). */
    mainId: '',
    t: textsFor(''),
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
    'tileIds, selfId, template, page, mainId'() {
      this.relayout()
    },
    lang(lang: string) {
      this.setData({ t: textsFor(lang) })
    },
  },
  methods: {
    relayout() {
      const { tileIds, selfId, template, page, mainId } = this.data
      const { cells, pages } = layoutTiles(tileIds, selfId, template, page, mainId)
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
