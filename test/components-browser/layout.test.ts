// The components in a real browser (Debian's chromium through playwright-core): every scene of
// docs/screenshots, rendered on the real store over the scripted SDK, on phones 320, 375, 414
// and 768 pt wide with the safe-area insets Chromium emulates, measured for what a user calls
// broken — text cut without an ellipsis or wrapping, labels under the pager, a banner on two
// lines, control icons out of line, tiles outside the video area, a grid that does not fill its
// height, anything to read or tap under the home indicator (checks.js) — and for what keeps
// someone from using it: tap targets under 44 pt, controls without a role or a name, text under
// 4.5:1 (access.js). Layout, not pixels. And the theme tokens: what a page sets reaches inside
// the components. Needs `npx gulp build` (npm test builds first) and chromium.
import * as fs from 'fs'
import * as path from 'path'

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { openScenes, SHOTS, MATRIX, DEVICES } = require('../../scripts/screenshots/browser')
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { rpxToCss } = require('../../scripts/screenshots/page')

interface Session {
  page: {
    addScriptTag(o: { path: string }): Promise<unknown>
    evaluate<T>(fn: () => T): Promise<T>
    evaluate<T, A>(fn: (arg: A) => T, arg: A): Promise<T>
  }
  render(
    scene: string,
    o: { theme?: string; lang?: string; width?: number; props?: Record<string, unknown> },
  ): Promise<SceneResult>
  pageErrors: Error[]
  close(): Promise<void>
}
interface SceneResult {
  errors: Array<{ code: number; message: string }>
  pubStreams: Array<[string, { voff?: number; aoff?: number }]>
  controls: Array<{ className: string; caption: string }>
}
interface PageGlobals {
  document: {
    querySelector(sel: string): { getBoundingClientRect(): { height: number } } | null
    querySelectorAll(sel: string): Iterable<{ className: string }>
  }
}
interface Shot {
  scene: string
  file: string
  theme: string
  lang: string
  width?: number
}

let session: Session

beforeAll(async () => {
  session = await openScenes()
  await session.page.addScriptTag({ path: path.join(__dirname, 'checks.js') })
  await session.page.addScriptTag({ path: path.join(__dirname, 'styles.js') })
  await session.page.addScriptTag({ path: path.join(__dirname, 'access.js') })
}, 60000)

afterAll(async () => {
  await session?.close()
})

type Checks = { layoutProblems(): string[]; accessProblems(): string[]; safeAreaBottom(): number }
async function problemsOf(shot: Shot): Promise<string[]> {
  await session.render(shot.scene, shot)
  // The inset is Chromium's, as the phone has it: the checks below are not vacuous.
  const inset = await session.page.evaluate(() =>
    (globalThis as unknown as Checks).safeAreaBottom(),
  )
  expect(inset).toBe(DEVICES[shot.width ?? 375].bottom)
  return session.page.evaluate(() => {
    const checks = globalThis as unknown as Checks
    return [...checks.layoutProblems(), ...checks.accessProblems()]
  })
}

describe('every picture lays out cleanly and can be used', () => {
  test.each((SHOTS as Shot[]).map((s) => [s.file, s] as const))('%s', async (_file, shot) => {
    expect(await problemsOf(shot)).toEqual([])
    expect(session.pageErrors).toEqual([])
  })
})

describe('every scene at 320, 375, 414 and 768 pt, in both languages and both themes', () => {
  const name = (s: Shot) => `${s.scene} ${s.width} pt ${s.lang} ${s.theme}`
  test.each((MATRIX as Shot[]).map((s) => [name(s), s] as const))('%s', async (_name, shot) => {
    expect(await problemsOf(shot)).toEqual([])
    expect(session.pageErrors).toEqual([])
  })
})

