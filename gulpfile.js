// Build: the mini program kit into miniprogram_dist/ (minified CommonJS + .d.ts), the server
// package and the Node SDK into server/dist/, and a copy of the kit where the demo resolves it.
const { src, dest, series, parallel } = require('gulp')
const ts = require('gulp-typescript')
const { minify } = require('terser')
const esbuild = require('esbuild')
const fs = require('fs')
const path = require('path')
const { Transform } = require('stream')

const miniprogramProject = ts.createProject('tsconfig.miniprogram.json')
const nodeProject = ts.createProject('tsconfig.json')
const protocolProject = ts.createProject('protocol/tsconfig.json', { noEmit: false })
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

// The wire contract is its own workspace package (protocol/), imported by name. Neither shipped
// package depends on it at run time: each build puts a copy beside the rest and points every
// import of the name at it, so the kit keeps WeChat's rules (no npm package beyond the two mobx
// ones, relative paths to files) and the server's tarball needs nothing unpublished. The server
// gets the compiled files (dist/protocol/src/); the kit gets one bundled module
// (miniprogram_dist/protocol.js, smaller than a module per file) and the files' declarations.
const PROTOCOL = 'miniprogram-conference-protocol'
const PROTOCOL_ENTRY = 'protocol/src/index'
const PROTOCOL_IMPORT = new RegExp(`(require\\(|from |import\\()(['"])${PROTOCOL}\\2`, 'g')

/** Rewrite imports of the protocol package in emitted files to the relative path of `target`. */
function inlineProtocol(target) {
  return new Transform({
    objectMode: true,
    transform(file, _encoding, done) {
      const text = file.contents.toString()
      if (!text.includes(PROTOCOL)) return done(null, file)
      let to = path.relative(path.dirname(file.relative), target).split(path.sep).join('/')
      if (!to.startsWith('.')) to = `./${to}`
      file.contents = Buffer.from(text.replace(PROTOCOL_IMPORT, (_m, head, q) => head + q + to + q))
      done(null, file)
    },
  })
}

/** Drop the protocol's own compiled JavaScript (the kit ships the bundle instead). */
function withoutProtocolJs() {
  return new Transform({
    objectMode: true,
    transform(file, _encoding, done) {
      const own = file.relative.split(path.sep).join('/').startsWith('protocol/')
      done(null, own && file.path.endsWith('.js') ? undefined : file)
    },
  })
}

/** Compile a stream of TypeScript with `project` into `out`: JavaScript (through `jsSteps`, in
 * turn) and declarations, with the protocol package's imports pointed at `targets.js` and
 * `targets.dts`. */
function emit(stream, project, out, targets, jsSteps = []) {
  const result = stream.pipe(project())
  return new Promise((resolve, reject) => {
    let pending = 2
    const finish = () => --pending === 0 && resolve()
    result.on('error', reject)
    let js = result.js.pipe(inlineProtocol(targets.js)).on('error', reject)
    for (const step of jsSteps) js = js.pipe(step).on('error', reject)
    js.pipe(dest(out)).on('finish', finish)
    result.dts.pipe(inlineProtocol(targets.dts)).pipe(dest(out)).on('finish', finish)
  })
}

const NODE_TARGETS = { js: PROTOCOL_ENTRY, dts: PROTOCOL_ENTRY }

// What a module of types only compiles to: WeChat's code analysis counts such a file, required by
// nobody (type imports are erased), as unused code, so it does not ship (its .d.ts does).
const TYPES_ONLY = '"use strict";Object.defineProperty(exports,"__esModule",{value:!0});'

/** Minify the JavaScript of a stream of files with terser; drop modules of types only. */
function minifyJs() {
  return new Transform({
    objectMode: true,
    transform(file, _encoding, done) {
      if (!file.path.endsWith('.js')) return done(null, file)
      minify(file.contents.toString(), {
        ecma: 2019,
        module: false,
        // A module's top-level names are its own: WeChat runs each file in a function of its own.
        toplevel: true,
        compress: true,
        mangle: true,
      })
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
  return emit(
    miniprogramProject.src(),
    miniprogramProject,
    'miniprogram_dist',
    { js: 'protocol', dts: PROTOCOL_ENTRY },
    [withoutProtocolJs(), minifyJs()],
  )
}

async function bundleProtocol() {
  await esbuild.build({
    entryPoints: [`${PROTOCOL_ENTRY}.ts`],
    outfile: 'miniprogram_dist/protocol.js',
    bundle: true,
    format: 'cjs',
    platform: 'neutral',
    target: 'es2019',
    minify: true,
    logLevel: 'warning',
  })
  fs.writeFileSync('miniprogram_dist/protocol.d.ts', `export * from './${PROTOCOL_ENTRY}'\n`)
}

// Markup ships minified, as the JavaScript does. WXSS through esbuild's CSS minifier, for
// browsers as old as WeChat's oldest webviews (colours stay rgba(), never #rrggbbaa), with
// `@import "…"` keeping its space (miniprogram-simulate, under the component tests and the
// screenshots, follows no other form). WXML loses its comments only: its whitespace can be text.
const WXSS_TARGETS = ['chrome53', 'ios9']

async function minifyMarkup(file) {
  const text = file.contents.toString()
  if (file.path.endsWith('.wxml')) return text.replace(/<!--[\s\S]*?-->\s*/g, '')
  const { code } = await esbuild.transform(text, {
    loader: 'css',
    minify: true,
    target: WXSS_TARGETS,
  })
  return code.replace(/@import\s*(["'])/g, '@import $1')
}

function minifyMarkupStep() {
  return new Transform({
    objectMode: true,
    transform(file, _encoding, done) {
      if (!/\.(wxss|wxml)$/.test(file.path)) return done(null, file)
      minifyMarkup(file)
        .then((text) => {
          file.contents = Buffer.from(text)
          done(null, file)
        })
        .catch(done)
    },
  })
}

// WXML, WXSS, JSON and images sit beside each component's index.ts. Binary-safe: gulp 5 needs
// encoding false or it corrupts images.
function copyComponentAssets() {
  return src(['components/**/*.{wxml,wxss,json,png,jpg,svg}'], {
    base: '.',
    encoding: false,
  })
    .pipe(minifyMarkupStep())
    .pipe(dest('miniprogram_dist'))
}

function compileNode() {
  const sources = src(
    [
      'server/**/*.ts',
      'sdk/**/*.ts',
      'protocol/src/**/*.ts',
      'types/**/*.d.ts',
      '!server/dist/**',
      '!server/web/**',
      '!**/node_modules/**',
    ],
    { base: '.' },
  )
  return emit(sources, nodeProject, SERVER_DIST, NODE_TARGETS)
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
  bundleProtocol,
  copyComponentAssets,
  copyToDemo,
)
// The browser pages (server/web): esbuild bundles them into server/dist/web.
function bundleWeb() {
  return require('./server/web/build').build()
}
// The protocol package's own output (protocol/dist), which what runs from the repository without
// a build of its own (the benchmarks) resolves through the workspace link.
function compileProtocol() {
  return emit(protocolProject.src(), protocolProject, 'protocol/dist', NODE_TARGETS)
}
const node = series(clean([SERVER_DIST, 'protocol/dist']), compileNode, compileProtocol, bundleWeb)
const build = parallel(miniprogram, node)

exports.miniprogram = miniprogram
exports.node = node
exports.build = build
exports.default = build
