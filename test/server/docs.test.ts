// Docs that match the code: the option tables in docs/server.md are the ones the commands parse
// (the server's, doctor's own and edge-config's), as `npm run docs:options` writes them.
import { readFileSync } from 'fs'
import { DOC_TABLES, markedTable } from '../../server/doc-tables'

/** Table cells without the padding and dashes prettier adds. */
const cells = (table: string) =>
  table
    .trim()
    .split('\n')
    .filter((line) => !/^\|[\s:|-]+\|$/.test(line))
    .map((line) => line.split('|').map((c) => c.trim()))

test.each(DOC_TABLES.map((t) => [t.marker, t.table] as const))(
  'docs/server.md: the %s table lists exactly the options the command accepts',
  (marker, table) => {
    const doc = readFileSync('docs/server.md', 'utf8')
    const found = markedTable(marker).exec(doc)?.[2]
    expect(found).toBeDefined()
    expect(cells(found ?? '')).toEqual(cells(table()))
  },
)
