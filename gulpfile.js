// Build: the mini program kit into miniprogram_dist/ (minified CommonJS + .d.ts), the server
// package and the Node SDK into server/dist/, and a copy of the kit where the demo resolves it.
const { src, dest, series, parallel } = require('gulp')
const ts = require('gulp-typescript')
const { minify } = require('terser')
const fs = require('fs')
const { Transform } = require('stream')

const miniprogramProject = ts.createProject('tsconfig.miniprogram.json')
const nodeProject = ts.createProject('tsconfig.json')
// The server package's output, laid out as its own build (server/tsconfig.json) lays it out.
const SERVER_DIST = 'server/dist'

/** A task that removes `dirs` (each build owns its output). */
function clean(dirs) {
  const task = (done) => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
    done()
  }
  task.displayName = `clean ${dirs.join(' ')}`
  return task
}

/** Compile a stream of TypeScript with `project` into `out`: JavaScript (through `jsStep`, when
 * given) and declarations. */
function emit(stream, project, out, jsStep) {
  const result = stream.pipe(project())
  return new Promise((resolve, reject) => {
    let pending = 2
    const finish = () => --pending === 0 && resolve()
    result.on('error', reject)
    const js = jsStep ? result.js.pipe(jsStep).on('error', reject) : result.js
    js.pipe(dest(out)).on('finish', finish)
    result.dts.pipe(dest(out)).on('finish', finish)
  })
}

// What a module of types only compiles to: WeChat's code analysis counts such a file, required by
// nobody (type imports are erased), as unused code, so it does not ship (its .d.ts does).
const TYPES_ONLY = '"use strict";Object.defineProperty(exports,"__esModule",{value:!0});'

/** Minify the JavaScript of a stream of files with terser; drop modules of types only. */
function minifyJs() {
  return new Transform({
    objectMode: true,
    transform(file, _encoding, done) {
      if (!file.path.endsWith('.js')) return done(null, file)
      minify(file.contents.toString(), { ecma: 2019, module: false, compress: true, mangle: true })
        .then(({ code }) => {
          if (code === TYPES_ONLY) return done()
          file.contents = Buffer.from(code)
          done(null, file)
        })
        .catch(done)
    },
  })
}

function compileMiniprogram() {
  return emit(miniprogramProject.src(), miniprogramProject, 'miniprogram_dist', minifyJs())
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
  const sources = src(
    [
      'server/**/*.ts',
      'sdk/**/*.ts',
      'types/**/*.d.ts',
      '!server/dist/**',
      '!server/web/**',
      '!**/node_modules/**',
    ],
    { base: '.' },
  )
  return emit(sources, nodeProject, SERVER_DIST)
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

// Two independent builds: component tests need only the mini program one, the server only the
// Node one, and neither deletes what the other (or a running server) uses.
const miniprogram = series(
  clean(['miniprogram_dist', DEMO_NPM]),
  compileMiniprogram,
  copyComponentAssets,
  copyToDemo,
)
// The browser pages (server/web): esbuild bundles them into server/dist/web.
function bundleWeb() {
  return require('./server/web/build').build()
}
const node = series(clean([SERVER_DIST]), compileNode, bundleWeb)
const build = parallel(miniprogram, node)

exports.miniprogram = miniprogram
exports.node = node
exports.build = build
exports.default = build
