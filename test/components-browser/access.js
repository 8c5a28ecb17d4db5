// Runs in the scene page (test/components-browser/layout.test.ts injects it): what keeps someone from using
// the screen, measured on the rendered boxes and the computed colours. Returns one line per
// problem:
// - a tap target under 44 × 44 pt (WeChat's and Apple's guideline; CSS px are pt here);
// - a control with no role or no name for a screen reader (aria-role / aria-label, which the page
//   mirrors into data-ck-aria-*, as it marks bindtap / catchtap with data-ck-tap);
// - text under 4.5:1 against what lies beneath it (WCAG 2 AA). Beneath is found by hit-testing the
//   text's centre with every element made hit-testable, compositing the backgrounds and opacities
//   from the top down; video (live-pusher / live-player) may be any colour, so over video the
//   worse of black and white counts.
/* eslint-disable no-undef */
;(function () {
  const MIN_TARGET = 44
  const MIN_CONTRAST = 4.5
  const TOL = 0.5

  function parse(colour) {
    const m = /rgba?\(([^)]+)\)/.exec(colour)
    if (!m) return null
    const [r, g, b, a = 1] = m[1]
      .split(/[,\s/]+/)
      .filter(Boolean)
      .map(Number)
    return { r, g, b, a }
  }

  /** `top` with alpha over the opaque `bottom`. */
  function over(top, bottom) {
    const a = top.a
    return {
      r: top.r * a + bottom.r * (1 - a),
      g: top.g * a + bottom.g * (1 - a),
      b: top.b * a + bottom.b * (1 - a),
      a: 1,
    }
  }

  function luminance({ r, g, b }) {
    const lin = (c) => {
      const s = c / 255
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4)
    }
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
  }

  function contrast(a, b) {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p)
    return (x + 0.05) / (y + 0.05)
  }

  /** The product of the opacities of `el` and its ancestors. */
  function opacityOf(el) {
    let o = 1
    for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity)
    return o
  }

  const isVideo = (el) => /^wx-live-(player|pusher)$/i.test(el.tagName)

  /** What lies beneath the point, top first, down to the first opaque background: the layers'
   * colours (alpha times opacity) and whether video is beneath them. */
  function layersAt(x, y, textEl) {
    const stack = document.elementsFromPoint(x, y)
    const layers = []
    // Start at the text's element: what is painted above it does not hide it from the check.
    const start = stack.indexOf(textEl)
    for (const el of start >= 0 ? stack.slice(start) : stack) {
      if (isVideo(el)) return { layers, video: true }
      const bg = parse(getComputedStyle(el).backgroundColor)
      if (!bg || bg.a === 0) continue
      const layer = { ...bg, a: bg.a * opacityOf(el) }
      layers.push(layer)
      if (layer.a >= 1) return { layers, video: false }
    }
    return { layers, video: false }
  }

  /** The lowest contrast of the text of `el` at (x, y), over what lies beneath. */
  function contrastAt(el, x, y) {
    const { layers, video } = layersAt(x, y, el)
    const bases = video
      ? [
          { r: 0, g: 0, b: 0, a: 1 },
          { r: 255, g: 255, b: 255, a: 1 },
        ]
      : [{ r: 255, g: 255, b: 255, a: 1 }]
    const fg = parse(getComputedStyle(el).color)
    fg.a *= opacityOf(el)
    let worst = Infinity
    for (const base of bases) {
      let bg = base
      for (const layer of [...layers].reverse()) bg = over(layer, bg)
      worst = Math.min(worst, contrast(over(fg, bg), bg))
    }
    return worst
  }

  window.accessProblems = function () {
    const problems = []
    const content = document.querySelector('#content')
    const screen = content.getBoundingClientRect()
    const visible = (el) => {
      const cs = getComputedStyle(el)
      const r = el.getBoundingClientRect()
      return (
        cs.display !== 'none' &&
        cs.visibility !== 'hidden' &&
        r.width > 0 &&
        r.height > 0 &&
        r.right > screen.left &&
        r.left < screen.right &&
        r.bottom > screen.top &&
        r.top < screen.bottom
      )
    }
    const name = (el) => `${el.className.split(' ')[0]} "${el.textContent.trim().slice(0, 24)}"`

    // j-component leaves a reused element's old data-* as "undefined": those say nothing.
    const attr = (el, name) => {
      const value = el.getAttribute(name)
      return value === null || value === 'undefined' ? '' : value
    }
    for (const el of content.querySelectorAll('[data-ck-tap="1"]')) {
      if (!visible(el)) continue
      const r = el.getBoundingClientRect()
      if (r.width < MIN_TARGET - TOL || r.height < MIN_TARGET - TOL) {
        problems.push(`tap target ${r.width.toFixed(1)} × ${r.height.toFixed(1)} pt: ${name(el)}`)
      }
      // A backdrop is no control: it closes what lies on it, which has its own close button.
      if (el.getAttribute('data-ck-aria-hidden') === 'true') continue
      if (!el.getAttribute('data-ck-aria-role'))
        problems.push(`control without a role: ${name(el)}`)
      const label = el.getAttribute('data-ck-aria-label') || el.textContent.trim()
      if (!label) problems.push(`control without a name: ${name(el)}`)
    }

    // Every element in the hit test, backdrops and labels included.
    const style = document.createElement('style')
    style.textContent = '#content * { pointer-events: auto !important; }'
    document.head.appendChild(style)
    try {
      const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT)
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement
        if (!node.textContent.trim() || !visible(el)) continue
        const range = document.createRange()
        range.selectNodeContents(node)
        // What shows of the text: an ellipsis cuts it at its element's box.
        const t = range.getBoundingClientRect()
        const box = el.getBoundingClientRect()
        const r = {
          left: Math.max(t.left, box.left, screen.left),
          right: Math.min(t.right, box.right, screen.right),
          top: Math.max(t.top, box.top, screen.top),
          bottom: Math.min(t.bottom, box.bottom, screen.bottom),
        }
        if (r.right - r.left < 1 || r.bottom - r.top < 1) continue
        const x = (r.left + r.right) / 2
        const y = (r.top + r.bottom) / 2
        const ratio = contrastAt(el, x, y)
        if (ratio < MIN_CONTRAST) problems.push(`contrast ${ratio.toFixed(2)}:1: ${name(el)}`)
      }
    } finally {
      style.remove()
    }
    return problems
  }
})()
