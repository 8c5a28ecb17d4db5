// Mounting components for tests: miniprogram-simulate on the BUILT kit (miniprogram_dist, run
// `npx gulp build` first), with the store module loaded from the same built path the components
// require (one store registry). The emedia is injected: `mount(emedia)` registers a store made on
// it under its own key, so swapping the fake for a real SDK on a real server changes one line.
import * as fs from 'fs'
import * as path from 'path'
import simulate = require('miniprogram-simulate')
import type * as Kit from '../../store/index'
import type { EmediaLike } from '../../store/types'
import { type Node } from './rendered'
import { flush, newParent } from './sim'

export { flush, newParent }

export const DIST = path.resolve(__dirname, '../../miniprogram_dist')
const COMPONENTS = path.join(DIST, 'components')

if (!fs.existsSync(path.join(COMPONENTS, 'conference-room/index.js'))) {
  throw new Error('miniprogram_dist has no components: run `npx gulp build` first')
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const kit: typeof Kit = require(path.join(DIST, 'store/index.js'))

const loaded = new Map<string, string>()
/** Loads a kit component once per test file (a second simulate.load of a path breaks). */
function component(name: string): string {
  let id = loaded.get(name)
  if (!id) {
    id = simulate.load(path.join(COMPONENTS, `${name}/index`), name, { rootPath: COMPONENTS })
    loaded.set(name, id)
  }
  return id
}

/** simulate's wx as a table a test may write into; restoreWx() puts back what it had. */
export const w = wx as unknown as Record<string, unknown>
const originalWx = { ...w }
export function restoreWx(): void {
  Object.assign(w, originalWx)
}

export interface LiveContext {
  calls: string[]
  start(o?: { complete?: () => void }): void
  stop(o?: { complete?: () => void }): void
  pause(o?: { complete?: () => void }): void
  resume(o?: { complete?: () => void }): void
  play(o?: { complete?: () => void }): void
  startPreview(o?: { complete?: () => void }): void
  stopPreview(o?: { complete?: () => void }): void
}

/** Replaces wx.createLivePusherContext / createLivePlayerContext with recording fakes. */
export function spyLiveContexts(): { pusher: LiveContext; players: Map<unknown, LiveContext> } {
  const make = (): LiveContext => {
    const calls: string[] = []
    const op = (name: string) => (o?: { complete?: () => void }) => {
      calls.push(name)
      o?.complete?.()
    }
    return {
      calls,
      start: op('start'),
      stop: op('stop'),
      pause: op('pause'),
      resume: op('resume'),
      play: op('play'),
      startPreview: op('startPreview'),
      stopPreview: op('stopPreview'),
    }
  }
  const pusher = make()
  const players = new Map<unknown, LiveContext>()
  w.createLivePusherContext = () => pusher
  w.createLivePlayerContext = (_id: string, component: unknown) => {
    if (!players.has(component)) players.set(component, make())
    return players.get(component)
  }
  return { pusher, players }
}

let mounted = 0

/** Renders <conference-room> on a store made on `emedia`; attach it to start (it joins then). */
export function mount(
  emedia: EmediaLike,
  props: Record<string, unknown> = {},
  prepare?: (store: Kit.ConferenceStore) => void,
) {
  return mountComponent('conference-room', emedia, props, prepare)
}

/** Renders a kit component (components/<name>) on a store made on `emedia`, attached. */
export function mountComponent(
  name: string,
  emedia: EmediaLike,
  props: Record<string, unknown> = {},
  prepare?: (store: Kit.ConferenceStore) => void,
) {
  const storeKey = `room-${++mounted}`
  const store = kit.createConferenceStore(emedia)
  prepare?.(store)
  kit.registerStore(storeKey, store)
  const rendered = simulate.render(component(name), { storeKey, ...props })
  rendered.attach(newParent() as never)
  const room = rendered as unknown as Node
  rooms.push(room)
  return { room, store, storeKey }
}

const rooms: Array<{ detach(): void }> = []

/** Detaches every room mounted so far (leaves, stops the tiles' timers). */
export function unmountAll(): void {
  for (const room of rooms.splice(0)) room.detach()
}

export { simulate }

export interface SetDataCall {
  who: string
  data: Record<string, unknown>
  bytes: number
}

/** Records every setData of these components (what the view layer would receive). */
export function recordSetData(components: Array<[string, Node]>): SetDataCall[] {
  const calls: SetDataCall[] = []
  for (const [who, comp] of components) {
    const instance = comp.instance as { setData(data: object, cb?: () => void): void }
    const original = instance.setData.bind(instance)
    instance.setData = (data: Record<string, unknown>, cb?: () => void) => {
      calls.push({ who, data, bytes: utf8Length(JSON.stringify(data)) })
      original(data, cb)
    }
  }
  return calls
}

function utf8Length(text: string): number {
  return encodeURIComponent(text).replace(/%[0-9A-F]{2}/g, '_').length
}
