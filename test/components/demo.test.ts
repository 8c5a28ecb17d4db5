/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "node-addons"]}
 */
// The demo mini program as WeChat DevTools opens it, exactly as shipped: its pages and component
// paths resolve to the built kit in demo/miniprogram_npm (copied there by `npx gulp build`), and
// every page renders under miniprogram-simulate with its scripts run by WeChat's module rules
// (testkit/wechat-loader.ts), against the REAL server over real sockets. The test makes no
// store and registers nothing: what the demo does not set up, the test does not either. What
// stands in for the phone: storage (a Map), navigation (recorded), `wx.connectSocket` /
// `wx.request` (real sockets and HTTP, testkit/wx-shim.ts).
import './node-timers'
import * as fs from 'fs'
import * as path from 'path'
import simulate = require('miniprogram-simulate')
import { ErrorCode } from 'miniprogram-conference-protocol'
import type { ConferenceServer } from 'miniprogram-conference-server'
import { nodeClient, type NodeClient } from '../../testkit/sdk-client'
import { startServer } from '../../testkit/server'
import { createWxShim } from '../../testkit/wx-shim'
import { kitComponents, wechatLoader } from '../../testkit/wechat-loader'
import { until } from '../../testkit/wait'
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
    // Every component of the kit, as its source folders say (a new one the demo forgot fails).
    expect([...seen].map((p) => path.relative(KIT, p)).sort()).toEqual(kitComponents())
  })
})

/** What the tests use of a j-component node. */
interface Node {
  data: Record<string, unknown>
  instance: Record<string, (...args: unknown[]) => unknown>
  dom: { getAttribute(name: string): string | null }
  querySelector(selector: string): Node | undefined
  querySelectorAll(selector: string): Node[]
  dispatchEvent(name: string, options?: { detail?: unknown }): void
  addEventListener(name: string, handler: (e: { detail: unknown }) => void): void
  detach(): void
  attach(parent: never): void
}

/** The query of a page URL as WeChat hands it to onLoad (values still encoded). */
function queryOf(url: string): Record<string, string> {
  const query = url.slice(url.indexOf('?') + 1)
  return Object.fromEntries(query.split('&').map((kv) => kv.split('=') as [string, string]))
}

// The framework around the pages: App / getApp / getCurrentPages, and Page, which
// miniprogram-simulate lacks, as a component whose attached() is the page's onLoad(query).
type PageDef = Record<string, unknown> & { data?: object }
const g = globalThis as unknown as Record<string, unknown>
let appDef: Record<string, unknown> | undefined
let pageQuery: Record<string, string> = {}
function installFramework(): void {
  g.App = (def: Record<string, unknown>) => (appDef = def)
  g.getApp = () => appDef
  g.getCurrentPages = () => [{}]
  g.Page = (def: PageDef) => {
    const methods: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(def)) {
      if (typeof value === 'function') methods[key] = value
    }
    ;(g.Component as (d: object) => void)({
      data: def.data ?? {},
      methods,
      lifetimes: {
        attached(this: { onLoad?: (q: object) => void }) {
          this.onLoad?.({ ...pageQuery })
        },
      },
    })
  }
}

