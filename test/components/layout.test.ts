// Tile layout per template and member count: cells are placed in percent of the grid (so the
// grid fills any height), tiles stay on screen, pages hold at most nine players, the self tile is
// never unmounted, and two people (you and one other) are shown 1v1.
import { gridShape, layoutTiles, type Cell } from '../../components/member-grid/layout'

const ids = (n: number) => ['self', ...Array.from({ length: n - 1 }, (_, i) => `m${i + 1}`)]
const onScreen = (cells: Cell[]) => cells.filter((c) => c.active)
/** The inline style as a map: { left: '50%', … }. */
const box = (c: Cell) =>
  Object.fromEntries(
    c.style
      .split(';')
      .filter(Boolean)
      .map((d) => d.split(':')),
  )

describe('member-grid layout', () => {
  test('shapes: 1 full, 2 stacked, 3–4 in 2×2, 5–6 in 2 columns × 3 rows, 7–9 in 3×3', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 9, 12].map(gridShape)).toEqual([
      [1, 1],
      [1, 2],
      [2, 2],
      [2, 2],
      [2, 3],
      [2, 3],
      [3, 3],
      [3, 3],
      [3, 3],
    ])
  })

  test('grid cells tile the whole area in percent', () => {
    expect(layoutTiles(ids(1), 'self', 'grid').cells.map(box)).toEqual([
      { left: '0', top: '0', width: '100%', height: '100%' },
    ])
    expect(layoutTiles(ids(3), 'self', 'grid').cells.map(box)).toEqual([
      { left: '0%', top: '0%', width: '50%', height: '50%' },
      { left: '50%', top: '0%', width: '50%', height: '50%' },
      { left: '0%', top: '50%', width: '50%', height: '50%' },
    ])
    const five = layoutTiles(ids(5), 'self', 'grid').cells.map(box)
    expect(five[4]).toEqual({ left: '0%', top: '66.6667%', width: '50%', height: '33.3333%' })
    const nine = layoutTiles(ids(9), 'self', 'grid')
    expect(nine.pages).toBe(1)
    expect(box(nine.cells[8])).toEqual({
      left: '66.6667%',
      top: '66.6667%',
      width: '33.3333%',
      height: '33.3333%',
    })
    expect(nine.cells.every((c) => c.active && c.kind === 'tile')).toBe(true)
  })

  test('grid with 10 and more: pages of nine; off-page tiles have no player, self stays mounted', () => {
    const layout = layoutTiles(ids(13), 'self', 'grid', 0)
    expect(layout.pages).toBe(2)
    expect(onScreen(layout.cells)).toHaveLength(9)
    const second = layoutTiles(ids(13), 'self', 'grid', 1)
    expect(onScreen(second.cells).map((c) => c.id)).toEqual(['m9', 'm10', 'm11', 'm12'])
    const self = second.cells.find((c) => c.isSelf)!
    expect(self.active).toBe(false)
    expect(box(self)).toMatchObject({ left: '-300%', height: '33.3333%' })
    // A page past the end falls back to the last page.
    expect(onScreen(layoutTiles(ids(13), 'self', 'grid', 5).cells)).toHaveLength(4)
  })

  test('the last page is laid out for its own count: 12 members, page 2 holds 3 in 2×2', () => {
    const second = layoutTiles(ids(12), 'self', 'grid', 1)
    expect(onScreen(second.cells).map(box)).toEqual([
      { left: '0%', top: '0%', width: '50%', height: '50%' },
      { left: '50%', top: '0%', width: '50%', height: '50%' },
      { left: '0%', top: '50%', width: '50%', height: '50%' },
    ])
    // The first page stays 3×3; ten members leave one alone on page 2, full screen.
    expect(box(onScreen(layoutTiles(ids(12), 'self', 'grid', 0).cells)[0])).toMatchObject({
      width: '33.3333%',
    })
    expect(onScreen(layoutTiles(ids(10), 'self', 'grid', 1).cells).map(box)).toEqual([
      { left: '0%', top: '0%', width: '100%', height: '100%' },
    ])
  })

  test('you and one other: the other full screen, you floating bottom right (1v1 and grid alike)', () => {
    for (const template of ['1v1', 'grid']) {
      const { cells } = layoutTiles(['self', 'bob'], 'self', template)
      expect(cells.find((c) => c.id === 'bob')).toMatchObject({ kind: 'full', active: true })
      const self = cells.find((c) => c.isSelf)!
      expect(self.kind).toBe('float')
      // Clear of the other's network bars (top right) and name (bottom left).
      expect(box(self)).toEqual({
        right: '24rpx',
        bottom: '24rpx',
        width: '210rpx',
        height: '280rpx',
        'z-index': '2',
      })
    }
    // Two others (an audience watching two talkers): stacked.
    expect(layoutTiles(['a', 'b'], 'self', 'grid').cells.map((c) => box(c).top)).toEqual([
      '0%',
      '50%',
    ])
    // More people: 1v1 falls back to the grid.
    expect(box(layoutTiles(ids(3), 'self', '1v1').cells[1])).toMatchObject({ left: '50%' })
  })

  test('1v1 swapped (me large, the other small) and the small tile in another corner', () => {
    const { cells } = layoutTiles(['self', 'bob'], 'self', '1v1', 0, '', {
      swapped: true,
      corner: 'tl',
    })
    expect(cells.find((c) => c.isSelf)).toMatchObject({ kind: 'full', active: true })
    const bob = cells.find((c) => c.id === 'bob')!
    expect(bob.kind).toBe('float')
    expect(box(bob)).toMatchObject({ left: '24rpx', top: '24rpx', width: '210rpx' })
  })

  test('speaker: the chosen (or first other) member large, the rest in a paged strip', () => {
    const layout = layoutTiles(ids(7), 'self', 'speaker')
    const main = layout.cells.find((c) => c.id === 'm1')!
    expect(main.kind).toBe('main')
    expect(box(main)).toMatchObject({ top: '0', bottom: '280rpx' })
    expect(layout.pages).toBe(2)
    expect(onScreen(layout.cells)).toHaveLength(5)
    const chosen = layoutTiles(ids(7), 'self', 'speaker', 0, 'm4')
    expect(chosen.cells.find((c) => c.id === 'm4')!.kind).toBe('main')
    expect(box(chosen.cells.find((c) => c.isSelf)!)).toEqual({
      left: '0%',
      bottom: '0',
      width: '25%',
      height: '280rpx',
    })
  })

  test('no tiles, no cells', () => {
    expect(layoutTiles([], '', 'grid')).toEqual({ cells: [], pages: 1 })
  })
})
