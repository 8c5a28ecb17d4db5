// Regenerate the options table of docs/server.md from server/config.ts (run after `gulp build`):
// npm run docs:options. test/server/docs.test.ts fails when the two disagree.
const fs = require('fs')
const { describeOptions } = require('../server/dist/server/config')

const file = 'docs/server.md'
const doc = fs.readFileSync(file, 'utf8')
const re = /(<!-- options:start[^>]*-->\n)[\s\S]*?(\n<!-- options:end -->)/
if (!re.test(doc)) throw new Error(`${file}: options markers not found`)
fs.writeFileSync(
  file,
  doc.replace(re, (_, start, end) => start + describeOptions() + end),
)
console.log(`${file}: options table updated`)
