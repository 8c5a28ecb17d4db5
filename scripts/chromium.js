// Debian's chromium as every browser run here starts it (screenshots, the components' layout
// test, the browser pages' tests): headless, and without the background connections that this
// closed network refuses.
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

const HEADLESS_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

module.exports = { CHROMIUM, HEADLESS_ARGS }
