// Regenerate the option tables of docs/server.md from their tables in the server (run after
// `gulp build`): npm run docs:options. test/server/docs.test.ts fails when they disagree.
const fs = require('fs')
const { DOC_TABLES, markedTable } = require('../server/dist/server/doc-tables')

const file = 'docs/server.md'
let doc = fs.readFileSync(file, 'utf8')
for (const { marker, table } of DOC_TABLES) {
  const re = markedTable(marker)
  if (!re.test(doc)) throw new Error(`${file}: markers of ${marker} not found`)
  doc = doc.replace(re, (_, start, _old, end) => start + table() + end)
}
fs.writeFileSync(file, doc)
console.log(`${file}: option tables updated (${DOC_TABLES.map((t) => t.marker).join(', ')})`)
