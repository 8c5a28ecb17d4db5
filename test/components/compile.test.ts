// Every WXML and WXSS file of the kit's components (as written and as built into
// miniprogram_dist, minified) and of the demo passes the official compilers (wcc / wcsc, the ones
// WeChat DevTools uses, shipped in miniprogram-compiler), one file at a time. Run
// `npx gulp build` first.
import { type SpawnSyncReturns, spawnSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'

const ROOT = path.resolve(__dirname, '../..')
const BIN = path.join(
  ROOT,
  'node_modules/miniprogram-compiler/bin',
  process.platform === 'darwin' ? 'mac' : 'linux',
)
const WCC = path.join(BIN, 'wcc')
const WCSC = path.join(BIN, 'wcsc')

function filesUnder(dir: string, ext: string): string[] {
  const out: string[] = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    // demo/miniprogram_npm is a copy of the build of components/: compiled where it comes from.
    if (entry.isDirectory() && entry.name !== 'miniprogram_npm' && entry.name !== 'node_modules') {
      out.push(...filesUnder(full, ext))
    } else if (entry.isFile() && entry.name.endsWith(ext)) out.push(full)
  }
  return out.sort()
}

/** wcc's custom-component argument: "<count> [<file> <n> <tag>...]" from the file's .json. */
function componentArgs(root: string, wxml: string): string {
  const jsonFile = wxml.replace(/\.wxml$/, '.json')
  const json = fs.existsSync(jsonFile) ? JSON.parse(fs.readFileSync(jsonFile, 'utf8')) : {}
  const tags = Object.keys(json.usingComponents ?? {})
  if (!tags.length) return '0'
  return ['1', path.relative(root, wxml), String(tags.length), ...tags].join(' ')
}

function wcc(root: string, wxml: string) {
  const rel = path.relative(root, wxml)
  return spawnSync(WCC, ['-d', '-cc', componentArgs(root, wxml), rel, '-gn', '$gwx'], { cwd: root })
}

/** The file and every file it @imports (wcsc needs them all on its command line). */
function importClosure(wxss: string, seen = new Set<string>()): string[] {
  if (seen.has(wxss)) return []
  seen.add(wxss)
  const text = fs.readFileSync(wxss, 'utf8')
  for (const m of text.matchAll(/@import\s+["']([^"']+)["']/g)) {
    importClosure(path.resolve(path.dirname(wxss), m[1]), seen)
  }
  return [...seen]
}

function wcsc(root: string, wxss: string) {
  const files = importClosure(wxss).map((f) => path.relative(root, f))
  const isComponent = fs.existsSync(wxss.replace(/\.wxss$/, '.json')) ? '1' : '0'
  return spawnSync(WCSC, ['-db', '-pc', isComponent, ...files], { cwd: root })
}

// The sources, and the build's minified copies: what ships must pass the compilers too.
const roots = [
  path.join(ROOT, 'components'),
  path.join(ROOT, 'demo'),
  path.join(ROOT, 'miniprogram_dist/components'),
]
const wxmlFiles = roots.flatMap((root) => filesUnder(root, '.wxml').map((f) => [root, f] as const))
const wxssFiles = roots.flatMap((root) => filesUnder(root, '.wxss').map((f) => [root, f] as const))
/** test.each rows: [the file's name in the repository, its root, the file]. */
const named = (files: ReadonlyArray<readonly [string, string]>) =>
  files.map(([root, f]) => [path.relative(ROOT, f), root, f] as const)

/** A compiler run that passed (no complaint, exit 0): the run, for more checks. */
function clean(res: SpawnSyncReturns<Buffer>) {
  expect(res.stderr.toString()).toBe('')
  expect(res.status).toBe(0)
  return res
}

describe('official WXML / WXSS compilers', () => {
  beforeAll(() => {
    for (const bin of [WCC, WCSC]) fs.chmodSync(bin, 0o755)
  })

  test('there are files to check (the four components, as written and as built, and the three demo pages)', () => {
    const names = wxmlFiles.map(([, f]) => path.relative(ROOT, f))
    expect(names).toEqual(
      expect.arrayContaining([
        'components/conference-room/index.wxml',
        'components/member-grid/index.wxml',
        'components/pusher-tile/index.wxml',
        'components/player-tile/index.wxml',
        'miniprogram_dist/components/conference-room/index.wxml',
        'demo/pages/index/index.wxml',
        'demo/pages/room/room.wxml',
        'demo/pages/settings/settings.wxml',
      ]),
    )
    expect(wxssFiles.length).toBeGreaterThanOrEqual(15)
  })

  test.each(named(wxmlFiles))('wcc compiles %s', (_name, root, file) => {
    expect(clean(wcc(root, file)).stdout.toString()).toContain('$gwx')
  })

  test.each(named(wxssFiles))('wcsc compiles %s', (_name, root, file) => {
    clean(wcsc(root, file))
  })

  test('broken samples fail (so that the checks above can fail)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wx-broken-'))
    try {
      const wxml = path.join(dir, 'broken.wxml')
      fs.writeFileSync(wxml, '<view><text>{{name}}</view>\n')
      const badWxml = wcc(dir, wxml)
      expect(badWxml.status).not.toBe(0)
      expect(badWxml.stderr.toString()).toMatch(/end-tag/)

      const wxss = path.join(dir, 'broken.wxss')
      fs.writeFileSync(wxss, '.tile { width: 100rpx\n')
      const badWxss = wcsc(dir, wxss)
      expect(badWxss.status).not.toBe(0)

      // An @import that is not on wcsc's command line fails: why wcsc() passes the closure.
      const importing = path.join(dir, 'imports.wxss')
      fs.writeFileSync(importing, '@import "./shared.wxss";\n')
      fs.writeFileSync(path.join(dir, 'shared.wxss'), '.a { color: red; }\n')
      expect(wcsc(dir, importing).status).toBe(0)
      const alone = spawnSync(WCSC, ['-db', '-pc', '0', 'imports.wxss'], { cwd: dir })
      expect(alone.status).not.toBe(0)
      expect(alone.stdout.toString() + alone.stderr.toString()).toMatch(/not found/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
