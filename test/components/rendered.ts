// What a mounted component shows, read as a user would: the j-component node tests hold, its text
// and attributes as rendered, the room's grid and tiles, and a tap on one of its elements.
import { flush } from './sim'

/** What the tests use of a j-component node (its typings lack events and page lifetimes). */
export interface Node {
  dom: { textContent: string | null }
  data: Record<string, unknown>
  instance: unknown
  querySelector(selector: string): Node | undefined
  querySelectorAll(selector: string): Node[]
  dispatchEvent(name: string, options?: { detail?: unknown }): void
  addEventListener(name: string, handler: (e: { detail: Record<string, unknown> }) => void): void
  triggerPageLifeTime(name: 'show' | 'hide'): void
  toJSON(): unknown
  detach(): void
}

/** Taps an element as a user would, and lets the kit answer. */
export async function tap(node: Node, selector: string): Promise<void> {
  const el = node.querySelector(selector)
  if (!el) throw new Error(`no ${selector}`)
  el.dispatchEvent('tap')
  await flush()
}

/** The text an element shows ('' when it is not rendered). */
export function text(node: Node, selector: string): string {
  return (node.querySelector(selector)?.dom.textContent ?? '').trim()
}

export function grid(room: Node): Node {
  return room.querySelector('#grid')!
}

export function selfTile(room: Node): Node {
  return grid(room).querySelector('#self')!
}

export function playerTiles(room: Node): Node[] {
  return grid(room).querySelectorAll('.player')
}

/** The attributes of an element as rendered, camelCased (live-pusher / live-player show theirs). */
export function attrsOf(node: Node, selector: string): Record<string, unknown> {
  const el = node.querySelector(selector)
  if (!el) throw new Error(`no ${selector} rendered`)
  return attrs(el)
}

export function attrs(el: Node): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const a of (el.toJSON() as { attrs: Array<{ name: string; value: unknown }> }).attrs) {
    out[a.name] = a.value
  }
  return out
}
