// Where test code may reach: bench/ and testkit/ import nothing from test/ (what two suites or the
// bench share is in testkit/; a suite's own fixtures stay in its folder), and what ships imports
// nothing from test/, testkit/ or bench/. Imports, requires and dynamic imports are all read.
import * as fs from 'fs'
import * as path from 'path'

const ROOT = path.join(__dirname, '..', '..')
const SPECIFIER = /(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm

function sources(dir: string): string[] {
  const out: string[] = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') out.push(...sources(full))
    } else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full)
  }
  return out
}

/** `from → to` for each relative import of the files under `dirs` into the folders `banned`. */
function importsInto(dirs: string[], banned: string[]): string[] {
  const found: string[] = []
  for (const file of dirs.flatMap((d) => sources(path.join(ROOT, d)))) {
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
