// A CommonJS loader that follows WeChat's module rules instead of Node's, so that a test runs the
// mini program code exactly as a phone would resolve it:
// - a relative require names a FILE (`.js` may be left off); a folder never means its index.js;
// - a bare name is a package Build npm put in miniprogram_npm (the nearest one up to the mini
//   program root); its folder resolves to the index.js Build npm writes;
// - no Node built-ins, no absolute paths, nothing outside the mini program root.
// The first require that breaks a rule throws, naming the file and the specifier.
import * as fs from 'fs'
import * as path from 'path'

export interface WechatLoader {
  /** Runs `file` (absolute, inside the root) and returns its exports. */
  require(file: string): unknown
  /** Runs `file` again even if it ran before (its dependencies stay shared), as a framework runs
   * a page or component script for each definition it registers. */
  rerun(file: string): unknown
  /** Every file run so far, relative to the root. */
  loaded(): string[]
}

const isFile = (f: string) => fs.existsSync(f) && fs.statSync(f).isFile()

function inside(root: string, file: string): boolean {
  const rel = path.relative(root, file)
  return !rel.startsWith('..') && !path.isAbsolute(rel)
}

/** WeChat's resolution of `spec` required from `from`, or an Error saying why it fails. */
export function resolveWechat(root: string, from: string, spec: string): string | Error {
  const miss = (why: string) =>
    new Error(`${path.relative(root, from)}: require('${spec}') does not resolve in WeChat: ${why}`)
  if (spec.startsWith('/') || path.isAbsolute(spec)) return miss('absolute path')
  if (spec.startsWith('./') || spec.startsWith('../')) {
    const target = path.resolve(path.dirname(from), spec)
    if (!inside(root, target)) return miss('outside the mini program')
    const file = [target, `${target}.js`].find((f) => f.endsWith('.js') && isFile(f))
    if (file) return file
    return miss(
      fs.existsSync(target) ? 'a folder is not a file (no index.js lookup)' : 'no such file',
    )
  }
  // A package name: only what Build npm laid out in a miniprogram_npm folder.
  for (let dir = path.dirname(from); inside(root, dir); dir = path.dirname(dir)) {
    const base = path.join(dir, 'miniprogram_npm', spec)
    // Only a bare package name ('mobx-miniprogram', '@scope/name') maps to the entry Build npm
    // wrote (index.js); a path inside a package must name a file, as everywhere else.
    const bare = /^(@[^/]+\/)?[^/]+$/.test(spec)
    const file = [`${base}.js`, base, ...(bare ? [path.join(base, 'index.js')] : [])].find(
      (f) => f.endsWith('.js') && isFile(f),
    )
    if (file) return file
    if (dir === root) break
  }
  return miss('not a package in miniprogram_npm (nor a Node built-in, which WeChat lacks)')
}

/**
 * A loader for the mini program at `root`. Modules run in the current global (the test's `wx`,
 * `Component`, `Page`, …) with Node's own module variables hidden: `process`, `Buffer`,
 * `__dirname`, `__filename` are undefined, as on a phone.
 */
export function wechatLoader(root: string): WechatLoader {
  const cache = new Map<string, { exports: unknown }>()
  const run = (file: string, fresh = false): unknown => {
    const cached = cache.get(file)
    if (cached && !fresh) return cached.exports
    const module = { exports: {} as unknown }
    cache.set(file, module)
    const localRequire = (spec: string) => {
      const target = resolveWechat(root, file, spec)
      if (target instanceof Error) throw target
      return run(target)
    }
    const source = fs.readFileSync(file, 'utf8')
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const fn = new Function(
      'require',
      'module',
      'exports',
      'process',
      'Buffer',
      '__dirname',
      '__filename',
      `${source}\n//# sourceURL=${file}`,
    )
    fn(localRequire, module, module.exports, undefined, undefined, undefined, undefined)
    return module.exports
  }
  const check = (file: string) => {
    if (!inside(root, file) || !isFile(file)) {
      throw new Error(`${file}: not a file of the mini program at ${root}`)
    }
    return file
  }
  return {
    require: (file) => run(check(file)),
    rerun: (file) => run(check(file), true),
    loaded: () => [...cache.keys()].map((f) => path.relative(root, f)).sort(),
  }
}

/** Every component the kit ships, as a page's usingComponents names it inside the kit's package
 * (`components/<name>/index`): one per source folder with an index.ts. */
export function kitComponents(): string[] {
  const root = path.join(__dirname, '..', 'components')
  return fs
    .readdirSync(root)
    .filter((name) => fs.existsSync(path.join(root, name, 'index.ts')))
    .map((name) => `components/${name}/index`)
    .sort()
}
