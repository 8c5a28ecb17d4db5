// Tile layout per template and member count: sizes are explicit, tiles stay on screen, pages
// hold at most nine players, and the self tile is never unmounted.
import { SCREEN_WIDTH, layoutTiles, type Cell } from '../../components/member-grid/layout'

const ids = (n: number) => ['self', ...Array.from({ length: n - 1 }, (_, i) => `m${i + 1}`)]
const box = (c: Cell) => [c.left, c.top, c.width, c.height]
const onScreen = (cells: Cell[]) => cells.filter((c) => c.active)

describe('member-grid layout', () => {
  test('grid: 1 full, 2 stacked, 3–4 in 2×2, 5–9 in 3×3', () => {
    expect(layoutTiles(ids(1), 'self', 'grid', 1000).cells.map(box)).toEqual([[0, 0, 750, 1000]])
    expect(layoutTiles(ids(2), 'self', 'grid', 1000).cells.map(box)).toEqual([
      [0, 0, 750, 500],
      [0, 500, 750, 500],
    ])
    expect(layoutTiles(ids(3), 'self', 'grid', 1000).cells.map(box)).toEqual([
      [0, 0, 375, 500],
      [375, 0, 375, 500],
      [0, 500, 375, 500],
    ])
    const nine = layoutTiles(ids(9), 'self', 'grid', 1000)
    expect(nine.pages).toBe(1)
    expect(nine.cells.map(box)[8]).toEqual([500, 666, 250, 333])
    expect(nine.cells.every((c) => c.active && c.width > 0 && c.height > 0)).toBe(true)
  })

  test('grid with 10 and more: pages of nine; off-page tiles have no player, self stays mounted', () => {
    const layout = layoutTiles(ids(13), 'self', 'grid', 999, 0)
    expect(layout.pages).toBe(2)
    expect(onScreen(layout.cells)).toHaveLength(9)
    const second = layoutTiles(ids(13), 'self', 'grid', 999, 1)
    expect(onScreen(second.cells).map((c) => c.id)).toEqual(['m9', 'm10', 'm11', 'm12'])
    const self = second.cells.find((c) => c.isSelf)!
    expect(self.active).toBe(false)
    expect(self.left).toBeLessThan(-SCREEN_WIDTH)
    expect(self.height).toBe(333)
    // A page past the end falls back to the last page.
    expect(onScreen(layoutTiles(ids(13), 'self', 'grid', 999, 5).cells)).toHaveLength(4)
  })

  test('1v1: the other person full screen, self floating on top; more people fall back to grid', () => {
    const { cells } = layoutTiles(['self', 'bob'], 'self', '1v1', 1200)
    expect(cells.find((c) => c.id === 'bob')).toMatchObject({
      left: 0,
      top: 0,
      width: 750,
      height: 1200,
      z: 1,
    })
    expect(cells.find((c) => c.isSelf)).toMatchObject({
      left: 516,
      top: 24,
      width: 210,
      height: 280,
      z: 2,
    })
    expect(layoutTiles(ids(3), 'self', '1v1', 1000).cells.map(box)[1]).toEqual([375, 0, 375, 500])
  })

  test('speaker: the chosen (or first other) member large, the rest in a paged strip', () => {
    const layout = layoutTiles(ids(7), 'self', 'speaker', 1000)
    expect(box(layout.cells.find((c) => c.id === 'm1')!)).toEqual([0, 0, 750, 720])
    expect(layout.pages).toBe(2)
    expect(onScreen(layout.cells)).toHaveLength(5)
    const chosen = layoutTiles(ids(7), 'self', 'speaker', 1000, 0, 'm4')
    expect(box(chosen.cells.find((c) => c.id === 'm4')!)).toEqual([0, 0, 750, 720])
    expect(box(chosen.cells.find((c) => c.isSelf)!)).toEqual([0, 720, 187, 280])
  })

  test('no tiles, no cells', () => {
    expect(layoutTiles([], '', 'grid', 1000)).toEqual({ cells: [], pages: 1 })
  })
})
