// The theme's two layers, read from the WXSS and from the docs' tables so that neither drifts:
// the global tokens (components/common/tokens.wxss, each read once with its default into a private
// --_ck-* name), the components' variables (each defaulting to a token or to one literal), and the
// tables of the README (Chinese and English) and of each component's README. The browser checks
// that the cascade works (test/components-browser/layout.test.ts, "theme tokens").
import * as fs from 'fs'
import * as path from 'path'

const ROOT = path.resolve(__dirname, '../..')
const COMPONENTS = path.join(ROOT, 'components')
const TOKENS_FILE = path.join(COMPONENTS, 'common/tokens.wxss')
const NAMES = [
  'conference-room',
  'member-grid',
  'pusher-tile',
  'player-tile',
  'pre-join',
  'privacy-sheet',
]
/** The prefixes of each component's variables: its own, and those of the stylesheets it shares
 * (the tiles' one, the sheets'). */
const PREFIX: Record<string, string[]> = {
  'conference-room': ['--ck-conference-room-', '--ck-sheet-'],
  'member-grid': ['--ck-member-grid-'],
  'pusher-tile': ['--ck-tile-'],
  'player-tile': ['--ck-tile-'],
  'pre-join': ['--ck-pre-join-', '--ck-sheet-', '--ck-tile-'],
  'privacy-sheet': ['--ck-sheet-'],
}

const read = (file: string) => fs.readFileSync(file, 'utf8')
const uncomment = (css: string) => css.replace(/\/\*[\s\S]*?\*\//g, '')
/** A value as the docs and the WXSS may both write it (spaces aside). */
const norm = (value: string) => value.replace(/\s+/g, '')
/** `var(--_ck-x)` → `--ck-x` (how the docs name a token); a literal stays. */
const tokenOrLiteral = (value: string) => value.replace(/^var\(--_ck-([\w-]+)\)$/, '--ck-$1')

/** The declarations of the rule whose selector is exactly `selector`. */
function declarations(css: string, selector: string): Array<[string, string]> {
  const rule = [...css.matchAll(/([^{}]+)\{([^{}]*)\}/g)].find((m) => m[1].trim() === selector)
  if (!rule) throw new Error(`no rule ${selector}`)
  return rule[2]
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => {
      const colon = d.indexOf(':')
      // As prettier may break a long value: one line, no space inside the parentheses.
      const value = d
        .slice(colon + 1)
        .replace(/\s+/g, ' ')
        .replace(/\(\s/g, '(')
        .replace(/\s\)/g, ')')
      return [d.slice(0, colon).trim(), value.trim()]
    })
}

interface Token {
  name: string
  dark: string
  light: string
}

/** The global tokens, as tokens.wxss declares them. */
function tokens(): Token[] {
  const css = uncomment(read(TOKENS_FILE))
  const light = new Map(declarations(css, '.theme-light'))
  return declarations(css, '.ck-root').map(([prop, value]) => {
    const m = /^--_ck-([\w-]+)$/.exec(prop)
    const name = `--ck-${m?.[1]}`
    const read = new RegExp(`^var\\(${name}, (?:var\\(--_ck-light-${m?.[1]}, (.+)\\)|(.+))\\)$`)
    const v = read.exec(value)
    if (!m || !v) throw new Error(`tokens.wxss: not "--_ck-<name>: var(--ck-<name>, …)": ${prop}`)
    const themed = v[1] !== undefined
    const lightValue = light.get(`--_ck-light-${m[1]}`)
    if (themed !== (lightValue !== undefined))
      throw new Error(`${name}: light value and read differ`)
    return { name, dark: themed ? v[1] : v[2], light: lightValue ? tokenOrLiteral(lightValue) : '' }
  })
}

/** A stylesheet with its @imports inlined, tokens.wxss left out (it declares no variable of a
 * component). */
function stylesheet(file: string): string {
  return uncomment(read(file)).replace(/@import\s+'([^']+)';/g, (_all, rel: string) => {
    const imported = path.resolve(path.dirname(file), rel)
    return imported === TOKENS_FILE ? '' : stylesheet(imported)
  })
}

const componentCss = (name: string) => stylesheet(path.join(COMPONENTS, name, 'index.wxss'))

/** Every use of a public variable in a component's WXSS: [variable, default]. */
function variableUses(css: string): Array<[string, string]> {
  const uses: Array<[string, string]> = []
  for (const m of css.matchAll(
    /var\((--ck-[\w-]+)\s*(?:,\s*(var\([^()]*\)|[^()]*(?:\([^()]*\))?))?\)/g,
  )) {
    uses.push([m[1], tokenOrLiteral((m[2] ?? '').trim())])
  }
  return uses
}

/** A component's variables and their defaults. */
function componentVariables(name: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const [variable, fallback] of variableUses(componentCss(name))) {
    if (out.has(variable) && out.get(variable) !== fallback) {
      throw new Error(`${name}: ${variable} defaults to ${out.get(variable)} and to ${fallback}`)
    }
    out.set(variable, fallback)
  }
  return out
}

