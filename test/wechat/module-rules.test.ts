// The built kit and the demo under WeChat's module rules (testkit/wechat-loader.ts), not Node's: app.js,
// every page, every component a page uses (recursively through usingComponents), and the
// package entry a page requires. The first require WeChat would not resolve fails the test; and
// every .js file the kit ships must be reached, or WeChat's code analysis counts it as unused.
import * as fs from 'fs'
import * as path from 'path'
import { kitComponents, resolveWechat, wechatLoader } from '../../testkit/wechat-loader'

const DEMO = path.resolve(__dirname, '../../demo')
const KIT = path.join(DEMO, 'miniprogram_npm/miniprogram-conference-kit')

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'))

/** WeChat's resolution of a usingComponents value (without extension). */
function componentPath(jsonFile: string, value: string): string {
  if (value.startsWith('/')) return path.join(DEMO, value)
  if (value.startsWith('.')) return path.resolve(path.dirname(jsonFile), value)
  return path.join(DEMO, 'miniprogram_npm', value)
}

function jsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name)
    return e.isDirectory() ? jsFiles(full) : e.name.endsWith('.js') ? [full] : []
  })
}

// What the framework provides; the definitions are only collected here (demo.test.ts renders).
const g = globalThis as unknown as Record<string, unknown>
const defined: Record<string, unknown[]> = { App: [], Page: [], Component: [], Behavior: [] }
beforeAll(() => {
  if (!fs.existsSync(path.join(KIT, 'index.js'))) {
    throw new Error('demo/miniprogram_npm has no kit: run `npx gulp build` first')
  }
  for (const name of Object.keys(defined)) g[name] = (def: unknown) => defined[name].push(def)
  g.getApp = () => defined.App[0]
  g.wx = {}
})
afterAll(() => {
  for (const name of [...Object.keys(defined), 'getApp', 'wx']) delete g[name]
})

describe('WeChat module rules', () => {
  test('the loader refuses what WeChat refuses', () => {
    const from = path.join(KIT, 'index.js')
    const refused = (spec: string) => resolveWechat(DEMO, from, spec) instanceof Error
    expect(refused('./sdk')).toBe(true) // a folder
    expect(refused('./sdk/index')).toBe(false)
    expect(refused('./sdk/index.js')).toBe(false)
    expect(refused('fs')).toBe(true) // a Node built-in
    expect(refused('ws')).toBe(true) // installed in node_modules, not in miniprogram_npm
    expect(refused('mobx-miniprogram')).toBe(false)
    // Inside a package, too, a folder is not its index.js.
    expect(refused('miniprogram-conference-kit/store')).toBe(true)
    expect(refused('miniprogram-conference-kit/store/index')).toBe(false)
    expect(refused('../../../package.json')).toBe(true) // outside the mini program
  })

  test('app.js, every page, every component they use and the kit entry load; every kit file is reached', () => {
    const loader = wechatLoader(DEMO)
    loader.require(path.join(DEMO, 'app.js'))
    const pages: string[] = readJson(path.join(DEMO, 'app.json')).pages
    const components = new Set<string>()
    const visit = (jsonFile: string) => {
      const using: Record<string, string> = readJson(jsonFile).usingComponents ?? {}
      for (const value of Object.values(using)) {
        const target = componentPath(jsonFile, value)
        if (components.has(target)) continue
        components.add(target)
        expect(readJson(`${target}.json`).component).toBe(true)
        loader.require(`${target}.js`)
        visit(`${target}.json`)
      }
    }
    for (const page of pages) {
      loader.require(path.join(DEMO, `${page}.js`))
      visit(path.join(DEMO, `${page}.json`))
    }
    expect(defined.Page).toHaveLength(pages.length)
    expect(defined.Component).toHaveLength(components.size)
    // Every component of the kit, as its source folders say (a new one the demo forgot fails).
    expect([...components].map((c) => path.relative(KIT, c)).sort()).toEqual(kitComponents())

    // What `require('miniprogram-conference-kit')` gives a page: the emedia object.
    const emedia = loader.require(path.join(KIT, 'index.js')) as Record<string, unknown>
    expect(typeof emedia.config).toBe('function')
    expect(typeof (emedia.mgr as Record<string, unknown>).joinRoom).toBe('function')

    const kitFiles = jsFiles(KIT).map((f) => path.relative(DEMO, f))
    const unreached = kitFiles.filter((f) => !loader.loaded().includes(f))
    expect(unreached).toEqual([])
  })
})
