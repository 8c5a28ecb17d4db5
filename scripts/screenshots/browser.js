// Opens the scene page in Debian's chromium (playwright-core; no browser download) at the phone's
// size, for `npm run screenshots` and test/components-browser/layout.test.ts.
const { chromium } = require('playwright-core')
const { buildPage } = require('./page')

const { CHROMIUM, HEADLESS_ARGS } = require('../chromium')

/** Every picture: scene, file name, theme, language. */
const SCENES = [
  'grid-1',
  'grid-2',
  'grid-4',
  'grid-5',
  'grid-9',
  'grid-12',
  '1v1',
  'speaker-7',
  'camera-off',
  'muted',
  'camera-off-muted',
  'speaking',
  'long-names',
  'cjk-names',
  'camera-refused',
  'mic-refused',
  'joining',
  'reconnecting',
  'audience',
  'network-quality',
]
const SHOTS = [
  ...SCENES.map((scene) => ({ scene, file: scene, theme: 'dark', lang: 'zh' })),
  { scene: 'grid-4', file: 'grid-4-light', theme: 'light', lang: 'zh' },
  { scene: 'camera-refused', file: 'camera-refused-light', theme: 'light', lang: 'zh' },
  { scene: 'grid-4', file: 'grid-4-en', theme: 'dark', lang: 'en' },
  { scene: 'reconnecting', file: 'reconnecting-en', theme: 'dark', lang: 'en' },
]

async function openScenes() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: HEADLESS_ARGS,
  })
  const page = await browser.newPage({
    viewport: { width: 750, height: 1624 },
    deviceScaleFactor: 1,
  })
  const pageErrors = []
  page.on('pageerror', (err) => pageErrors.push(err))
  await page.setContent(buildPage(), { waitUntil: 'load' })
  if (pageErrors.length) throw pageErrors[0]
  return {
    page,
    pageErrors,
    /** Renders a scene; resolves with the room's `error` events. */
    async render(scene, opts = {}) {
      const result = await page.evaluate(
        ([name, o]) => window.renderScene(name, o),
        [scene, { theme: opts.theme, lang: opts.lang, props: opts.props }],
      )
      // Fonts and images (SVG icons) settle before a picture or a measurement.
      await page.evaluate(() => document.fonts.ready)
      await page.waitForFunction(() => [...document.images].every((img) => img.complete))
      return result
    },
    close: () => browser.close(),
  }
}

module.exports = { openScenes, SCENES, SHOTS }
