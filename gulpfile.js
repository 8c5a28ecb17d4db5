// Build: the mini program kit into miniprogram_dist/ (CommonJS + .d.ts), the server and the Node
// SDK into dist/, and a copy of the kit where the demo resolves it.
const { src, dest, series, parallel } = require('gulp')
const ts = require('gulp-typescript')
const fs = require('fs')

const miniprogramProject = ts.createProject('tsconfig.miniprogram.json')
const nodeProject = ts.createProject('tsconfig.json')

function clean(done) {
  for (const dir of ['miniprogram_dist', 'dist', 'demo/miniprogram_npm']) {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  done()
}

function compileMiniprogram() {
  const result = miniprogramProject.src().pipe(miniprogramProject())
  return new Promise((resolve, reject) => {
    let pending = 2
    const finish = () => --pending === 0 && resolve()
    result.on('error', reject)
    result.js.pipe(dest('miniprogram_dist')).on('finish', finish)
    result.dts.pipe(dest('miniprogram_dist')).on('finish', finish)
  })
}

// WXML, WXSS, JSON and images sit beside each component's index.ts. Binary-safe: gulp 5 needs
// encoding false or it corrupts images.
function copyComponentAssets() {
  return src(['components/**/*.{wxml,wxss,json,png,jpg,svg}'], {
    base: '.',
    encoding: false,
  }).pipe(dest('miniprogram_dist'))
}

function compileNode() {
  const result = src(['server/**/*.ts', 'sdk/**/*.ts', 'types/**/*.d.ts'], { base: '.' }).pipe(
    nodeProject(),
  )
  return new Promise((resolve, reject) => {
    let pending = 2
    const finish = () => --pending === 0 && resolve()
    result.on('error', reject)
    result.js.pipe(dest('dist')).on('finish', finish)
    result.dts.pipe(dest('dist')).on('finish', finish)
  })
}

// The demo resolves the kit and its two runtime dependencies as WeChat DevTools' "build npm" would
// lay them out, so opening demo/ needs no manual step. mobx-miniprogram's production build: its
// main file reads process.env, which a mini program does not have.
const DEMO_NPM = 'demo/miniprogram_npm'
const DEMO_DEPS = {
  'mobx-miniprogram': 'node_modules/mobx-miniprogram/dist/mobx.cjs.production.min.js',
  'mobx-miniprogram-bindings': 'node_modules/mobx-miniprogram-bindings/dist/index.js',
}

function copyToDemo() {
  if (!fs.existsSync('demo')) return Promise.resolve()
  for (const [name, file] of Object.entries(DEMO_DEPS)) {
    fs.mkdirSync(`${DEMO_NPM}/${name}`, { recursive: true })
    fs.copyFileSync(file, `${DEMO_NPM}/${name}/index.js`)
  }
  return src('miniprogram_dist/**/*', { encoding: false }).pipe(
    dest(`${DEMO_NPM}/miniprogram-conference-kit`),
  )
}

const build = series(
  clean,
  parallel(series(compileMiniprogram, copyComponentAssets, copyToDemo), compileNode),
)

exports.clean = clean
exports.build = build
exports.default = build
