/** @jest-environment jsdom */
// The demo mini program as WeChat DevTools opens it: its pages exist, every component path
// resolves to the built kit in demo/miniprogram_npm (copied there by `npx gulp build`), every
// require resolves the way WeChat resolves it, the components load under miniprogram-simulate,
// and the page scripts build the invite and room parameters they should.
import * as fs from 'fs'
import * as path from 'path'
import simulate = require('miniprogram-simulate')
import type * as Kit from '../../store/index'
import { FakeEmedia } from '../kit/fake-emedia'
import { flush, newParent } from './sim'

const DEMO = path.resolve(__dirname, '../../demo')
const NPM = path.join(DEMO, 'miniprogram_npm')
const KIT = path.join(NPM, 'miniprogram-conference-kit')

function readJson(file: string) {
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

/** WeChat's resolution of a usingComponents value. */
function componentPath(fromFile: string, value: string): string {
  if (value.startsWith('/')) return path.join(DEMO, value)
  if (value.startsWith('.')) return path.resolve(path.dirname(fromFile), value)
  return path.join(NPM, value)
}

/** WeChat's resolution of require(): relative files, or packages under miniprogram_npm. */
function requireTarget(fromFile: string, spec: string): string | undefined {
  const base = spec.startsWith('.')
    ? path.resolve(path.dirname(fromFile), spec)
    : path.join(NPM, spec)
  return [base, `${base}.js`, path.join(base, 'index.js')].find(
    (f) => fs.existsSync(f) && fs.statSync(f).isFile(),
  )
}

function jsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name)
    return e.isDirectory() ? jsFiles(full) : e.name.endsWith('.js') ? [full] : []
  })
}

const app = readJson(path.join(DEMO, 'app.json')) as { pages: string[] }

