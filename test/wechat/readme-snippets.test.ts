// What the READMEs tell a mini program developer to write (every require of the kit and every
// usingComponents path in their code blocks), read from the READMEs themselves and loaded from a
// demo page under WeChat's module rules, so the docs cannot drift from what works.
import * as fs from 'fs'
import * as path from 'path'
import { resolveWechat, wechatLoader } from '../../testkit/wechat-loader'

const ROOT = path.resolve(__dirname, '../..')
const DEMO = path.join(ROOT, 'demo')
const PAGE = path.join(DEMO, 'pages/index/index.js')
const ROOM_PAGE = path.join(DEMO, 'pages/room/room.js')
const KIT = 'miniprogram-conference-kit'

const READMES = [
  'README.md',
  'demo/README.md',
  'sdk/README.md',
  'store/README.md',
  ...fs
    .readdirSync(path.join(ROOT, 'components'))
    .map((c) => `components/${c}/README.md`)
    .filter((f) => fs.existsSync(path.join(ROOT, f))),
]

interface Snippets {
  requires: Array<{ readme: string; spec: string }>
  components: Array<{ readme: string; tag: string; value: string }>
}

function snippets(): Snippets {
  const out: Snippets = { requires: [], components: [] }
  for (const readme of READMES) {
    const text = fs.readFileSync(path.join(ROOT, readme), 'utf8')
    for (const [, lang, code] of text.matchAll(/```(\w*)\n([\s\S]*?)```/g)) {
      for (const [, spec] of code.matchAll(/\brequire\(\s*'([^']+)'\s*\)/g)) {
        if (spec === KIT || spec.startsWith(`${KIT}/`)) out.requires.push({ readme, spec })
      }
      if (lang === 'json' && code.includes('usingComponents')) {
        const using: Record<string, string> = JSON.parse(code).usingComponents
        for (const [tag, value] of Object.entries(using)) {
          out.components.push({ readme, tag, value })
        }
      }
    }
  }
  return out
}

const g = globalThis as unknown as Record<string, unknown>
beforeAll(() => {
  g.Component = () => undefined
  g.Behavior = (def: unknown) => def
  g.wx = {}
})
afterAll(() => {
  for (const name of ['Component', 'Behavior', 'wx']) delete g[name]
})

describe('README snippets under WeChat module rules', () => {
  const found = snippets()

  test('the READMEs show the package entry, the store and the components', () => {
    const specs = found.requires.map((r) => r.spec)
    expect(specs).toContain(KIT)
    expect(specs).toContain(`${KIT}/store/index`)
    expect(found.components.map((c) => c.tag)).toContain('conference-room')
  })

  test('every require in the READMEs resolves and loads from a page', () => {
    const loader = wechatLoader(DEMO)
    for (const { readme, spec } of found.requires) {
      const file = resolveWechat(DEMO, PAGE, spec)
      if (file instanceof Error) throw new Error(`${readme}: ${file.message}`)
      expect([readme, spec, typeof loader.require(file)]).toEqual([readme, spec, 'object'])
    }
    // The demo's room page requires the entry exactly as the README writes it.
    expect(fs.readFileSync(ROOM_PAGE, 'utf8')).toContain(`require('${KIT}')`)
  })

  test('every usingComponents path in the READMEs is a component WeChat finds in miniprogram_npm', () => {
    const loader = wechatLoader(DEMO)
    for (const { readme, value } of found.components) {
      // A package path in usingComponents resolves like a require of its .js file.
      const js = resolveWechat(DEMO, PAGE, value)
      if (js instanceof Error) throw new Error(`${readme}: ${js.message}`)
      const json = JSON.parse(fs.readFileSync(js.replace(/\.js$/, '.json'), 'utf8'))
      expect([readme, value, json.component]).toEqual([readme, value, true])
      loader.require(js)
    }
  })
})
