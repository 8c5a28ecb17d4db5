// The two packages as npm packs them, and the install paths the docs give. `npm pack` of the kit
// and of the server (contents), the server's tarball unpacked where an install puts it (its bin
// runs --help; the systemd unit's path exists in it), the `conference-server` command of a clone
// (a committed shim, so that the first `npm install` links it), and the docs' install commands
// (a repository install that works now, the registry one marked as after publishing). That Build
// npm accepts the kit's tarball is test/wechat/miniprogram-ci.test.ts (packNpmManually).
import { execFileSync, spawnSync } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'

const ROOT = path.resolve(__dirname, '../..')
const SERVER = path.join(ROOT, 'server')

interface Packed {
  name: string
  version: string
  filename: string
  files: Array<{ path: string }>
}

const npm = (args: string[], cwd = ROOT) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
const dryRun = (args: string[]) =>
  (JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts', ...args])) as Packed[])[0]
const readJson = <T>(file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as T

interface Manifest {
  name: string
  version: string
  main: string
  types: string
  bin?: Record<string, string>
  exports: Record<string, string>
  miniprogram?: string
}
const kitPkg = readJson<Manifest>(path.join(ROOT, 'package.json'))
const serverPkg = readJson<Manifest>(path.join(SERVER, 'package.json'))
const tarballOf = (p: Manifest) => `${p.name}-${p.version}.tgz`

let tmp: string
beforeAll(() => {
  for (const f of ['miniprogram_dist/index.js', 'server/dist/server/cli.js']) {
    if (!fs.existsSync(path.join(ROOT, f))) throw new Error(`no ${f}: run \`npx gulp build\` first`)
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-packaging-'))
})
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

const norm = (p: string) => p.replace(/^\.\//, '')
const isSourceOrTest = (p: string) =>
  (/\.ts$/.test(p) && !/\.d\.ts$/.test(p)) ||
  /(^|\/)(test|tests|__tests__)\//.test(p) ||
  /\.(test|spec)\.[jt]s$/.test(p)

describe('npm pack of the kit (miniprogram-conference-kit)', () => {
  test('holds miniprogram_dist with only what WeChat runs, its entries, and no sources or tests', () => {
    const packed = dryRun([])
    expect(packed.filename).toBe(tarballOf(kitPkg))
    const files = packed.files.map((f) => f.path)
    const outside = files.filter(
      (f) => !f.startsWith('miniprogram_dist/') && !['package.json', 'README.md'].includes(f),
    )
    expect(outside).toEqual([])
    // WeChat runs JS, JSON, WXML, WXSS and images; .d.ts are for TypeScript users of the kit.
    const foreign = files
      .filter((f) => f.startsWith('miniprogram_dist/'))
      .filter((f) => !/\.(js|json|wxml|wxss|svg|png|d\.ts)$/.test(f) || isSourceOrTest(f))
    expect(foreign).toEqual([])
    expect(files).toContain(norm(kitPkg.main))
    expect(files).toContain(norm(kitPkg.types))
    expect(kitPkg.miniprogram).toBe('miniprogram_dist')
    for (const c of fs.readdirSync(path.join(ROOT, 'components')).filter((d) => d !== 'common')) {
      if (!fs.existsSync(path.join(ROOT, 'components', c, 'index.ts'))) continue
      for (const ext of ['js', 'json', 'wxml', 'wxss']) {
        expect(files).toContain(`miniprogram_dist/components/${c}/index.${ext}`)
      }
    }
  })
})

describe('npm pack of the server (miniprogram-conference-server)', () => {
  test('holds dist and the bin shim, every entry it names, and no sources or tests', () => {
    const packed = dryRun(['-w', 'server'])
    expect(packed.filename).toBe(tarballOf(serverPkg))
    const files = packed.files.map((f) => f.path)
    const outside = files.filter(
      (f) => !/^(dist|bin)\//.test(f) && !['package.json', 'README.md'].includes(f),
    )
    expect(outside).toEqual([])
    expect(files.filter(isSourceOrTest)).toEqual([])
    const named = [serverPkg.main, serverPkg.types, ...Object.values(serverPkg.exports)]
    for (const entry of [...named, ...Object.values(serverPkg.bin ?? {})].map(norm)) {
      expect(files).toContain(entry)
    }
    expect(files).toContain('dist/server/cli.js')
  })

  test('unpacked where npm installs it, its bin runs --help, and the systemd unit’s path exists', () => {
    npm(['pack', '-w', 'server', '--ignore-scripts', '--pack-destination', tmp])
    // The layout `npm i ./miniprogram-conference-server-<version>.tgz` makes in /opt/conference.
    // Its dependencies come from the registry, which this test does without: NODE_PATH lends it
    // the clone's node_modules, so only the packed files are under test.
    const opt = path.join(tmp, 'opt/conference')
    const installed = path.join(opt, 'node_modules', serverPkg.name)
    fs.mkdirSync(installed, { recursive: true })
    execFileSync('tar', [
      '-xzf',
      path.join(tmp, tarballOf(serverPkg)),
      '-C',
      installed,
      '--strip-components=1',
    ])
    const bin = path.join(installed, serverPkg.bin!['conference-server'])
    expect(fs.readFileSync(bin, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/)
    const help = spawnSync(process.execPath, [bin, '--help'], {
      cwd: opt,
      env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
      encoding: 'utf8',
    })
    expect(help.stderr).toBe('')
    expect(help.stdout).toMatch(/^conference-server \[start\] \[options\]\n/)
    expect(help.status).toBe(0)

    // deploy.md's unit runs what that install holds.
    const deploy = fs.readFileSync(path.join(ROOT, 'docs/deploy.md'), 'utf8')
    const exec = /^ExecStart=(\S+) (\S+) --engine nginx/m.exec(deploy)
    expect(exec).not.toBeNull()
    const [, node, script] = exec!
    expect(node).toBe('/usr/bin/node')
    expect(script.startsWith('/opt/conference/node_modules/')).toBe(true)
    expect(fs.existsSync(path.join(opt, script.slice('/opt/conference/'.length)))).toBe(true)
  })
})

describe('the conference-server command of a clone', () => {
  test('is a committed file (npm links it at the first install, before dist is built)', () => {
    const bin = path.join('server', serverPkg.bin!['conference-server'])
    const tracked = execFileSync('git', ['ls-files', '--error-unmatch', bin], {
      cwd: ROOT,
      encoding: 'utf8',
    })
    expect(tracked.trim()).toBe(bin)
    const lock = readJson<{ packages: Record<string, { bin?: Record<string, string> }> }>(
      path.join(ROOT, 'package-lock.json'),
    )
    expect(lock.packages.server.bin).toEqual(serverPkg.bin)
    // This clone's install linked it.
    const link = path.join(ROOT, 'node_modules/.bin/conference-server')
    expect(fs.realpathSync(link)).toBe(path.join(ROOT, bin))
  })

  test('without dist, it says how to build instead of failing obscurely', () => {
    const copy = path.join(tmp, 'no-dist/server/bin')
    fs.mkdirSync(copy, { recursive: true })
    const shim = path.join(copy, 'conference-server.js')
    fs.copyFileSync(path.join(SERVER, serverPkg.bin!['conference-server']), shim)
    const run = spawnSync(process.execPath, [shim, '--help'], { encoding: 'utf8' })
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/not built yet/)
    expect(run.stderr).toMatch(/npm run build/)
  })
})

describe('the install commands of the docs', () => {
  const docs = ['README.md', 'docs/server.md', 'docs/deploy.md', 'demo/README.md']
  const text = Object.fromEntries(
    docs.map((d) => [d, fs.readFileSync(path.join(ROOT, d), 'utf8')] as const),
  )

  test('give the repository install that works now: npm pack of each package, npm i of the tarball', () => {
    for (const doc of ['README.md', 'docs/server.md', 'docs/deploy.md']) {
      expect(`${doc}: ${text[doc]}`).toMatch(/npm pack -w server --pack-destination/)
      expect(`${doc}: ${text[doc]}`).toContain(tarballOf(serverPkg))
    }
    for (const doc of ['README.md', 'demo/README.md']) {
      expect(`${doc}: ${text[doc]}`).toMatch(/npm pack --pack-destination/)
      expect(`${doc}: ${text[doc]}`).toContain(tarballOf(kitPkg))
    }
  })

  test('mark every registry install as after publishing, in both languages', () => {
    const unmarked = docs.flatMap((doc) => {
      const lines = text[doc].split('\n')
      return lines
        .map((line, i) => ({ line, i }))
        .filter(({ line }) =>
          /npm i(nstall)? miniprogram-conference-(kit|server)\b(?!-)/.test(line),
        )
        .filter(({ i }) => {
          // The mark is on the line or in the few before it (a heading, a sentence, a comment), or
          // the line says it fails today (E404).
          const around = lines.slice(Math.max(0, i - 6), i + 2).join('\n')
          return !/after publishing|发布(到 npm )?后|E404/.test(around)
        })
        .map(({ line, i }) => `${doc}:${i + 1}: ${line.trim()}`)
    })
    expect(unmarked).toEqual([])
  })
})
