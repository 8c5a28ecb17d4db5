// WeChat's own tooling on the kit, offline: miniprogram-ci (the library behind DevTools' code
// analysis, code-quality check and "Build npm"), each task run by ci-runner.js in its own process
// with a dummy appid, a generated key and its proxy on a closed loopback port.
import { execFile, execFileSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { promisify } from 'util'
import { wechatLoader } from '../../testkit/wechat-loader'

const ROOT = path.resolve(__dirname, '../..')
const DEMO = path.join(ROOT, 'demo')
const KIT_PREFIX = 'miniprogram_npm/miniprogram-conference-kit/'

interface AnalyseResult {
  files: Array<{ path: string; size: number; moduleId: string | null }>
  modules: Array<{ id: string; deps: Array<{ request: string; error?: string }> }>
}
interface CheckItem {
  name: string
  success: boolean
  text: string
}

let tmp: string
let runs = 0

/** One miniprogram-ci task in its own process; its result. */
async function runCi<T>(task: string, options: object): Promise<T> {
  const n = ++runs
  const optionsFile = path.join(tmp, `options-${n}.json`)
  const resultFile = path.join(tmp, `result-${n}.json`)
  fs.writeFileSync(optionsFile, JSON.stringify(options))
  await promisify(execFile)(
    process.execPath,
    [path.join(__dirname, 'ci-runner.js'), task, optionsFile, resultFile],
    { cwd: ROOT, timeout: 170000 },
  )
  return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as T
}

beforeAll(() => {
  if (!fs.existsSync(path.join(DEMO, KIT_PREFIX, 'index.js'))) {
    throw new Error('demo/miniprogram_npm has no kit: run `npx gulp build` first')
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-miniprogram-ci-'))
})

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe('miniprogram-ci on the demo (offline)', () => {
  test('analyseCode: no unresolved dependency, no unused file of the kit', async () => {
    const result = await runCi<AnalyseResult>('analyseCode', { projectPath: DEMO })
    const errors = result.modules.flatMap((m) =>
      m.deps.filter((d) => d.error).map((d) => `${m.id}: ${d.error}`),
    )
    expect(errors).toEqual([])
    const kitFiles = result.files.filter((f) => f.path.startsWith(KIT_PREFIX))
    // Code files belong to a module when something uses them; images are never modules to
    // analyseCode, so each must be named, as a literal path, by a WXML or WXSS of the kit.
    const isImage = (p: string) => /\.(svg|png|jpe?g|gif)$/.test(p)
    const code = kitFiles.filter((f) => !isImage(f.path))
    expect(code.filter((f) => !f.moduleId).map((f) => f.path)).toEqual([])
    const markup = code
      .filter((f) => /\.(wxml|wxss)$/.test(f.path))
      .map((f) => ({
        dir: path.posix.dirname(f.path),
        text: fs.readFileSync(path.join(DEMO, f.path), 'utf8'),
      }))
    const named = (image: string) =>
      markup.some(({ dir, text }) => text.includes(path.posix.relative(dir, image)))
    expect(kitFiles.filter((f) => isImage(f.path) && !named(f.path)).map((f) => f.path)).toEqual([])
    expect(kitFiles.length).toBeGreaterThan(0)
    const size = (files: AnalyseResult['files']) => files.reduce((n, f) => n + f.size, 0)
    console.log(
      `analyseCode: ${result.files.length} files, ${size(result.files)} bytes; the kit ` +
        `${kitFiles.length} files, ${size(kitFiles)} bytes`,
    )
  }, 180000)

  test('checkCodeQuality: every item passes', async () => {
    const items = await runCi<CheckItem[]>('checkCodeQuality', { projectPath: DEMO })
    expect(items.length).toBeGreaterThan(0)
    expect(items.filter((i) => !i.success).map((i) => `${i.name}: ${i.text}`)).toEqual([])
    // The items the issue named are among those checked.
    expect(items.map((i) => i.name)).toEqual(
      expect.arrayContaining([
        'JS_COMPRESS_OPEN',
        'WXML_COMPRESS_OPEN',
        'WXSS_COMPRESS_OPEN',
        'LAZYCODE_LOADING_OPEN',
        'CONTAINS_UNUSED_CODES',
      ]),
    )
  }, 180000)
})

describe('Build npm (packNpmManually) for a mini program that installs the packed kit', () => {
  test('succeeds; miniprogram_npm holds exactly the kit and the two mobx packages, which load under WeChat rules', async () => {
    const npm = (args: string[], cwd: string) =>
      execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    // The package exactly as npm publishes it.
    const packed = JSON.parse(
      npm(['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], ROOT),
    ) as Array<{ filename: string }>
    const tarball = path.join(tmp, packed[0].filename)

    const app = path.join(tmp, 'app')
    const mini = path.join(app, 'miniprogram')
    fs.mkdirSync(path.join(mini, 'pages/index'), { recursive: true })
    fs.writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'fixture-app', version: '1.0.0', private: true }),
    )
    // The mobx packages come from npm's cache (the root install put them there).
    npm(
      ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
      app,
    )

    const result = await runCi<{ warnList: unknown[] }>('packNpmManually', {
      packageJsonPath: path.join(app, 'package.json'),
      miniprogramNpmDistDir: mini,
    })
    expect(result.warnList).toEqual([])
    const npmDir = path.join(mini, 'miniprogram_npm')
    expect(fs.readdirSync(npmDir).sort()).toEqual([
      'miniprogram-conference-kit',
      'mobx-miniprogram',
      'mobx-miniprogram-bindings',
    ])

    // What Build npm wrote runs under WeChat's rules: the entry a page requires and every
    // component, each pulling in the store and the mobx packages.
    const page = path.join(mini, 'pages/index/index.js')
    fs.writeFileSync(page, "module.exports = require('miniprogram-conference-kit')\n")
    const g = globalThis as unknown as Record<string, unknown>
    const components: unknown[] = []
    g.Component = (def: unknown) => components.push(def)
    g.Behavior = (def: unknown) => def
    g.wx = {}
    try {
      const loader = wechatLoader(mini)
      const emedia = loader.require(page) as { config?: unknown }
      expect(typeof emedia.config).toBe('function')
      const kit = path.join(npmDir, 'miniprogram-conference-kit/components')
      const names = fs.readdirSync(kit).filter((n) => n !== 'common')
      for (const name of names) loader.require(path.join(kit, name, 'index.js'))
      // One Component() per component folder of the sources.
      const sources = fs
        .readdirSync(path.join(ROOT, 'components'))
        .filter((n) => fs.existsSync(path.join(ROOT, 'components', n, 'index.ts')))
      expect(names.sort()).toEqual(sources.sort())
      expect(components).toHaveLength(sources.length)
    } finally {
      delete g.Component
      delete g.Behavior
      delete g.wx
    }
  }, 180000)
})
