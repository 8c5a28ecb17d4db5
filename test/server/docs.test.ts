// Docs that match the code: the options table in docs/server.md is the one the server parses.
import { readFileSync } from 'fs'
import { describeOptions } from '../../server/config'

/** Table cells without the padding and dashes prettier adds. */
const cells = (table: string) =>
  table
    .trim()
    .split('\n')
    .filter((line) => !/^\|[\s:|-]+\|$/.test(line))
    .map((line) => line.split('|').map((c) => c.trim()))

test('docs/server.md lists exactly the options server/config.ts accepts', () => {
  const doc = readFileSync('docs/server.md', 'utf8')
  const table = /<!-- options:start[^>]*-->\n([\s\S]*?)\n<!-- options:end -->/.exec(doc)?.[1]
  expect(cells(table ?? '')).toEqual(cells(describeOptions()))
})
