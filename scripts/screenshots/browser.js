// Opens the scene page in Debian's chromium (playwright-core; no browser download) at a phone's
// size, for `npm run screenshots` and test/components-browser/layout.test.ts. Each phone's safe-area insets
// are Chromium's own emulation (CDP Emulation.setSafeAreaInsetsOverride), which is what
// env(safe-area-inset-*) reads: nothing in the page stands in for them.
const { chromium } = require('playwright-core')
const { buildPage } = require('./page')

const { CHROMIUM, HEADLESS_ARGS } = require('../chromium')

/** The screens drawn on, in pt, with their safe-area insets: the narrowest phone WeChat runs on
 * with a home indicator (iPhone 12/13 mini, display zoom), the usual one (iPhone X–13 mini), a
 * large one (iPhone 11 / XR) and a tablet (iPad, 768 pt). */
const DEVICES = {
  320: { width: 320, height: 693, top: 44, bottom: 34 },
  375: { width: 375, height: 812, top: 44, bottom: 34 },
  414: { width: 414, height: 896, top: 44, bottom: 34 },
  768: { width: 768, height: 1024, top: 24, bottom: 20 },
}
const WIDTHS = Object.keys(DEVICES).map(Number)

/** The meeting's panels and prompts and the screen before the call: in both scene lists below. */
const MEETING_SCREENS = [
  'member-panel',
  'chat-panel',
  'muted-by-host',
  'speak-invitation',
  'locked',
  'pre-join',
  'join-screen',
]
/** Every picture: scene, file name, theme, language (on the 375 pt phone unless `width`). */
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
  'sound-levels',
  'long-names',
  'cjk-names',
  'camera-refused',
  'mic-refused',
  'joining',
  'reconnecting',
  'audience',
  'network-quality',
  'room-info',
  'leave',
  'leave-host',
  'more',
  'grid-12-page-2',
  'tile-sheet',
  ...MEETING_SCREENS,
]
const SHOTS = [
  ...SCENES.map((scene) => ({ scene, file: scene, theme: 'dark', lang: 'zh' })),
  { scene: 'grid-4', file: 'grid-4-light', theme: 'light', lang: 'zh' },
  { scene: 'camera-refused', file: 'camera-refused-light', theme: 'light', lang: 'zh' },
  { scene: 'grid-4', file: 'grid-4-en', theme: 'dark', lang: 'en' },
  { scene: 'reconnecting', file: 'reconnecting-en', theme: 'dark', lang: 'en' },
  { scene: 'room-info', file: 'room-info-light', theme: 'light', lang: 'zh' },
  { scene: 'more', file: 'more-en', theme: 'dark', lang: 'en' },
  { scene: 'more', file: 'more-light', theme: 'light', lang: 'zh' },
  { scene: 'sound-levels', file: 'sound-levels-en-light', theme: 'light', lang: 'en' },
  { scene: 'joining', file: 'joining-en-light', theme: 'light', lang: 'en' },
  { scene: 'tile-sheet', file: 'tile-sheet-en-light', theme: 'light', lang: 'en' },
  { scene: 'leave-host', file: 'leave-host-en-light', theme: 'light', lang: 'en' },
  { scene: 'join-screen', file: 'join-screen-en-light', theme: 'light', lang: 'en' },
  { scene: 'member-panel', file: 'member-panel-en-light', theme: 'light', lang: 'en' },
  { scene: 'chat-panel', file: 'chat-panel-en', theme: 'dark', lang: 'en' },
  { scene: 'muted-by-host', file: 'muted-by-host-en-light', theme: 'light', lang: 'en' },
  { scene: 'locked', file: 'locked-en', theme: 'dark', lang: 'en' },
  { scene: 'grid-4', file: 'grid-4@320', theme: 'dark', lang: 'en', width: 320 },
  { scene: 'grid-12', file: 'grid-12@414', theme: 'dark', lang: 'zh', width: 414 },
  { scene: 'grid-4', file: 'grid-4@768', theme: 'light', lang: 'zh', width: 768 },
]

/** What the layout test checks besides the pictures: every scene on every phone (zh, dark), and
 * the scenes of the room's own screens in both languages and both themes on every phone: the top
 * bar and the control bar (grid-4, audience), my camera while joining, the reconnecting banner,
 * the name tags' meters, the network bars (mine in the top bar, the tiles'), every sheet (room
 * info, leaving as a member and as the host, 更多, a tile's), the panels, the prompts and the
 * screens before the call. */
const BOTH_WAYS = [
  'grid-4',
  'camera-refused',
  'audience',
  'joining',
  'reconnecting',
  'sound-levels',
  'network-quality',
  'room-info',
  'leave',
  'leave-host',
  'more',
  'tile-sheet',
  ...MEETING_SCREENS,
]
const MATRIX = [
  ...WIDTHS.flatMap((width) =>
    SCENES.map((scene) => ({ scene, file: `${scene}@${width}`, theme: 'dark', lang: 'zh', width })),
  ),
  ...WIDTHS.flatMap((width) =>
    BOTH_WAYS.flatMap((scene) =>
      ['zh', 'en'].flatMap((lang) =>
        ['dark', 'light']
          .filter((theme) => lang === 'en' || theme === 'light')
          .map((theme) => ({
            scene,
            file: `${scene}-${lang}-${theme}@${width}`,
            theme,
            lang,
            width,
          })),
      ),
    ),
  ),
]

async function openScenes() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: HEADLESS_ARGS,
  })
  const page = await browser.newPage({
    viewport: { width: 375, height: 812 },
    deviceScaleFactor: 2,
  })
  const cdp = await page.context().newCDPSession(page)
  const pageErrors = []
  page.on('pageerror', (err) => pageErrors.push(err))
  await page.setContent(buildPage(), { waitUntil: 'load' })
  if (pageErrors.length) throw pageErrors[0]
  let current = null
  /** The viewport and the safe-area insets of a phone. */
  async function useDevice(device) {
    if (current === device) return
    await page.setViewportSize({ width: device.width, height: device.height })
    await cdp.send('Emulation.setSafeAreaInsetsOverride', {
      insets: { top: device.top, bottom: device.bottom, left: 0, right: 0 },
    })
    current = device
  }
  return {
    page,
    pageErrors,
    /** Renders a scene (on the phone `opts.width` pt wide, 375 by default); resolves with the
     * room's `error` events, its `pubStream` calls and its controls. */
    async render(scene, opts = {}) {
      const device = DEVICES[opts.width || 375]
      if (!device) throw new Error(`no phone ${opts.width} pt wide`)
      await useDevice(device)
      const result = await page.evaluate(
        ([name, o]) => window.renderScene(name, o),
        [scene, { theme: opts.theme, lang: opts.lang, props: opts.props, device }],
      )
      // Fonts and images (SVG icons) settle before a picture or a measurement.
      await page.evaluate(() => document.fonts.ready)
      await page.waitForFunction(() => [...document.images].every((img) => img.complete))
      return result
    },
    close: () => browser.close(),
  }
}

module.exports = { openScenes, DEVICES, WIDTHS, SCENES, SHOTS, MATRIX }
