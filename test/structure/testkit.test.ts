// Where test code may reach: bench/ and testkit/ import nothing from test/ (what two suites or the
// bench share is in testkit/; a suite's own fixtures stay in its folder), and what ships imports
// nothing from test/, testkit/ or bench/. Imports, requires and dynamic imports are all read.
import * as fs from 'fs'
import * as path from 'path'

const ROOT = path.join(__dirname, '..', '..')
const SPECIFIER = /(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm

/** The .ts and .js files under `dir`, but for installed packages and build output. */
const sources = (dir: string): string[] =>
  (fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' }) as string[])
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .filter((f) => !f.split(path.sep).some((part) => part === 'node_modules' || part === 'dist'))
    .map((f) => path.join(ROOT, dir, f))

/** `from → to` for each relative import of the files under `dirs` into the folders `banned`. */
function importsInto(dirs: string[], banned: string[]): string[] {
  const found: string[] = []
  for (const file of dirs.flatMap(sources)) {
    for (const [, spec] of fs.readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const to = path.relative(ROOT, path.resolve(path.dirname(file), spec)).split(path.sep)
      if (banned.includes(to[0])) found.push(`${path.relative(ROOT, file)} → ${to.join('/')}`)
    }
  }
  return found
}

const SHIPPED = ['protocol', 'sdk', 'store', 'components', 'server']

test('bench/ and testkit/ import nothing from test/', () => {
  expect(importsInto(['bench', 'testkit'], ['test'])).toEqual([])
})

test('shipped code imports nothing from test/, testkit/ or bench/', () => {
  expect(importsInto(SHIPPED, ['test', 'testkit', 'bench'])).toEqual([])
})

test('the check sees imports that exist', () => {
  // So that the two above cannot pass by reading nothing: bench/ does use the kit.
  expect(importsInto(['bench'], ['testkit'])).toContain('bench/cluster.ts → testkit/cluster')
})
