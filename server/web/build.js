// Bundles the browser pages (TypeScript + the SDK + mpegts.js) with esbuild into
// server/dist/web, which the server serves: nothing is fetched from a CDN at run time.
// Run by `gulp build` (and `node server/web/build.js`).
const esbuild = require('esbuild')
const fs = require('fs')
const path = require('path')

const OUT = path.join(__dirname, '..', 'dist', 'web')
const PAGES = ['participant', 'console']
const STATIC = ['index.html', 'console.html', 'style.css']

async function build() {
  fs.mkdirSync(OUT, { recursive: true })
  await esbuild.build({
    entryPoints: PAGES.filter((p) => fs.existsSync(path.join(__dirname, `${p}.ts`))).map((p) =>
      path.join(__dirname, `${p}.ts`),
    ),
    outdir: OUT,
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'iife',
    target: ['chrome100', 'firefox100', 'safari15'],
    logLevel: 'warning',
  })
  for (const file of STATIC)
    if (fs.existsSync(path.join(__dirname, file)))
      fs.copyFileSync(path.join(__dirname, file), path.join(OUT, file))
}

module.exports = { build }
if (require.main === module)
  build().catch((e) => {
    console.error(e)
    process.exit(1)
  })
