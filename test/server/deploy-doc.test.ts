// docs/deploy.md in Chinese and in English says the same: the same code blocks (their comments
// aside, which are in each section's language), the same inline code (every command, flag, path
// and name the text mentions), the same figures, the same tables and headings. And the systemd
// unit runs the server with the flags of the Run command.
import { codeBlocks, prose, readDoc, section, theBlock } from '../../testkit/doc-blocks'

const doc = readDoc('docs/deploy.md')
const zh = section(doc, '## 中文')
const en = section(doc, '## English')

/** A block's code without comments (`# …` at a line's start or after a space), blank lines dropped. */
const uncommented = (code: string) =>
  code
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trimEnd())
    .filter(Boolean)
    .join('\n')

const inlineCode = (md: string) =>
  [...new Set([...prose(md).matchAll(/`([^`\n]+)`/g)].map((m) => m[1]))].sort()

/** Numbers in the prose, inline code taken out (it is compared above). */
const figures = (md: string) =>
  [
    ...new Set(
      prose(md)
        .replace(/`[^`\n]+`/g, ' ')
        .match(/\d+(?:\.\d+)?/g),
    ),
  ].sort()

const tableRows = (md: string) => prose(md).match(/^\|.*\|$/gm)?.length ?? 0
/** The levels of the headings, in order (their words are each section's own). */
const headings = (md: string) => (prose(md).match(/^#{3,} /gm) ?? []).map((h) => h.trim())

test('both sections have the same code blocks, comments aside', () => {
  const strip = (md: string) => codeBlocks(md).map((b) => ({ ...b, code: uncommented(b.code) }))
  expect(codeBlocks(en).length).toBeGreaterThan(10)
  expect(strip(zh)).toEqual(strip(en))
})

test('both sections mention the same inline code', () => {
  expect(inlineCode(en).length).toBeGreaterThan(100)
  expect(inlineCode(zh)).toEqual(inlineCode(en))
})

test('both sections give the same figures, in tables and headings alike', () => {
  expect(figures(en)).toContain('97')
  expect(figures(zh)).toEqual(figures(en))
  expect(tableRows(zh)).toBe(tableRows(en))
  expect(headings(zh)).toEqual(headings(en))
})

test('the systemd unit runs the server with the flags of the Run command', () => {
  const flags = (s: string) => s.split(/\s+/).filter((w) => w && w !== '\\')
  const run = theBlock(
    en,
    'the Run command',
    (b) =>
      b.lang === 'sh' &&
      b.code.includes('--public-url https://conf.') &&
      !b.code.includes(' doctor '),
  )
  const runFlags = flags(run.code.slice(run.code.indexOf('--engine')))
  const unit = /^ExecStart=\S+ \S+ (.*)$/m.exec(doc)?.[1] ?? ''
  expect(flags(unit)).toEqual(runFlags)
  expect(runFlags).toEqual(expect.arrayContaining(['--public-url', '--trust-proxy']))
})
