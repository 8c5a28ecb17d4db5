// Where each tile goes, in rpx on a 750-wide screen. Pure: ids in, cells out. Every cell has an
// explicit width and height (native components with no height render black). Tiles that do not
// fit on the current page move off screen and lose their live-player (Android devices struggle
// past 6–9 players); our own pusher stays mounted there so that the push never stops.

export type Template = 'grid' | '1v1' | 'speaker'

export interface Cell {
  id: string
  isSelf: boolean
  left: number
  top: number
  width: number
  height: number
  z: number
  /** On the visible page: a player tile mounts its live-player only then. */
  active: boolean
}

export interface Layout {
  cells: Cell[]
  pages: number
}

export const SCREEN_WIDTH = 750
const OFFSCREEN = -2 * SCREEN_WIDTH
const GRID_PAGE = 9
const STRIP_HEIGHT = 280
const STRIP_PAGE = 4
const FLOAT = { width: 210, height: 280, margin: 24 }

interface Placement {
  left: number
  top: number
  width: number
  height: number
  z?: number
}

function cell(id: string, selfId: string, at: Placement | null, size: Placement): Cell {
  return {
    id,
    isSelf: id === selfId,
    left: at ? at.left : OFFSCREEN,
    top: at ? at.top : 0,
    width: size.width,
    height: size.height,
    z: at?.z ?? 1,
    active: !!at,
  }
}

/** Columns × rows: 1 → 1×1, 2 → stacked 1×2, 3–4 → 2×2, 5 and more → 3×3 pages. */
function gridShape(n: number): [number, number] {
  if (n <= 1) return [1, 1]
  if (n === 2) return [1, 2]
  if (n <= 4) return [2, 2]
  return [3, 3]
}

function grid(ids: string[], selfId: string, height: number, page: number): Layout {
  const [cols, rows] = gridShape(ids.length)
  const perPage = Math.min(GRID_PAGE, cols * rows)
  const pages = Math.max(1, Math.ceil(ids.length / perPage))
  const current = Math.min(page, pages - 1)
  const width = Math.floor(SCREEN_WIDTH / cols)
  const h = Math.floor(height / rows)
  const cells = ids.map((id, i) => {
    const slot = i % perPage
    const onPage = Math.floor(i / perPage) === current
    const size = { left: 0, top: 0, width, height: h }
    const at = onPage
      ? { ...size, left: (slot % cols) * width, top: Math.floor(slot / cols) * h }
      : null
    return cell(id, selfId, at, size)
  })
  return { cells, pages }
}

function oneToOne(ids: string[], selfId: string, height: number): Layout {
  const other = ids.find((id) => id !== selfId)!
  const full = { left: 0, top: 0, width: SCREEN_WIDTH, height }
  const float = {
    left: SCREEN_WIDTH - FLOAT.width - FLOAT.margin,
    top: FLOAT.margin,
    width: FLOAT.width,
    height: FLOAT.height,
    z: 2,
  }
  return {
    cells: ids.map((id) =>
      id === other ? cell(id, selfId, full, full) : cell(id, selfId, float, float),
    ),
    pages: 1,
  }
}

function speaker(
  ids: string[],
  selfId: string,
  height: number,
  page: number,
  mainId: string,
): Layout {
  const main = ids.includes(mainId) ? mainId : (ids.find((id) => id !== selfId) ?? ids[0])
  const mainSize = { left: 0, top: 0, width: SCREEN_WIDTH, height: height - STRIP_HEIGHT }
  const thumbs = ids.filter((id) => id !== main)
  const pages = Math.max(1, Math.ceil(thumbs.length / STRIP_PAGE))
  const current = Math.min(page, pages - 1)
  const width = Math.floor(SCREEN_WIDTH / STRIP_PAGE)
  const size = { left: 0, top: mainSize.height, width, height: STRIP_HEIGHT }
  const cells = ids.map((id) => {
    if (id === main) return cell(id, selfId, mainSize, mainSize)
    const i = thumbs.indexOf(id)
    const onPage = Math.floor(i / STRIP_PAGE) === current
    return cell(id, selfId, onPage ? { ...size, left: (i % STRIP_PAGE) * width } : null, size)
  })
  return { cells, pages }
}

export function layoutTiles(
  ids: string[],
  selfId: string,
  template: string,
  height: number,
  page = 0,
  mainId = '',
): Layout {
  if (ids.length === 0) return { cells: [], pages: 1 }
  if (ids.length === 1) {
    const full = { left: 0, top: 0, width: SCREEN_WIDTH, height }
    return { cells: [cell(ids[0], selfId, full, full)], pages: 1 }
  }
  if (template === '1v1' && ids.length === 2 && ids.includes(selfId)) {
    return oneToOne(ids, selfId, height)
  }
  if (template === 'speaker') return speaker(ids, selfId, height, page, mainId)
  return grid(ids, selfId, height, page)
}
