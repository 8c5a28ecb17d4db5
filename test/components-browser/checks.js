// Runs in the scene page (test/components-browser/layout.test.ts injects it): what a user would
// call broken in the layout, measured on the rendered boxes, never on pixels. Returns one line per
// problem.
/* eslint-disable no-undef */
window.layoutProblems = function () {
  const problems = []
  const content = document.querySelector('#content')
  const screen = content.getBoundingClientRect()
  const TOL = 1
  const all = (sel) => [...content.querySelectorAll(sel)]
  const rect = (el) => el.getBoundingClientRect()
  const intersects = (a, b) =>
    Math.min(a.right, b.right) - Math.max(a.left, b.left) > TOL &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > TOL
  const inside = (a, b) =>
    a.left >= b.left - TOL &&
    a.right <= b.right + TOL &&
    a.top >= b.top - TOL &&
    a.bottom <= b.bottom + TOL
  const shown = (el) => {
    const cs = getComputedStyle(el)
    const r = rect(el)
    return (
      cs.display !== 'none' &&
      cs.visibility !== 'hidden' &&
      r.width > 0 &&
      r.height > 0 &&
      intersects(r, screen)
    )
  }
  /** What of a box a scrolling ancestor shows (null: scrolled out of view). */
  const visibleIn = (box, el) => {
    let top = box.top
    let bottom = box.bottom
    for (let e = el.parentElement; e && e !== content; e = e.parentElement) {
      if (!/auto|scroll/.test(getComputedStyle(e).overflowY)) continue
      const r = rect(e)
      top = Math.max(top, r.top)
      bottom = Math.min(bottom, r.bottom)
    }
    return bottom - top > TOL ? { top, bottom } : null
  }
  const name = (el) => `${el.className.split(' ')[0]} "${el.textContent.trim().slice(0, 24)}"`
  const clipOf = (el) => {
    for (let e = el; e && e !== content; e = e.parentElement) {
      if (getComputedStyle(e).overflowX !== 'visible') return e
    }
    return content
  }

  // 1. Text: one line (but the sentences of the permission card and the sheets), inside the box
  //    that clips it, or
  //    cut with an ellipsis.
  const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT)
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement
    if (!node.textContent.trim() || !shown(el)) continue
    const clip = clipOf(el)
    if (!intersects(rect(clip), screen)) continue // an off-page tile
    const range = document.createRange()
    range.selectNodeContents(node)
    const tops = []
    for (const r of range.getClientRects()) {
      if (r.width > 0 && !tops.some((t) => Math.abs(t - r.top) < 4)) tops.push(r.top)
    }
    if (
      tops.length > 1 &&
      !el.closest('[class*="permission-text"], [class*="sheet-text"], [class*="chat-panel--text"]')
    ) {
      problems.push(`text wraps onto ${tops.length} lines: ${name(el)}`)
    }
    const textBox = range.getBoundingClientRect()
    const clipBox = rect(clip)
    // A list that scrolls (a panel's) hides what lies above or below its box: that is scrolling.
    const scrolls = /auto|scroll/.test(getComputedStyle(clip).overflowY)
    if (scrolls && !intersects(textBox, clipBox)) continue
    const within = scrolls
      ? textBox.left >= clipBox.left - TOL && textBox.right <= clipBox.right + TOL
      : inside(textBox, clipBox)
    if (!within && getComputedStyle(clip).textOverflow !== 'ellipsis') {
      problems.push(`text overflows its box without an ellipsis: ${name(el)}`)
    }
  }

  // 2. Labels and what they hold stay inside their tile.
  for (const cell of all('.member-grid--cell')) {
    if (!shown(cell)) continue
    const box = rect(cell)
    for (const el of cell.querySelectorAll('[class*="-tile--label"], [class*="-tile--label"] *')) {
      if (shown(el) && !inside(rect(el), box)) {
        problems.push(`sticks out of its tile: ${name(el)}`)
      }
    }
  }

  // 3. No two controls or labels overlap (the permission card is a modal: it may).
  const labels = all(
    [
      '.member-grid--pager',
      '.member-grid--empty',
      '.player-tile--label',
      '.pusher-tile--label',
      '.player-tile--quality',
      '.pusher-tile--quality',
      '.conference-room--banner',
      '.conference-room--btn',
    ].join(', '),
  ).filter(shown)
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const [a, b] = [labels[i], labels[j]]
      if (a.contains(b) || b.contains(a)) continue
      if (intersects(rect(a), rect(b))) problems.push(`overlap: ${name(a)} × ${name(b)}`)
    }
  }
  // One status message at a time.
  const status = all('.conference-room--banner, .member-grid--empty').filter(shown)
  if (status.length > 1) problems.push(`${status.length} status messages at once`)

  // 4. The control icons sit on one line.
  const icons = all('.conference-room--icon').filter(shown).map(rect)
  if (icons.length) {
    const spread = (k) => Math.max(...icons.map((r) => r[k])) - Math.min(...icons.map((r) => r[k]))
    if (spread('top') > TOL || spread('bottom') > TOL) {
      problems.push(`control icons not on one line (tops differ by ${spread('top').toFixed(1)}px)`)
    }
  }

  // 5. Every tile on the page lies inside the video area, which the controls do not cover.
  const gridEl = content.querySelector('.member-grid--grid')
  const grid = gridEl && rect(gridEl)
  if (grid) {
    for (const cell of all('.member-grid--cell')) {
      const r = rect(cell)
      if (intersects(r, grid) && !inside(r, grid)) {
        problems.push(`tile outside the video area: ${cell.getAttribute('data-id')}`)
      }
    }
    const controls = content.querySelector('.conference-room--controls')
    if (controls && shown(controls) && rect(controls).top < grid.bottom - TOL) {
      problems.push('the controls cover the video area')
    }

    // 6. The room fills the height the page gives it, the grid the room above the controls,
    //    and the tiles (and pager row) the grid.
    const room = content.querySelector('.conference-room--room')
    if (room && rect(room).bottom < screen.bottom - TOL) {
      problems.push(
        `the room leaves ${Math.round(screen.bottom - rect(room).bottom)}px of the page empty`,
      )
    }
    if (controls && shown(controls) && rect(controls).top - grid.bottom > TOL) {
      problems.push(`gap of ${Math.round(rect(controls).top - grid.bottom)}px above the controls`)
    }
    const filled = all('.member-grid--cell, .member-grid--pager')
      .map(rect)
      .filter((r) => intersects(r, grid))
    if (filled.length) {
      const bottom = Math.max(...filled.map((r) => r.bottom))
      const top = Math.min(...filled.map((r) => r.top))
      const GUTTER = 12
      if (grid.bottom - bottom > GUTTER) {
        problems.push(`the tiles leave ${Math.round(grid.bottom - bottom)}px of the grid empty`)
      }
      if (top - grid.top > GUTTER)
        problems.push(`the tiles start ${Math.round(top - grid.top)}px low`)
    }
  }

  // 7. Nothing to read or tap in the bottom safe-area inset (the home indicator lies over it),
  //    nor a control's caption cut short.
  const inset = safeAreaBottom()
  const zoneTop = window.innerHeight - inset
  const walker2 = document.createTreeWalker(content, NodeFilter.SHOW_TEXT)
  for (let node = walker2.nextNode(); node; node = walker2.nextNode()) {
    const el = node.parentElement
    if (!node.textContent.trim() || !shown(el)) continue
    const range = document.createRange()
    range.selectNodeContents(node)
    const r = visibleIn(range.getBoundingClientRect(), el)
    if (inset && r && r.bottom > zoneTop + TOL && r.top < window.innerHeight) {
      problems.push(`text in the home-indicator area: ${name(el)}`)
    }
    const control = el.closest('[data-ck-tap="1"]')
    if (
      control &&
      !control.closest('.member-grid--cell') &&
      el.scrollWidth > el.clientWidth + TOL
    ) {
      problems.push(`caption cut short: ${name(el)}`)
    }
  }
  for (const el of all('[data-ck-tap="1"]').filter(shown)) {
    const r = visibleIn(rect(el), el)
    if (inset && r && r.bottom > zoneTop + TOL && !el.matches('[class*="mask"]')) {
      problems.push(`control in the home-indicator area: ${name(el)}`)
    }
  }
  return problems
}

/** env(safe-area-inset-bottom) as the browser resolves it (Chromium's emulated inset). */
function safeAreaBottom() {
  const probe = document.createElement('div')
  probe.style.cssText = 'position:fixed;height:env(safe-area-inset-bottom, 0px);visibility:hidden'
  document.body.appendChild(probe)
  const inset = probe.getBoundingClientRect().height
  probe.remove()
  return inset
}
window.safeAreaBottom = safeAreaBottom
