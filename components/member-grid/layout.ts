// Where each tile goes. Pure: ids in, cells out. Cells are placed in percent of the stage (the
// grid's area above the pager row), so the grid fills whatever height it is given; the speaker
// strip and the 1v1 self-view keep a fixed size in rpx. Every cell has a definite size (a native
// component with no height renders black). Tiles that do not fit on the current page move off
// screen and lose their live-player (Android devices struggle past 6–9 players); our own pusher
// stays mounted there so that the push never stops.

export type Template = 'grid' | '1v1' | 'speaker'

/** grid: one of a grid; main / thumb: speaker template; full / float: 1v1. */
export type CellKind = 'tile' | 'main' | 'thumb' | 'full' | 'float'

export interface Cell {
  id: string
  isSelf: boolean
  kind: CellKind
  /** Inline style: position and size (percent of the stage, rpx for fixed parts). */
  style: string
  /** On the visible page: a player tile mounts its live-player only then. */
  active: boolean
}

export interface Layout {
  cells: Cell[]
  pages: number
}

const GRID_PAGE = 9
const STRIP_HEIGHT = 280
const STRIP_PAGE = 4
const FLOAT = { width: 210, height: 280, margin: 24 }
/** Off-page cells keep their size (no re-layout of the native view) but sit off screen. */
const OFFSCREEN = 'left:-300%;'

const pct = (n: number) => `${Math.round(n * 10000) / 10000}%`

function cell(id: string, selfId: string, kind: CellKind, style: string, active = true): Cell {
  return { id, isSelf: id === selfId, kind, style, active }
}

/** Columns × rows: 1 → 1×1, 2 → stacked, 3–4 → 2×2, 5–6 → 2 × 3 rows, 7 and more → 3×3 pages. */
export function gridShape(n: number): [number, number] {
  if (n <= 1) return [1, 1]
  if (n === 2) return [1, 2]
  if (n <= 4) return [2, 2]
  if (n <= 6) return [2, 3]
  return [3, 3]
}

/** Pages of up to nine; each page is laid out for the tiles it holds, so that the last page of
 * twelve (three) fills the stage in 2×2 instead of leaving two rows of a 3×3 empty. */
function grid(ids: string[], selfId: string, page: number): Layout {
  const perPage = Math.min(GRID_PAGE, ids.length)
  const pages = Math.max(1, Math.ceil(ids.length / perPage))
  const current = Math.min(page, pages - 1)
  const cells = ids.map((id, i) => {
    const onPage = Math.floor(i / perPage)
    const [cols, rows] = gridShape(Math.min(perPage, ids.length - onPage * perPage))
    const size = `width:${pct(100 / cols)};height:${pct(100 / rows)};`
    if (onPage !== current) return cell(id, selfId, 'tile', `${OFFSCREEN}top:0;${size}`, false)
    const slot = i % perPage
    const left = pct(((slot % cols) * 100) / cols)
    const top = pct((Math.floor(slot / cols) * 100) / rows)
    return cell(id, selfId, 'tile', `left:${left};top:${top};${size}`)
  })
  return { cells, pages }
}

/** Where the 1v1 floating tile sits: top or bottom, left or right. */
export type Corner = 'tl' | 'tr' | 'bl' | 'br'

/** 1v1 as one chooses it: who is large (`swapped`: me) and the small one's corner. By default
 * bottom right, clear of the large tile's network bars (top right) and name (bottom left). */
export interface OneToOne {
  swapped?: boolean
  corner?: Corner
}

function oneToOne(ids: string[], selfId: string, options: OneToOne): Layout {
  const corner = options.corner ?? 'br'
  const floatId = options.swapped ? ids.find((id) => id !== selfId) : selfId
  const float =
    `${corner[1] === 'r' ? 'right' : 'left'}:${FLOAT.margin}rpx;` +
    `${corner[0] === 'b' ? 'bottom' : 'top'}:${FLOAT.margin}rpx;` +
    `width:${FLOAT.width}rpx;height:${FLOAT.height}rpx;z-index:2;`
  return {
    cells: ids.map((id) =>
      id === floatId
        ? cell(id, selfId, 'float', float)
        : cell(id, selfId, 'full', 'left:0;top:0;width:100%;height:100%;'),
    ),
    pages: 1,
  }
}

function speaker(ids: string[], selfId: string, page: number, mainId: string): Layout {
  const main = ids.includes(mainId) ? mainId : (ids.find((id) => id !== selfId) ?? ids[0])
  const thumbs = ids.filter((id) => id !== main)
  const pages = Math.max(1, Math.ceil(thumbs.length / STRIP_PAGE))
  const current = Math.min(page, pages - 1)
  const size = `width:${pct(100 / STRIP_PAGE)};height:${STRIP_HEIGHT}rpx;`
  const cells = ids.map((id) => {
    if (id === main) {
      return cell(id, selfId, 'main', `left:0;top:0;right:0;bottom:${STRIP_HEIGHT}rpx;`)
    }
    const i = thumbs.indexOf(id)
    if (Math.floor(i / STRIP_PAGE) !== current) {
      return cell(id, selfId, 'thumb', `${OFFSCREEN}bottom:0;${size}`, false)
    }
    return cell(
      id,
      selfId,
      'thumb',
      `left:${pct(((i % STRIP_PAGE) * 100) / STRIP_PAGE)};bottom:0;${size}`,
    )
  })
  return { cells, pages }
}

/**
 * The cells of `ids` for a template. Two members with yourself among them are shown 1v1 (the
 * other full screen, yourself floating, or swapped) in the grid template too: a portrait camera
 * is cropped least that way.
 */
export function layoutTiles(
  ids: string[],
  selfId: string,
  template: string,
  page = 0,
  mainId = '',
  one: OneToOne = {},
): Layout {
  if (ids.length === 0) return { cells: [], pages: 1 }
  if (ids.length === 1) {
    return {
      cells: [cell(ids[0], selfId, 'full', 'left:0;top:0;width:100%;height:100%;')],
      pages: 1,
    }
  }
  if (template !== 'speaker' && ids.length === 2 && ids.includes(selfId)) {
    return oneToOne(ids, selfId, one)
  }
  if (template === 'speaker') return speaker(ids, selfId, page, mainId)
  return grid(ids, selfId, page)
}
