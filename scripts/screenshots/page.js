// Builds the one HTML page the screenshots and the browser layout test load: miniprogram-simulate's
// browser bundle, the built kit (miniprogram_dist) and the scripted SDK as a file map, and the
// scene driver. The kit runs unchanged; only what WeChat itself provides is stood in for.
const fs = require('fs')
const path = require('path')
const ts = require('typescript')

const ROOT = path.resolve(__dirname, '../..')
const DIST = path.join(ROOT, 'miniprogram_dist')

function walk(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) walk(full, out)
    else out.push(full)
  }
  return out
}

/** path inside the page → file text, as miniprogram-simulate's browser build reads files. */
function fileMap() {
  if (!fs.existsSync(path.join(DIST, 'components/conference-room/index.js'))) {
    throw new Error('miniprogram_dist has no components: run `npx gulp build` first')
  }
  const files = {}
  for (const file of walk(DIST)) {
    if (!/\.(js|json|wxml|wxss|svg)$/.test(file)) continue
    files[`kit/${path.relative(DIST, file).split(path.sep).join('/')}`] = fs.readFileSync(
      file,
      'utf8',
    )
  }
  for (const name of ['mobx-miniprogram', 'mobx-miniprogram-bindings']) {
    const main = require.resolve(name, { paths: [ROOT] })
    files[`npm/${name}.js`] = fs
      .readFileSync(main, 'utf8')
      .replace(/\n\/\/# sourceMappingURL=.*$/m, '')
  }
  // The scripted SDK of the component tests, at the emedia-callback level.
  const fake = fs.readFileSync(path.join(ROOT, 'testkit/fake-emedia.ts'), 'utf8')
  files['kit/testkit/fake-emedia.js'] = ts.transpileModule(fake, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 },
  }).outputText
  // The browser build runs a module as Function('require', 'module', code): give it `exports`.
  for (const key of Object.keys(files)) {
    if (key.endsWith('.js')) files[key] = `var exports = module.exports;\n${files[key]}`
  }
  return files
}

/** The page's HTML (self-contained: no network). */
function buildPage() {
  const bundle = fs.readFileSync(
    require.resolve('miniprogram-simulate/build.js', { paths: [ROOT] }),
    'utf8',
  )
  const driver = fs.readFileSync(path.join(__dirname, 'driver.js'), 'utf8')
  const frame = fs.readFileSync(path.join(__dirname, 'frame.css'), 'utf8')
  const json = JSON.stringify(fileMap()).replace(/<\/script/gi, '<\\/script')
  return `<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=750">
<style>${frame}</style></head><body>
<script>window.__FILE_MAP__ = ${json};</script>
<script>${bundle}</script>
<script>${driver}</script>
</body></html>`
}

module.exports = { buildPage, ROOT }