describe('demo mini program', () => {
  beforeAll(() => {
    if (!fs.existsSync(path.join(KIT, 'components'))) {
      throw new Error('demo/miniprogram_npm has no kit: run `npx gulp build` first')
    }
  })

  test('project.config.json: tourist appid, miniprogramRoot holds app.json and miniprogram_npm', () => {
    const project = readJson(path.join(DEMO, 'project.config.json'))
    expect(project.appid).toBe('touristappid')
    const root = path.resolve(DEMO, project.miniprogramRoot)
    expect(fs.existsSync(path.join(root, 'app.json'))).toBe(true)
    expect(fs.existsSync(path.join(root, 'miniprogram_npm/miniprogram-conference-kit'))).toBe(true)
    expect(project.setting.urlCheck).toBe(false)
  })

  test('every page of app.json exists (js, json, wxml, wxss)', () => {
    expect(app.pages).toEqual(['pages/index/index', 'pages/room/room', 'pages/settings/settings'])
    for (const page of app.pages) {
      for (const ext of ['.js', '.json', '.wxml', '.wxss']) {
        expect([page + ext, fs.existsSync(path.join(DEMO, page + ext))]).toEqual([page + ext, true])
      }
    }
    expect(
      fs.existsSync(path.join(DEMO, readJson(path.join(DEMO, 'app.json')).sitemapLocation)),
    ).toBe(true)
  })

  test('every usingComponents path resolves to a built component, recursively', () => {
    const seen = new Set<string>()
    const visit = (jsonFile: string) => {
      const using: Record<string, string> = readJson(jsonFile).usingComponents ?? {}
      for (const [tag, value] of Object.entries(using)) {
        const target = componentPath(jsonFile, value)
        for (const ext of ['.js', '.json', '.wxml', '.wxss']) {
          expect([tag, target + ext, fs.existsSync(target + ext)]).toEqual([
            tag,
            target + ext,
            true,
          ])
        }
        expect(readJson(`${target}.json`).component).toBe(true)
        if (!seen.has(target)) {
          seen.add(target)
          visit(`${target}.json`)
        }
      }
    }
    for (const page of app.pages) visit(path.join(DEMO, `${page}.json`))
    expect([...seen].map((p) => path.relative(KIT, p)).sort()).toEqual([
      'components/conference-room/index',
      'components/member-grid/index',
      'components/player-tile/index',
      'components/pusher-tile/index',
    ])
  })

  test('every require of the pages and the kit resolves inside the mini program', () => {
    const missing: string[] = []
    const files = [
      ...app.pages.map((p) => path.join(DEMO, `${p}.js`)),
      path.join(DEMO, 'app.js'),
      ...jsFiles(KIT),
    ]
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8')
      for (const m of text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
        if (!requireTarget(file, m[1])) missing.push(`${path.relative(DEMO, file)} → ${m[1]}`)
      }
    }
    expect(missing).toEqual([])
  })

  test("the room page's component loads and renders under miniprogram-simulate", async () => {
    const using = readJson(path.join(DEMO, 'pages/room/room.json')).usingComponents
    const roomPath = componentPath(
      path.join(DEMO, 'pages/room/room.json'),
      using['conference-room'],
    )
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const kit: typeof Kit = require(path.join(KIT, 'store/index.js'))
    const fake = new FakeEmedia()
    kit.registerStore('demo', kit.createConferenceStore(fake))
    const id = simulate.load(roomPath, 'conference-room', {
      rootPath: path.join(KIT, 'components'),
    })
    const room = simulate.render(id, { storeKey: 'demo', roomName: 'weekly' })
    room.attach(newParent() as never)
    await flush()
    expect(fake.called('joinRoom')).toHaveLength(1)
    expect(room.querySelector('#grid')!.querySelector('#self')).toBeDefined()
    room.detach()
    await flush()
    expect(fake.called('exitConference')).toHaveLength(1)
  })

  test('page scripts: room parameters from the invite, invites that carry room and server', () => {
    const w = wx as unknown as Record<string, unknown>
    const storage = new Map<string, unknown>()
    w.getStorageSync = (k: string) => storage.get(k) ?? ''
    w.setStorageSync = (k: string, v: unknown) => storage.set(k, v)
    const g = global as unknown as Record<string, unknown>
    let appDef: Record<string, unknown> = {}
    const pages: Array<Record<string, (...a: unknown[]) => unknown>> = []
    g.App = (def: Record<string, unknown>) => (appDef = def)
    g.getApp = () => appDef
    g.Page = (def: Record<string, (...a: unknown[]) => unknown>) => pages.push(def)
    jest.doMock('miniprogram-conference-kit', () => require(path.join(KIT, 'index.js')), {
      virtual: true,
    })
    jest.isolateModules(() => {
      require(path.join(DEMO, 'app.js'))
      for (const page of app.pages) require(path.join(DEMO, `${page}.js`))
    })
    const [index, room, settings] = pages
    // A page instance as WeChat makes it: the definition's methods, its data, setData.
    const instance = (def: Record<string, unknown>) => {
      const self = {
        ...def,
        data: JSON.parse(JSON.stringify(def.data)) as Record<string, unknown>,
        setData(d: Record<string, unknown>) {
          Object.assign(self.data, d)
        },
      }
      return self
    }

    const server = 'ws://10.0.0.2:8080/ws'
    const r = instance(room)
    room.onLoad.call(r, { roomName: 'weekly', server: encodeURIComponent(server) })
    expect(r.data).toMatchObject({
      ready: true,
      host: server,
      roomName: 'weekly',
      template: 'grid',
    })
    expect(r.data.gridHeight).toBeGreaterThanOrEqual(600)
    expect((room.onShareAppMessage.call(r) as { path: string }).path).toBe(
      `/pages/room/room?roomName=weekly&server=${encodeURIComponent(server)}`,
    )

    const s = instance(settings)
    settings.onLoad.call(s)
    settings.onTemplate.call(s, { detail: { value: 2 } })
    expect((storage.get('settings') as { template: string }).template).toBe('speaker')

    const i = instance(index)
    index.onLoad.call(i, {})
    expect(i.data.server).toBe(server) // remembered from the invite
    i.setData({ confrId: 'C_9', password: 'pw' })
    expect((index.onShareAppMessage.call(i) as { path: string }).path).toBe(
      `/pages/room/room?server=${encodeURIComponent(server)}&confrId=C_9&password=pw`,
    )
  })
})
