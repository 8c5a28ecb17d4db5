// Runs in the scene page (test/components-browser/layout.test.ts injects it): CSS as a page sets it, and
// styles as the browser computes them, for the theme tokens' checks.
/* eslint-disable no-undef */
window.styles = {
  /** The computed `prop` of the first element matching `sel` (custom properties too). */
  computed(sel, prop) {
    return getComputedStyle(document.querySelector(sel)).getPropertyValue(prop).trim()
  },
  /** `value` of `prop` in the browser's own form (what `computed` would read back). */
  normal(prop, value) {
    const el = document.createElement('div')
    el.style.setProperty(prop, value)
    document.body.appendChild(el)
    const out = getComputedStyle(el).getPropertyValue(prop).trim()
    el.remove()
    return out
  },
  /** Adds CSS to the page (the phone's content stands for WeChat's `page`) until `clear()`. */
  set(css) {
    const style = document.createElement('style')
    style.className = 'page-theme'
    style.textContent = css
    document.head.appendChild(style)
  },
  clear() {
    for (const el of document.querySelectorAll('style.page-theme')) el.remove()
  },
}
