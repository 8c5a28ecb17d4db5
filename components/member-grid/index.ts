// The tiles of the room laid out per template. It binds the list of tile ids only: a mute, a
// speaking change or a new play URL re-renders the one tile concerned, never the grid. In the
// speaker template it also watches who speaks (a reaction, not a binding): the large tile follows
// the talker (active-speaker.ts) until someone taps a tile.
import { reaction } from 'mobx-miniprogram'
import { KitComponent } from '../common/component'
import { bindStore, rootFields, storeOf, type StoreHost } from '../common/store-fields'
import { ActiveSpeaker } from './active-speaker'
import { layoutTiles, type Cell, type Corner } from './layout'

/** A swipe turns the page when it goes this far sideways (px), mostly sideways. */
const SWIPE = 40
const touchStarts = new WeakMap<object, { x: number; y: number; cell: string }>()

interface Follower {
  speaker: ActiveSpeaker
  stop: () => void
  timer?: ReturnType<typeof setTimeout>
}
const followers = new WeakMap<object, Follower>()

/** The cell of my camera's preview (`preview`) before I have a tile of my own. */
const PREVIEW = '#preview'

KitComponent({
  properties: {
    /** grid | 1v1 | speaker */
    template: { type: String, value: 'grid' },
    /** Height of the grid in rpx; 0: fill the host element (give <member-grid> a height). */
    height: { type: Number, value: 0 },
    /** Show "waiting for others" while you are alone (the room shows it once joined only). */
    showEmpty: { type: Boolean, value: true },
    /** With the empty notice, a button to invite others (the `invite` event). */
    showInvite: { type: Boolean, value: false },
    /** No tiles yet (the room joining): my camera's preview, where my tile will be. */
    preview: { type: Boolean, value: false },
  },
  data: {
    tileIds: [] as string[],
    selfId: '',
    cells: [] as Cell[],
    pages: 1,
    page: 0,
    featuredTileId: '',
    /** speaker template: the tile chosen to be large (a tap on a thumbnail; a shared screen
     * when it starts); '' follows the talker. */
    mainId: '',
    /** The talker, as the active-speaker rule has it. */
    speakerId: '',
    /** 1v1: me large and the other small (a tap on the small one), and the small one's corner
     * (dragged there). */
    swapped: false,
    corner: 'br' as Corner,
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
    'tileIds, selfId, template'() {
      this.follow()
    },
    'tileIds, selfId, template, page, mainId, speakerId, swapped, corner, preview'() {
      this.relayout()
    },
  },
  lifetimes: {
    attached() {
      const media = this.store().media
      const speaker = new ActiveSpeaker()
      const stop = reaction(
        () =>
          [...media.levels]
            .filter(([, level]) => level > 0)
            .map(([id]) => id)
            .join('\n'),
        (ids) => {
          speaker.hear(ids ? ids.split('\n') : [], Date.now())
          this.follow()
        },
      )
      followers.set(this, { speaker, stop })
    },
    detached() {
      const follower = followers.get(this)
      if (follower?.timer !== undefined) clearTimeout(follower.timer)
      follower?.stop()
      followers.delete(this)
    },
  },
  methods: {
    /** speaker template: asks the active-speaker rule again (now, and when it says to). */
    follow() {
      const follower = followers.get(this)
      if (!follower) return
      if (follower.timer !== undefined) clearTimeout(follower.timer)
      follower.timer = undefined
      const { tileIds, selfId, template } = this.data
      if (template !== 'speaker') return
      const others = tileIds.filter((id) => id !== selfId)
      const { main, recheck } = follower.speaker.decide(others, others[0] ?? '', Date.now())
      if (recheck) follower.timer = setTimeout(() => this.follow(), recheck)
      if (main !== this.data.speakerId) this.setData({ speakerId: main })
    },
    relayout() {
      const d = this.data
      const { template, page, mainId, featuredTileId, speakerId } = d
      const preview = d.preview && !d.tileIds.length
      const tileIds = preview ? [PREVIEW] : d.tileIds
      const selfId = preview ? PREVIEW : d.selfId
      const main = tileIds.includes(mainId) ? mainId : featuredTileId || speakerId
      const { cells, pages } = layoutTiles(tileIds, selfId, template, page, main, {
        swapped: d.swapped,
        corner: d.corner,
      })
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
    /** A touch begins on a cell (it bubbles to the stage next, which takes the point). */
    onCellTouch(e: WechatMiniprogram.TouchEvent) {
      const t = e.touches[0]
      if (t) touchStarts.set(this, { x: t.clientX, y: t.clientY, cell: e.currentTarget.dataset.id })
    },
    onTouchStart(e: WechatMiniprogram.TouchEvent) {
      const t = e.touches[0]
      const cell = touchStarts.get(this)?.cell ?? ''
      if (t) touchStarts.set(this, { x: t.clientX, y: t.clientY, cell })
    },
    /** Swipe paging (left: the next page, right: the previous, as the pager buttons); in 1v1 a
     * drag of the small tile moves it to the corner it went towards. */
    onTouchEnd(e: WechatMiniprogram.TouchEvent) {
      const start = touchStarts.get(this)
      touchStarts.delete(this)
      const t = e.changedTouches[0]
      if (!start || !t) return
      const dx = t.clientX - start.x
      const dy = t.clientY - start.y
      const dragged = this.data.cells.find((c) => c.id === start.cell)?.kind === 'float'
      if (dragged) {
        const c = this.data.corner
        const row = Math.abs(dy) >= SWIPE ? (dy < 0 ? 't' : 'b') : c[0]
        const col = Math.abs(dx) >= SWIPE ? (dx < 0 ? 'l' : 'r') : c[1]
        if (row + col !== c) this.setData({ corner: (row + col) as Corner })
        return
      }
      if (this.data.pages < 2) return
      if (Math.abs(dx) < SWIPE || Math.abs(dx) < 2 * Math.abs(dy)) return
      if (dx < 0) this.nextPage()
      else this.prevPage()
    },
    invite() {
      this.triggerEvent('invite')
    },
    /** A long press on another's tile: the room offers what this phone can do with it. */
    onTileLongPress(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const tileId = e.currentTarget.dataset.id
      // My own tile (or my preview while joining) has no sheet.
      if (tileId === this.data.selfId || tileId === PREVIEW) return
      const memberId = this.store().tileOf(tileId)?.memberId ?? tileId
      this.triggerEvent('tilelongpress', { memberId, tileId })
    },
    onTileTap(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const tileId = e.currentTarget.dataset.id
      // My preview is nobody's tile yet.
      if (tileId === PREVIEW) return
      const kind = this.data.cells.find((c) => c.id === tileId)?.kind
      // 1v1: a tap on the small tile swaps the two.
      if (kind === 'float') this.setData({ swapped: !this.data.swapped })
      // speaker: a thumbnail is chosen to be large; a tap on the large one follows the talker again.
      if (this.data.template === 'speaker') {
        const chosen = this.data.cells.find((c) => c.id === tileId)?.kind === 'main' ? '' : tileId
        this.setData({ mainId: chosen })
      }
      const memberId = this.store().tileOf(tileId)?.memberId ?? tileId
      this.triggerEvent('tiletap', { memberId, tileId })
    },
  },
})