describe('the demo as shipped, on the real server', () => {
  const shim = createWxShim()
  const storage = new Map<string, unknown>()
  const navigations: string[] = []
  const loader = wechatLoader(DEMO)
  const mounted: Node[] = []
  let server: ConferenceServer
  let ada: NodeClient

  /** Renders a page of app.json with `query`, its script run by WeChat's module rules. */
  function openPage(page: string, query: Record<string, string> = {}): Node {
    pageQuery = query
    const id = simulate.load(path.join(DEMO, page), page.replace(/\W/g, '-'), { rootPath: DEMO })
    const node = simulate.render(id) as unknown as Node
    node.attach(newParent() as never)
    mounted.push(node)
    return node
  }

  beforeAll(async () => {
    server = await startServer()
    const w = wx as unknown as Record<string, unknown>
    for (const name of ['connectSocket', 'request', 'onNetworkStatusChange'] as const) {
      w[name] = shim[name]
    }
    w.offNetworkStatusChange = shim.offNetworkStatusChange
    w.getStorageSync = (key: string) => storage.get(key) ?? ''
    w.setStorageSync = (key: string, value: unknown) => storage.set(key, value)
    w.navigateTo = ({ url }: { url: string }) => navigations.push(url)
    // WeChat's pusher context, previewing too (simulate's has no startPreview).
    const live = () => ({
      start: () => undefined,
      stop: () => undefined,
      pause: () => undefined,
      resume: () => undefined,
      play: () => undefined,
      startPreview: () => undefined,
      stopPreview: () => undefined,
    })
    w.createLivePusherContext = live
    w.createLivePlayerContext = live
    installFramework()
    // miniprogram-simulate runs each page and component script through WeChat's rules, not
    // Node's require.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const utils = require('miniprogram-simulate/src/utils') as { runJs: (f: string) => void }
    utils.runJs = (file) => void loader.rerun(file.endsWith('.js') ? file : `${file}.js`)
    loader.require(path.join(DEMO, 'app.js'))

    ada = await nodeClient(server, 'ada')
    await ada.emedia.mgr.joinRoom({ roomName: 'weekly', password: '', role: 7, config: {} })
  })

  afterAll(async () => {
    for (const node of mounted.splice(0)) node.detach()
    await flush()
    await ada?.close().catch(() => undefined)
    for (const ws of shim.sockets) ws.terminate()
    await server?.stop()
    for (const name of ['App', 'getApp', 'getCurrentPages', 'Page']) delete g[name]
  })

  /** Types into an input of a page or component, as WeChat reports it. */
  const type = (node: Node, selector: string, value: string) =>
    node.querySelector(selector)!.dispatchEvent('input', { detail: { value } })
  const tap = (node: Node, selector: string) => node.querySelector(selector)!.dispatchEvent('tap')
  const text = (node: Node, selector: string) =>
    (node.querySelector(selector) as unknown as { dom: { textContent: string } }).dom.textContent

  test('first run: no server yet, and the join screen says where to set it', async () => {
    const index = openPage('pages/index/index')
    await flush()
    expect(text(index, '.notice-text')).toMatch(/设置/)
    tap(index, '#to-settings')
    await flush()
    expect(navigations).toEqual(['/pages/settings/settings'])
  })

  test("settings in users' words: the server, video quality, layout; the room takes them", async () => {
    const settings = openPage('pages/settings/settings')
    await flush()
    expect(text(settings, '#quality .field-value')).toBe('标准')
    type(settings, '#server', ` ${server.wsUrl} `)
    settings.querySelector('#layout')!.dispatchEvent('change', { detail: { value: 1 } })
    settings.querySelector('#quality')!.dispatchEvent('change', { detail: { value: 2 } })
    await flush()
    expect(text(settings, '#layout .field-value')).toBe('演讲者')
    expect(text(settings, '#quality .field-value')).toBe('高清')
    expect(storage.get('settings')).toMatchObject({ server: server.wsUrl, layout: 1, quality: 2 })
  })

  test('the join screen: the meeting, my name and the switches open the room page', async () => {
    navigations.length = 0
    const index = openPage('pages/index/index')
    await flush()
    expect(index.querySelector('.notice')).toBeUndefined()
    const pre = index.querySelector('#join')!
    type(pre, '#room', 'weekly')
    type(pre, '#name', 'Ann')
    tap(pre, '#mic-switch')
    await flush()
    tap(pre, '#join')
    await flush()
    expect(navigations).toEqual([
      '/pages/room/room?roomName=weekly&nickName=Ann&mic=0&camera=1&soundMode=speaker',
    ])
    expect(storage.get('settings')).toMatchObject({ nickName: 'Ann' })
  })

  let adaConference: { id: string; members: Map<string, { userId: string; nickName?: string }> }

  test('room page: <conference-room> without store-key joins over a real socket, as chosen', async () => {
    const room = openPage('pages/room/room', queryOf(navigations[0]))
    expect(room.data).toMatchObject({
      ready: true,
      roomName: 'weekly',
      template: 'speaker',
      maxBitrate: 1200,
      mic: false,
    })
    adaConference = [...server.service.conferences.values()].find((c) =>
      [...c.members.values()].some((m) => m.userId === 'ada'),
    )! as unknown as typeof adaConference
    await until(() => adaConference.members.size === 2, 8000)
    const ann = [...adaConference.members.values()].find((m) => m.userId !== 'ada')!
    expect(ann).toMatchObject({ nickName: 'Ann' })
    expect(ann.userId).toBe(storage.get('userId'))
    // The member grid inside the room component: our own tile and ada's.
    const grid = () => room.querySelector('#room')?.querySelector('#grid')
    const adaId = ada.emedia.mgr.getSelf()!.id
    await until(
      () => !!grid()?.querySelector('#self') && grid()!.querySelectorAll('.player').length === 1,
      8000,
    )
    expect(
      grid()!
        .querySelectorAll('.player')
        .map((t) => t.data.memberId),
    ).toEqual([adaId])
    // Our own tile carries the name of the join screen, pushes to the URL the server issued, and
    // started with the microphone off, as chosen: ada sees it muted.
    await until(() => !!grid()!.querySelector('#self')!.data.pushUrl, 8000)
    expect(grid()!.querySelector('#self')!.data.name).toBe('Ann')
    const pushUrl = grid()!.querySelector('#self')!.data.pushUrl as string
    expect(pushUrl.startsWith(`${server.engine.rtmpBase()}/`)).toBe(true)
    const streams = (adaConference as unknown as { streams: Map<string, { aoff: number }> }).streams
    await until(() => [...streams.values()].some((st) => st.aoff === 1), 8000)

    // The card it shares: the join screen, with this server, on this meeting, with the meeting's
    // invitation credential (the room asked the server for it on joining); no password.
    const share = () => room.instance.onShareAppMessage() as { path: string; promise?: unknown }
    await until(() => !share().promise, 8000)
    const card = share()
    const invite = decodeURIComponent(queryOf(card.path).invite ?? '')
    expect(invite.startsWith(`${adaConference.id}.`)).toBe(true)
    expect(card.path).toBe(
      `/pages/index/index?server=${encodeURIComponent(server.wsUrl)}` +
        `&confrId=${encodeURIComponent(adaConference.id)}&roomName=weekly` +
        `&invite=${encodeURIComponent(invite)}`,
    )
    shared = card.path
    // Ann leaves: the page closes.
    room.detach()
    await until(() => adaConference.members.size === 1, 8000)
  })

  let shared = ''

  test("a shared card brings another phone through the join screen into the same meeting, with the card's credential", async () => {
    // Another phone: nothing stored, another user.
    storage.clear()
    navigations.length = 0
    const verified = jest.spyOn(server.tokens, 'verifyInvitation')
    const invite = decodeURIComponent(queryOf(shared).invite)
    const index = openPage('pages/index/index', queryOf(shared))
    await flush()
    // The card's server is saved; its meeting fills the field; no password is asked, and the
    // screen says why.
    expect(storage.get('settings')).toMatchObject({ server: server.wsUrl })
    expect(text(index, '#invited')).toBe('你收到了这个会议的邀请，无需密码，直接加入。')
    const pre = index.querySelector('#join')!
    expect(pre.data.roomText).toBe('weekly')
    expect(pre.querySelector('#password')).toBeUndefined()
    type(pre, '#name', 'Ben')
    tap(pre, '#join')
    await flush()
    expect(navigations).toEqual([
      `/pages/room/room?roomName=weekly&invite=${encodeURIComponent(invite)}` +
        '&nickName=Ben&mic=1&camera=1&soundMode=speaker',
    ])
    const room = openPage('pages/room/room', queryOf(navigations[0]))
    expect(room.querySelector('#room')!.data.invitation).toBe(invite)
    await until(() => adaConference.members.size === 2, 8000)
    const ben = [...adaConference.members.values()].find((m) => m.userId !== 'ada')!
    expect(ben).toMatchObject({ nickName: 'Ben', userId: storage.get('userId') })
    expect(server.service.conferences.size).toBe(1)
    // The server let Ben in on the card's credential.
    expect(verified.mock.calls).toEqual([[invite, adaConference.id]])
    verified.mockRestore()
    // Ben closes the page once in (the store does not cancel a join still under way).
    await until(() => room.querySelector('#room')!.data.status === 'joined', 8000)
    room.detach()
    await until(() => adaConference.members.size === 1, 8000)
  })

  test('an expired or forged credential is refused with its code, said in words, and the join screen comes back', async () => {
    const w = wx as unknown as Record<string, unknown>
    const modals: Array<{ content: string }> = []
    const redirects: string[] = []
    w.showModal = (o: { content: string; complete?: () => void }) => {
      modals.push({ content: o.content })
      o.complete?.()
    }
    w.redirectTo = ({ url }: { url: string }) => redirects.push(url)
    const expired = server.tokens.mintInvitation(adaConference.id, -60).invitation
    const [c, exp] = expired.split('.')
    const forged = [c, exp, 'A'.repeat(22)].join('.')
    const codes: number[] = []
    for (const invite of [expired, forged]) {
      const shown = modals.length
      const room = openPage('pages/room/room', {
        roomName: 'weekly',
        invite: encodeURIComponent(invite),
        nickName: 'Cy',
      })
      // The room's own error event, as the page hears it: the server's code.
      room
        .querySelector('#room')!
        .addEventListener('error', (e) => codes.push((e.detail as { code: number }).code))
      await until(() => modals.length === shown + 1, 8000)
      room.detach()
    }
    expect(codes).toEqual([ErrorCode.TICKET_EXPIRED, ErrorCode.TICKET_INVALID])
    expect(modals.map((m) => m.content)).toEqual([
      '这个邀请已过期。请向邀请你的人要一张新的卡片，或用会议号加入。',
      '这个邀请不能用来加入会议。请向邀请你的人要一张新的卡片，或用会议号加入。',
    ])
    // Back to the join screen on the same meeting, without the credential.
    expect(redirects).toEqual([
      '/pages/index/index?roomName=weekly',
      '/pages/index/index?roomName=weekly',
    ])
    expect(adaConference.members.size).toBe(1)
  })
})