describe('what the scenes show', () => {
  const render = (scene: string, lang = 'zh') => session.render(scene, { theme: 'dark', lang })
  const control = (r: SceneResult, name: string) =>
    r.controls.find((c) => c.className.split(' ').includes(`conference-room--${name}`))!

  test('audience: no publish attempt, no error; 举手 instead of the mic and the camera', async () => {
    const r = await render('audience')
    expect(r.errors).toEqual([])
    expect(r.pubStreams).toEqual([])
    expect(r.controls.map((c) => c.caption)).toEqual(['举手', '成员 (4)', '聊天', '更多'])
  })

  test('camera refused: audio-only publish, the camera control says so', async () => {
    const r = await render('camera-refused')
    expect(r.pubStreams.map(([, media]) => media)).toEqual([{ voff: 1, aoff: 0 }])
    expect(control(r, 'camera').className).toMatch(/--blocked/)
    expect(control(r, 'camera').caption).toBe('摄像头禁用')
    expect(control(r, 'mic').className).not.toMatch(/--off/)
  })

  test('microphone refused: video without sound, the mic control says so', async () => {
    const r = await render('mic-refused', 'en')
    expect(r.pubStreams.map(([, media]) => media)).toEqual([{ voff: 0, aoff: 1 }])
    expect(control(r, 'mic').caption).toBe('No mic')
  })

  test('one language at a time: lang picks it', async () => {
    expect((await render('grid-4', 'en')).controls.map((c) => c.caption)).toEqual([
      'Mute',
      'Stop video',
      'People (4)',
      'Chat',
      'More',
    ])
    expect((await render('grid-4', 'zh')).controls.map((c) => c.caption)).toEqual([
      '静音',
      '停止视频',
      '成员 (4)',
      '聊天',
      '更多',
    ])
  })

  test('a fixed grid-height is kept (and the layout stays clean)', async () => {
    await session.render('grid-9', { theme: 'dark', lang: 'zh', props: { gridHeight: 900 } })
    const height = await session.page.evaluate(
      // Runs in the page (the Node typings have no DOM).
      (sel: string) =>
        (globalThis as unknown as PageGlobals).document.querySelector(sel)!.getBoundingClientRect()
          .height,
      '.member-grid--grid',
    )
    // 900 rpx on a 375 pt phone.
    expect(height).toBe(450)
    expect(
      await session.page.evaluate(() =>
        (globalThis as unknown as { layoutProblems(): string[] }).layoutProblems(),
      ),
    ).toEqual([])
  })

  /** class names of the elements matching `sel`, in document order. */
  const classesOf = (sel: string) =>
    session.page.evaluate(
      (selector: string) =>
        [...(globalThis as unknown as PageGlobals).document.querySelectorAll(selector)].map(
          (e) => e.className,
        ),
      sel,
    )

  test('network quality: each tile shows the bars its netstatus earns', async () => {
    await render('network-quality')
    expect(await classesOf('[class*="-tile--quality"]')).toEqual([
      'pusher-tile--quality pusher-tile--good',
      'player-tile--quality player-tile--good',
      'player-tile--quality player-tile--fair',
      'player-tile--quality player-tile--poor',
    ])
    // No netstatus yet: no bars.
    await render('grid-4')
    expect(await classesOf('[class*="-tile--quality"]')).toEqual([])
  })

  test('speaking: a ring on the speaker only; muted tiles show the mic-off icon', async () => {
    await render('speaking')
    expect(await classesOf('[class*="-tile--speaking-ring"]')).toHaveLength(1)
    await render('muted')
    expect(await classesOf('.player-tile--mic-off')).toHaveLength(3)
    expect(await classesOf('[class*="-tile--speaking-ring"]')).toEqual([])
  })

  test('sound levels: each name tag lights its own bars; a muted one shows its icon instead', async () => {
    await render('sound-levels')
    // Lit bars of each meter, in document order: me (90), Alice (25), Bob (40), Carol (55).
    const lit = await session.page.evaluate(() =>
      [
        ...(globalThis as unknown as PageGlobals).document.querySelectorAll(
          '.pusher-tile--meter, .player-tile--meter',
        ),
      ].map(
        (meter) =>
          [...(meter as unknown as { children: Iterable<{ className: string }> }).children].filter(
            (bar) => /--lit\b/.test(bar.className),
          ).length,
      ),
    )
    expect(lit).toEqual([4, 1, 2, 3])
    expect(await classesOf('.player-tile--mic-off')).toHaveLength(1)
  })

  test('joining: my preview fills the stage where my tile will be, under the banner', async () => {
    const r = await render('joining')
    expect(r.pubStreams).toEqual([])
    expect(await classesOf('.member-grid--cell')).toEqual(['member-grid--cell member-grid--full'])
    expect(await classesOf('.pusher-tile--tile')).toHaveLength(1)
    expect(await classesOf('.conference-room--joining')).toHaveLength(1)
  })

  test('themes: dark by default, light on request', async () => {
    await render('grid-4')
    expect(await classesOf('.conference-room--theme-dark')).toHaveLength(1)
    await session.render('grid-4', { theme: 'light' })
    expect(await classesOf('.conference-room--theme-light')).toHaveLength(1)
    expect(await classesOf('.conference-room--theme-dark')).toEqual([])
  })
})

