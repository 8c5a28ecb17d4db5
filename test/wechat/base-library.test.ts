// The minimum base library (基础库) the project declares is at least what the kit needs: every
// live-pusher / live-player attribute in the built WXML, every wx API the built JS calls
// unguarded, every component option and mobx-miniprogram-bindings 3, each looked up in
// base-library-versions.json (versions from WeChat's docs, sources named there).
import fs from 'fs'
import path from 'path'

const ROOT = path.resolve(__dirname, '../..')
const DIST = path.join(ROOT, 'miniprogram_dist')
const table = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'base-library-versions.json'), 'utf8'),
) as Record<
  'live-pusher' | 'live-player' | 'wx' | 'component' | 'packages',
  Record<string, string>
> & {
  notApis: Record<string, string>
}

const declared = (
  JSON.parse(fs.readFileSync(path.join(ROOT, 'demo/project.config.json'), 'utf8')) as {
    libVersion: string
  }
).libVersion

const parts = (v: string) => v.split('.').map(Number)
/** a ≥ b for x.y.z versions. */
function atLeast(a: string, b: string): boolean {
  const [x, y] = [parts(a), parts(b)]
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0)
  return true
}

function filesUnder(dir: string, ext: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(ext))
    .map((f) => path.join(dir, f))
}

/** What needs a newer library than declared; '' entries are missing from the table. */
function tooNew(kind: keyof typeof table, names: string[]): string[] {
  return names
    .filter((n) => !table[kind][n] || !atLeast(declared, table[kind][n]))
    .map((n) => `${kind} ${n}: ${table[kind][n] ?? 'not in base-library-versions.json'}`)
}

beforeAll(() => {
  if (!fs.existsSync(path.join(DIST, 'index.js'))) {
    throw new Error('no miniprogram_dist: run `npx gulp build` first')
  }
})

test('the declared minimum is a version, at least mobx-miniprogram-bindings 3 needs', () => {
  expect(declared).toMatch(/^\d+\.\d+\.\d+$/)
  expect(tooNew('packages', ['mobx-miniprogram-bindings@3'])).toEqual([])
  const bindings = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'node_modules/mobx-miniprogram-bindings/package.json'), 'utf8'),
  ) as { version: string }
  expect(bindings.version).toMatch(/^3\./) // the table's row is for major 3
})

test('every live-pusher / live-player attribute of the built WXML is in the table and not newer', () => {
  const found: Record<'live-pusher' | 'live-player', Set<string>> = {
    'live-pusher': new Set(),
    'live-player': new Set(),
  }
  for (const file of filesUnder(DIST, '.wxml')) {
    const text = fs.readFileSync(file, 'utf8')
    for (const m of text.matchAll(/<(live-pusher|live-player)\b([^>]*)>/g)) {
      const tag = m[1] as 'live-pusher' | 'live-player'
      for (const a of m[2].matchAll(/([a-z][a-z:-]*)\s*=/g)) found[tag].add(a[1])
    }
  }
  expect(found['live-pusher'].size).toBeGreaterThan(10)
  expect(found['live-player'].size).toBeGreaterThan(5)
  expect([
    ...tooNew('live-pusher', [...found['live-pusher']]),
    ...tooNew('live-player', [...found['live-player']]),
  ]).toEqual([])
})

test('every wx API the built JS calls is in the table; unguarded ones are not newer', () => {
  const uses = new Set<string>()
  const guarded = new Set<string>()
  for (const file of filesUnder(DIST, '.js')) {
    const text = fs.readFileSync(file, 'utf8')
    for (const m of text.matchAll(/\bwx\.([A-Za-z]+)(\?\.|\s*\?|\s*&&)?/g)) {
      if (table.notApis[m[1]]) continue
      uses.add(m[1])
      // `wx.x ? wx.x() : …`, `wx.x && wx.x(…)` or `wx.x?.(…)`: the kit does without it on an
      // older library.
      if (m[2]) guarded.add(m[1])
    }
  }
  const unguarded = new Set([...uses].filter((n) => !guarded.has(n)))
  expect(unguarded.size).toBeGreaterThan(5)
  expect(tooNew('wx', [...unguarded])).toEqual([])
  expect([...guarded].filter((n) => !table.wx[n])).toEqual([])
})

test('every component option the components use is in the table and not newer', () => {
  const used = new Set(['Component'])
  for (const file of filesUnder(path.join(DIST, 'components'), '.js')) {
    const text = fs.readFileSync(file, 'utf8')
    for (const key of ['properties', 'data', 'methods', 'behaviors', 'externalClasses']) {
      if (new RegExp(`\\b${key}:`).test(text)) used.add(key)
    }
    for (const key of ['lifetimes', 'pageLifetimes', 'observers']) {
      if (new RegExp(`\\b${key}:`).test(text)) used.add(key)
    }
    for (const key of ['multipleSlots', 'styleIsolation', 'virtualHost', 'pureDataPattern']) {
      if (new RegExp(`\\b${key}:`).test(text)) used.add(`options.${key}`)
    }
  }
  expect(used).toContain('options.styleIsolation')
  expect(tooNew('component', [...used])).toEqual([])
})

test('the docs state the same minimum: both READMEs, the demo and every component', () => {
  const docs = [
    'README.md',
    'demo/README.md',
    ...fs
      .readdirSync(path.join(ROOT, 'components'))
      .filter((d) => fs.existsSync(path.join(ROOT, 'components', d, 'README.md')))
      .map((d) => `components/${d}/README.md`),
  ]
  const v = declared.replace(/\./g, '\\.')
  const missing = docs.flatMap((doc) => {
    const text = fs.readFileSync(path.join(ROOT, doc), 'utf8')
    return [
      new RegExp(`基础库[^\\n]{0,40}${v}`).test(text) ? [] : [`${doc}: 基础库 ${declared}`],
      new RegExp(`[Bb]ase library[^\\n]{0,40}${v}`).test(text)
        ? []
        : [`${doc}: base library ${declared}`],
    ].flat()
  })
  expect(missing).toEqual([])
  // No doc recommends an older one any more.
  for (const doc of docs) {
    expect(fs.readFileSync(path.join(ROOT, doc), 'utf8')).not.toMatch(/2\.10\.0 (及以上|or later)/)
  }
})
