// Grid layout of a mix (pure). Square grids keep a 16:9 tile for a 16:9 output (3x3 of 640x360
// gives 212x120 tiles); two talkers sit side by side so that neither is a quarter of the picture.

export interface Rect {
  x: number
  y: number
  w: number
  h: number
}

export interface GridLayout {
  cols: number
  rows: number
  /** One tile per input, in input order: row by row, left to right. */
  tiles: Rect[]
  /** Grid cells no input uses (the rest of a partial last row, e.g. the 4th cell of 3 in 2x2). */
  empty: Rect[]
  /** Output size. Tiles have even sizes (yuv420p); the grid is centred, leftover pixels border it. */
  width: number
  height: number
}

export const MAX_MIX_INPUTS = 16

/** Columns and rows for n inputs: 1 → 1x1, 2 → 2x1, 3–4 → 2x2, 5–9 → 3x3, 10–16 → 4x4. */
export function gridSize(n: number): { cols: number; rows: number } {
  if (!Number.isInteger(n) || n < 1 || n > MAX_MIX_INPUTS) {
    throw new Error(`mix layout: input count must be an integer 1..${MAX_MIX_INPUTS}, got ${n}`)
  }
  if (n === 2) return { cols: 2, rows: 1 }
  const k = Math.ceil(Math.sqrt(n))
  return { cols: k, rows: k }
}

const even = (v: number) => Math.floor(v / 2) * 2

export function gridLayout(n: number, width = 640, height = 360): GridLayout {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width % 2 || height % 2) {
    throw new Error(`mix layout: output size must be even integers, got ${width}x${height}`)
  }
  const { cols, rows } = gridSize(n)
  const w = even(width / cols)
  const h = even(height / rows)
  if (w < 2 || h < 2) throw new Error(`mix layout: ${width}x${height} is too small for ${n} tiles`)
  // Centre the grid; keep offsets even so chroma planes line up.
  const x0 = even((width - w * cols) / 2)
  const y0 = even((height - h * rows) / 2)
  const cells: Rect[] = []
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) cells.push({ x: x0 + c * w, y: y0 + r * h, w, h })
  }
  return { cols, rows, tiles: cells.slice(0, n), empty: cells.slice(n), width, height }
}
