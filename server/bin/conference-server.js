#!/usr/bin/env node
// The `conference-server` command. It is committed, not built, so that npm links it at the
// first `npm install` of a clone (npm skips a bin whose file does not exist yet, and
// server/dist is built after the install); it runs the built CLI.
'use strict'
const fs = require('fs')
const path = require('path')

const cli = path.join(__dirname, '..', 'dist', 'server', 'cli.js')
if (!fs.existsSync(cli)) {
  console.error(
    `conference-server: ${path.relative(process.cwd(), cli) || cli} is not built yet.\n` +
      'In a clone of the repository, build it first: npm run build (or npm start, which builds and starts).',
  )
  process.exit(1)
}
require(cli)
