// The mix layout and filter graph (pure): grid sizes, tile geometry, what the graph references.
import { gridLayout, gridSize, type Rect } from '../../server/media/jobs/layout'
import { DEFAULT_ENCODING, mixArgs, mixFilterGraph } from '../../server/media/jobs/mix-args'

const overlap = (a: Rect, b: Rect) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h

describe('gridSize', () => {
  it.each([
    [1, 1, 1],
    [2, 2, 1],
    [3, 2, 2],
    [4, 2, 2],
    [5, 3, 3],
    [9, 3, 3],
    [10, 4, 4],
    [16, 4, 4],
  ])('%i inputs → %ix%i', (n, cols, rows) => {
    expect(gridSize(n)).toEqual({ cols, rows })
  })

  it.each([0, 17, 2.5, NaN])('refuses %p inputs', (n) => {
    expect(() => gridSize(n)).toThrow(/input count/)
  })
})

describe('gridLayout', () => {
  it('puts 1 input full frame and 2 side by side', () => {
    expect(gridLayout(1).tiles).toEqual([{ x: 0, y: 0, w: 640, h: 360 }])
    expect(gridLayout(2).tiles).toEqual([
      { x: 0, y: 0, w: 320, h: 360 },
      { x: 320, y: 0, w: 320, h: 360 },
    ])
  })

  it('fills 2x2 row by row and leaves the 4th cell of 3 empty', () => {
    const l = gridLayout(3)
    expect(l.tiles).toEqual([
      { x: 0, y: 0, w: 320, h: 180 },
      { x: 320, y: 0, w: 320, h: 180 },
      { x: 0, y: 180, w: 320, h: 180 },
    ])
    expect(l.empty).toEqual([{ x: 320, y: 180, w: 320, h: 180 }])
  })

  it('keeps tiles even and centres a grid that does not divide the output', () => {
    const l = gridLayout(9)
    expect(l.tiles[0]).toEqual({ x: 2, y: 0, w: 212, h: 120 })
    expect(l.tiles[8]).toEqual({ x: 426, y: 240, w: 212, h: 120 })
  })

  it.each([1, 2, 3, 4, 5, 7, 9, 10, 13, 16])(
    '%i inputs at 1280x720 and 640x360: in bounds, even, no overlap, grid fully covered',
    (n) => {
      for (const [W, H] of [
        [1280, 720],
        [640, 360],
      ]) {
        const l = gridLayout(n, W, H)
        const cells = [...l.tiles, ...l.empty]
        expect(l.tiles).toHaveLength(n)
        expect(cells).toHaveLength(l.cols * l.rows)
        for (const [i, r] of cells.entries()) {
          expect(r.x >= 0 && r.y >= 0 && r.x + r.w <= W && r.y + r.h <= H).toBe(true)
          expect([r.x, r.y, r.w, r.h].every((v) => v % 2 === 0)).toBe(true)
          for (const other of cells.slice(i + 1)) expect(overlap(r, other)).toBe(false)
        }
        // Leftover border is less than one tile per axis.
        expect(W - l.cols * cells[0].w).toBeLessThan(cells[0].w)
        expect(H - l.rows * cells[0].h).toBeLessThan(cells[0].h)
      }
    },
  )

  it('refuses odd or too small output sizes', () => {
    expect(() => gridLayout(4, 641, 360)).toThrow(/even/)
    expect(() => gridLayout(16, 4, 4)).toThrow(/too small/)
  })
})

describe('mixFilterGraph', () => {
  const enc = DEFAULT_ENCODING
  const input = (i: number, video = true, audio = true) => ({
    url: `rtmp://h/live/s${i}`,
    video,
    audio,
  })

  it('stacks 3 inputs with one black filler cell and mixes 3 voices', () => {
    const g = mixFilterGraph([input(0), input(1), input(2)], enc)
    expect(g).toContain('xstack=inputs=4:layout=0_0|320_0|0_180|320_180')
    expect(g).toContain('color=c=black:s=320x180')
    expect(g).toContain('amix=inputs=3')
  })

  it('never references a track an input lacks', () => {
    const g = mixFilterGraph([input(0, true, false), input(1, false, true)], enc)
    expect(g).not.toContain('[0:a]')
    expect(g).not.toContain('[1:v]')
    expect(g).toContain('[1:a]')
    expect(g).not.toContain('amix')
    const silent = mixFilterGraph([input(0, true, false)], enc)
    expect(silent).toContain('anullsrc')
  })

  it('puts the live-input options before each input and picks the container by target', () => {
    const live = mixArgs([input(0)], { rtmp: 'rtmp://h/live/mix' })
    const i = live.indexOf('rtmp://h/live/s0')
    expect(live.slice(i - 7, i + 1)).toEqual(
      expect.arrayContaining(['-rw_timeout', '-probesize', '-analyzeduration', '-i']),
    )
    expect(live.slice(-7)).toEqual([
      '-f',
      'flv',
      '-flvflags',
      'no_duration_filesize',
      '-rw_timeout',
      '5000000',
      'rtmp://h/live/mix',
    ])
    const file = mixArgs([input(0)], { file: '/tmp/x.mp4' })
    expect(file.join(' ')).toContain('-f mp4 -movflags +frag_keyframe+empty_moov')
  })
})