describe('theme tokens: what a page sets reaches inside the components', () => {
  // styles.js, in the page (the Node typings have no DOM).
  type Styles = Record<'computed' | 'normal' | 'set' | 'clear', (...args: string[]) => string>
  const inPage = (fn: keyof Styles, ...args: string[]) =>
    session.page.evaluate(
      ([name, ...rest]: string[]) =>
        (globalThis as unknown as { styles: Styles }).styles[name as keyof Styles](...rest),
      [fn, ...args],
    )
  const computed = (sel: string, prop: string) => inPage('computed', sel, prop)
  const normal = (prop: string, value: string) => inPage('normal', prop, value)
  const setPageCss = (css: string) => inPage('set', css)
  const clear = () => inPage('clear')
  afterEach(clear)

  const LEAVE = '.conference-room--leave-text'
  const CONTROLS = '.conference-room--controls'
  /** Where each variable of the README's example shows: scene, element, property. */
  const PROBES: Record<string, [string, string, string]> = {
    '--ck-color-brand': ['camera-refused', '.conference-room--primary', 'background-color'],
    '--ck-color-danger': ['grid-4', LEAVE, 'background-color'],
    '--ck-radius-sm': ['grid-4', '.player-tile--tile', 'border-top-left-radius'],
    '--ck-tile-label-bg': ['grid-4', '.player-tile--label', 'background-color'],
  }

  test("the README's example (app.wxss) restyles what each of its variables names", async () => {
    const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8')
    const snippet = /```css\n([\s\S]*?)```/.exec(readme.split('\n## English\n')[1])![1]
    // As WeChat's compiler scales rpx (the page's --rpx: screen width / 750).
    const css = rpxToCss(snippet.replace(/\bpage\b/, '#content'))
    const declared = [...css.matchAll(/(--ck-[\w-]+)\s*:\s*([^;]+);/g)].map((m) => [m[1], m[2]])
    expect(declared.map(([name]) => name).sort()).toEqual(Object.keys(PROBES).sort())
    for (const [name, value] of declared) {
      const [scene, sel, prop] = PROBES[name]
      await session.render(scene, { theme: 'dark', lang: 'en' })
      const before = await computed(sel, prop)
      await setPageCss(css)
      const after = await computed(sel, prop)
      await clear()
      expect([name, after]).toEqual([name, await normal(prop, value)])
      expect([name, before]).not.toEqual([name, after])
    }
  })

  test('a component variable wins over the token it defaults to; the token still reaches the rest', async () => {
    await setPageCss(
      '#content { --ck-color-danger: rgb(1, 2, 3); --ck-conference-room-leave-bg: rgb(4, 5, 6); }',
    )
    await session.render('network-quality', { theme: 'dark' })
    expect(await computed(LEAVE, 'background-color')).toBe('rgb(4, 5, 6)')
    expect(await computed('.player-tile--poor .player-tile--bar', 'background-color')).toBe(
      'rgb(1, 2, 3)',
    )
  })

  test('themes: the bar tokens take the light values, a page token overrides either, the theme reaches nested components', async () => {
    await session.render('grid-4', { theme: 'dark' })
    expect(await computed(CONTROLS, 'background-color')).toBe('rgb(17, 17, 17)')
    await session.render('grid-4', { theme: 'light' })
    expect(await computed(CONTROLS, 'background-color')).toBe('rgb(255, 255, 255)')
    // A tile inside the light room resolves the bar tokens as the room does.
    const barBg = (sel: string) => computed(sel, '--_ck-bar-bg')
    expect(await barBg('.player-tile--tile')).toBe(await barBg('.conference-room--room'))

    // The light bar is a light surface: it follows --ck-bg-color-container; the dark one does not.
    await setPageCss('#content { --ck-bg-color-container: rgb(7, 8, 9); }')
    await session.render('grid-4', { theme: 'light' })
    expect(await computed(CONTROLS, 'background-color')).toBe('rgb(7, 8, 9)')
    await session.render('grid-4', { theme: 'dark' })
    expect(await computed(CONTROLS, 'background-color')).toBe('rgb(17, 17, 17)')
    await clear()
    await setPageCss('#content { --ck-bar-bg: rgb(10, 11, 12); }')
    for (const theme of ['dark', 'light']) {
      await session.render('grid-4', { theme })
      expect([theme, await computed(CONTROLS, 'background-color')]).toEqual([
        theme,
        'rgb(10, 11, 12)',
      ])
    }
  })
})