/** The rows of a doc's tables whose first cell is a `--ck-…` variable: [name, …cells]. */
function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => /^\|\s*`--ck-/.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim().replace(/^`(.*)`$/, '$1')),
    )
}

const README = read(path.join(ROOT, 'README.md'))
const [README_ZH, README_EN] = README.split('\n## English\n')

describe('global tokens (components/common/tokens.wxss)', () => {
  const all = tokens()
  const names = all.map((t) => t.name)
  const used = NAMES.map(componentCss).join('\n') + uncomment(read(TOKENS_FILE))

  test('brand, status colours, text, backgrounds, bars, radius, spacing and font sizes', () => {
    for (const group of [
      'color',
      'text-color',
      'bg-color',
      'bar',
      'radius',
      'spacing',
      'font-size',
    ]) {
      expect([group, names.some((n) => n.startsWith(`--ck-${group}-`))]).toEqual([group, true])
    }
    for (const status of ['brand', 'success', 'warning', 'danger']) {
      expect(names).toContain(`--ck-color-${status}`)
    }
    expect(new Set(names).size).toBe(names.length)
  })

  test('a light theme: the surfaces, their text, the stage and the bars have a light value', () => {
    const themed = all.filter((t) => t.light).map((t) => t.name)
    expect(themed).toEqual([
      '--ck-text-color-primary',
      '--ck-text-color-regular',
      '--ck-text-color-secondary',
      '--ck-border-color',
      '--ck-bg-color-video',
      '--ck-bg-color-container',
      '--ck-bar-bg',
      '--ck-bar-text-color',
    ])
    // A light value naming a token names one that exists.
    for (const t of all.filter((t) => t.light.startsWith('--'))) expect(names).toContain(t.light)
  })

  test('every token is used, and every private name used is a token', () => {
    for (const name of names) {
      expect([name, used.includes(`var(${name.replace('--ck-', '--_ck-')})`)]).toEqual([name, true])
    }
    for (const name of NAMES) {
      for (const [, token] of componentCss(name).matchAll(/var\((--_ck-[\w-]+)/g)) {
        expect(names).toContain(token.replace('--_ck-', '--ck-'))
      }
    }
  })
})

describe("the components' variables", () => {
  const all = tokens()
  const tokenDefaults = new Set(
    all
      .flatMap((t) => [t.dark, t.light])
      .filter(Boolean)
      .map(norm),
  )

  test.each(NAMES)(
    '%s: named for it, each with one default: a token, or a literal no token has',
    (name) => {
      const vars = componentVariables(name)
      expect(vars.size).toBeGreaterThan(0)
      for (const [variable, fallback] of vars) {
        const named = PREFIX[name].some((prefix) => variable.startsWith(prefix))
        expect([variable, named]).toEqual([variable, true])
        expect([variable, fallback]).not.toEqual([variable, ''])
        if (fallback.startsWith('--')) expect(all.map((t) => t.name)).toContain(fallback)
        else expect([variable, tokenDefaults.has(norm(fallback))]).toEqual([variable, false])
      }
    },
  )

  test.each(NAMES)('%s: no colour written in its WXSS that a token holds', (name) => {
    const literalDefaults = new Set([...componentVariables(name).values()].map(norm))
    const written = [...componentCss(name).matchAll(/([\w-]+)\s*:([^;{}]+)/g)]
      // A shadow is no surface: its colour is not themed.
      .filter(([, prop]) => prop !== 'box-shadow')
      .flatMap(([, , value]) => [...value.matchAll(/#[0-9a-f]{3,8}\b|rgba?\([^()]*\)/gi)])
      .map(([colour]) => colour)
      .filter((colour) => !literalDefaults.has(norm(colour)))
    expect(written.length).toBeGreaterThan(0)
    expect(written.filter((colour) => tokenDefaults.has(norm(colour)))).toEqual([])
  })
})

describe('the docs tables match the WXSS', () => {
  const expected = tokens().map((t) => [t.name, norm(t.dark), t.light])

  test.each([
    ['README.md (中文)', README_ZH],
    ['README.md (English)', README_EN],
  ])('%s: the global tokens', (_doc, text) => {
    const rows = tableRows(text).filter((r) => r.length === 4)
    expect(rows.map(([name, dark, light]) => [name, norm(dark), light])).toEqual(expected)
  })

  test.each(NAMES)('components/%s/README.md: its variables', (name) => {
    const rows = tableRows(read(path.join(COMPONENTS, name, 'README.md')))
    const documented = new Map(rows.map(([variable, fallback]) => [variable, norm(fallback)]))
    const actual = new Map(
      [...componentVariables(name)].map(([variable, fallback]) => [variable, norm(fallback)]),
    )
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(actual))
  })

  test('the READMEs set only variables that exist', () => {
    const known = new Set([
      ...tokens().map((t) => t.name),
      ...NAMES.flatMap((n) => [...componentVariables(n).keys()]),
    ])
    const docs = [README, ...NAMES.map((n) => read(path.join(COMPONENTS, n, 'README.md')))]
    const set = docs.flatMap((doc) =>
      [...doc.matchAll(/```css\n([\s\S]*?)```/g)].flatMap(([, css]) =>
        [...css.matchAll(/(--ck-[\w-]+)\s*:/g)].map((m) => m[1]),
      ),
    )
    expect(set.length).toBeGreaterThan(0)
    expect(set.filter((v) => !known.has(v))).toEqual([])
  })
})
