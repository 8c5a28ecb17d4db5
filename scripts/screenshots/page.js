// Builds the one HTML page the screenshots and the browser layout test load: miniprogram-simulate's
// browser bundle, the built kit (miniprogram_dist) and the scripted SDK as a file map, and the
// scene driver. The kit runs unchanged; only what WeChat itself provides is stood in for: rpx as
// WeChat scales it (screen width / 750, read from --rpx, which the frame sets per phone: the
// bundle's own rule is 1 rpx = 1 px), the accessibility attributes and tap bindings, which
// j-component keeps off the DOM, mirrored into data-ck-* attributes for the layout checks, and
// <input>, drawn by a stand-in (driver.js).
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

/** rpx as WeChat scales it: N rpx = N × (screen width / 750) px; --rpx holds the factor. */
const RPX = { pattern: String.raw`(\d*\.?\d+)rpx\b`, css: 'calc($1 * var(--rpx))' }

function rpxToCss(css) {
  return css.replace(new RegExp(RPX.pattern, 'gi'), RPX.css)
}

/** WXML as the page renders it: its aria-* attributes and tap bindings also as data-ck-*
 * attributes (j-component renders data-* into the DOM and nothing else of them), and <input> as
 * the driver's stand-in (j-component takes it for the HTML tag, which WXML's input is not). */
function forThePage(wxml) {
  return wxml
    .replace(/<input\b/g, '<shim-input')
    .replace(
      /\saria-([a-z]+)=("[^"]*")/g,
      (all, name, value) => `${all} data-ck-aria-${name}=${value}`,
    )
    .replace(/\s(?:bind|catch):?tap=("[^"]*")/g, (all) => `${all} data-ck-tap="1"`)
}

/** path inside the page → file text, as miniprogram-simulate's browser build reads files. */
function fileMap() {
  if (!fs.existsSync(path.join(DIST, 'components/conference-room/index.js'))) {
    throw new Error('miniprogram_dist has no components: run `npx gulp build` first')
  }
  const files = {}
  for (const file of walk(DIST)) {
    if (!/\.(js|json|wxml|wxss|svg)$/.test(file)) continue
    let text = fs.readFileSync(file, 'utf8')
    if (file.endsWith('.wxml')) text = forThePage(text)
    files[`kit/${path.relative(DIST, file).split(path.sep).join('/')}`] = text
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
  const simulateRpx = ".replace(/(\\d+)rpx/ig, '$1px')"
  const raw = fs.readFileSync(
    require.resolve('miniprogram-simulate/build.js', { paths: [ROOT] }),
    'utf8',
  )
  // Its two copies of the rule (WXSS, inline styles): rpx in an inline style scales too.
  if (raw.split(simulateRpx).length !== 3) {
    throw new Error('miniprogram-simulate/build.js: its rpx rule changed; update page.js')
  }
  const bundle = raw.split(simulateRpx).join(`.replace(/${RPX.pattern}/ig, '${RPX.css}')`)
  const driver = fs.readFileSync(path.join(__dirname, 'driver.js'), 'utf8')
  const frame = fs.readFileSync(path.join(__dirname, 'frame.css'), 'utf8')
  const json = JSON.stringify(fileMap()).replace(/<\/script/gi, '<\\/script')
  return `<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<style>${frame}</style></head><body>
<script>window.__FILE_MAP__ = ${json};</script>
<script>${bundle}</script>
<script>${driver}</script>
</body></html>`
}

module.exports = { buildPage, rpxToCss, ROOT }
