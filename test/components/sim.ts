// miniprogram-simulate helpers that need no kit (the demo test loads its own copy of the kit).
import simulate = require('miniprogram-simulate')

/** Lets promises, wx.nextTick and the mocked wx callbacks (setTimeout 0) run. */
export async function flush(rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) await simulate.sleep(0)
}

/** A parent element for attach() (jsdom's document; the Node typings have no DOM). */
export function newParent(): unknown {
  const doc = (globalThis as unknown as { document: { createElement(tag: string): unknown } })
    .document
  return doc.createElement('parent-wrapper')
}
