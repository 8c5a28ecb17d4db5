// What the kit adds to a mini program package: the files of miniprogram_dist (sdk, store,
// components, index) that WeChat ships — .js, .json, .wxml, .wxss; not the .d.ts — raw, minified
// (terser, when it is installed) and gzipped. Raw bytes are what counts against WeChat's package
// size limit; gzip is roughly what crosses the network.
import { readdirSync, readFileSync, statSync } from 'fs'
import { createRequire } from 'module'
import { join, relative } from 'path'
import { gzipSync } from 'zlib'

export interface PayloadPart {
  part: string
  files: number
  raw: number
  rawJs: number
  /** JS minified by terser plus the other files raw; null when terser is not installed. */
  minified: number | null
  /** Each file gzipped (-9) on its own, summed. */
  gzip: number
}

const SHIPPED = /\.(js|json|wxml|wxss)$/

function walk(dir: string): string[] {
  const st = statSync(dir)
  if (st.isFile()) return [dir]
  return readdirSync(dir).flatMap((name) => walk(join(dir, name)))
}

type Minify = (code: string) => Promise<{ code?: string }>

function loadTerser(): Minify | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const terser = require('terser') as {
      minify: (c: string, o: object) => Promise<{ code?: string }>
    }
    return (code) => terser.minify(code, { compress: true, mangle: true })
  } catch {
    return null
  }
}

/** A dependency as WeChat's npm build takes it: its `miniprogram` folder, else its main file. */
function dependencyFiles(name: string): string[] {
  const pkgFile = createRequire(__filename).resolve(`${name}/package.json`)
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { miniprogram?: string; main?: string }
  const dir = join(pkgFile, '..')
  return pkg.miniprogram
    ? walk(join(dir, pkg.miniprogram)).filter((f) => SHIPPED.test(f) && !f.endsWith('.d.ts'))
    : [join(dir, pkg.main ?? 'index.js')]
}

/** Raw and gzip bytes of the MobX packages the store needs (already minified upstream). */
export function dependencies(): Array<{ name: string; raw: number; gzip: number }> {
  return ['mobx-miniprogram', 'mobx-miniprogram-bindings'].map((name) => {
    const bufs = dependencyFiles(name).map((f) => readFileSync(f))
    return {
      name,
      raw: bufs.reduce((a, b) => a + b.length, 0),
      gzip: bufs.reduce((a, b) => a + gzipSync(b, { level: 9 }).length, 0),
    }
  })
}

export async function payload(root: string): Promise<{ terser: boolean; parts: PayloadPart[] }> {
  const minify = loadTerser()
  const parts: PayloadPart[] = []
  for (const part of ['sdk', 'store', 'components', 'index.js']) {
    const files = walk(join(root, part)).filter((f) => SHIPPED.test(f) && !f.endsWith('.d.ts'))
    if (files.length === 0)
      throw new Error(`${relative(process.cwd(), root)}/${part}: no files (run gulp build)`)
    let raw = 0
    let rawJs = 0
    let min = 0
    let gzip = 0
    for (const f of files) {
      const buf = readFileSync(f)
      raw += buf.length
      gzip += gzipSync(buf, { level: 9 }).length
      if (f.endsWith('.js')) {
        rawJs += buf.length
        if (minify) min += Buffer.byteLength((await minify(buf.toString())).code ?? '')
      } else min += buf.length
    }
    parts.push({
      part,
      files: files.length,
      raw,
      rawJs,
      minified: minify ? min : null,
      gzip,
    })
  }
  const total = parts.reduce(
    (t, p) => ({
      part: 'total',
      files: t.files + p.files,
      raw: t.raw + p.raw,
      rawJs: t.rawJs + p.rawJs,
      minified: t.minified === null || p.minified === null ? null : t.minified + p.minified,
      gzip: t.gzip + p.gzip,
    }),
    {
      part: 'total',
      files: 0,
      raw: 0,
      rawJs: 0,
      minified: minify ? 0 : null,
      gzip: 0,
    } as PayloadPart,
  )
  return { terser: minify !== null, parts: [...parts, total] }
}
