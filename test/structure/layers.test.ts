// The house's layering, as docs/architecture.md draws it: protocol ← sdk ← store ← components,
// protocol ← server. Every import of the shipped code is read (type-only ones included, which
// ESLint's cycle rule skips) with TypeScript's own pre-processor; none may run up a layer or close
// a circle.
import * as fs from 'fs'
import * as path from 'path'
import * as ts from 'typescript'

const ROOT = path.join(__dirname, '..', '..')
/** The workspace's package names, resolved as tsconfig.base.json's paths resolve them. */
const PACKAGES: Record<string, string> = {
  'miniprogram-conference-protocol': 'protocol/src/index.ts',
  'miniprogram-conference-server': 'server/index.ts',
  'miniprogram-conference-server/client': 'sdk/node.ts',
}

/** Each layer and the layers it may import (itself included). */
const MAY_IMPORT: Record<string, string[]> = {
  protocol: ['protocol'],
  sdk: ['protocol', 'sdk'],
  store: ['protocol', 'sdk', 'store'],
  components: ['protocol', 'sdk', 'store', 'components'],
  // The kit's entry gathers the kit.
  kit: ['protocol', 'sdk', 'store', 'components'],
  server: ['protocol', 'server'],
  // The browser pages are clients of the server: they use the SDK like any client.
  web: ['protocol', 'sdk', 'web'],
}

function layerOf(file: string): string | null {
  const rel = path.relative(ROOT, file).split(path.sep).join('/')
  if (rel === 'index.ts') return 'kit'
  if (rel.startsWith('server/web/')) return 'web'
  const top = rel.split('/')[0]
  return top in MAY_IMPORT ? top : null
}

function sources(dir: string): string[] {
  const out: string[] = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') out.push(...sources(full))
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full)
  }
  return out
}

interface Edge {
  to: string
  /** Every name it brings is a type (erased from the JavaScript). */
  typeOnly: boolean
}

/** Whether an import or export declaration brings types only. */
function typeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node))
    return (
      node.isTypeOnly ||
      (!!node.exportClause &&
        ts.isNamedExports(node.exportClause) &&
        node.exportClause.elements.every((e) => e.isTypeOnly))
    )
  const clause = node.importClause
  if (!clause) return false
  if (clause.isTypeOnly) return true
  const named = clause.namedBindings
  return (
    !clause.name && !!named && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly)
  )
}

/** The project files `file` imports (types too), resolved as the compilers resolve them. */
function importsOf(file: string): Edge[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest)
  const out: Edge[] = []
  for (const node of source.statements) {
    if (!ts.isImportDeclaration(node) && !ts.isExportDeclaration(node)) continue
    const spec = node.moduleSpecifier
    if (!spec || !ts.isStringLiteral(spec)) continue
    let to: string | undefined
    if (spec.text in PACKAGES) to = path.join(ROOT, PACKAGES[spec.text])
    else if (spec.text.startsWith('.')) {
      const base = path.resolve(path.dirname(file), spec.text)
      to = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f))
    }
    if (to) out.push({ to, typeOnly: typeOnly(node) })
  }
  return out
}

const files = [
  ...['protocol', 'sdk', 'store', 'components', 'server'].flatMap((d) =>
    sources(path.join(ROOT, d)),
  ),
  path.join(ROOT, 'index.ts'),
]
const graph = new Map(files.map((f) => [f, importsOf(f)]))
const rel = (f: string) => path.relative(ROOT, f)

type Graph = Map<string, Edge[]>

function upwardImports(g: Graph): string[] {
  const upward: string[] = []
  for (const [file, deps] of g) {
    const from = layerOf(file)!
    for (const { to: dep } of deps) {
      const to = layerOf(dep)
      if (to && !MAY_IMPORT[from].includes(to)) upward.push(`${rel(file)} → ${rel(dep)}`)
    }
  }
  return upward
}

/** One step of a circle: a file, and whether the import that reached it brings types only. */
interface Step {
  file: string
  typeOnly: boolean
}

const written = (loop: Step[]) =>
  loop.map((st, k) => (k === 0 ? '' : st.typeOnly ? ' (type) → ' : ' → ') + rel(st.file)).join('')

/**
 * The one kind of circle allowed: MobX's root-store pattern. store/root.ts creates its domain
 * stores, and each holds the root, as a type only, to reach its siblings (docs/architecture.md).
 */
function allowed(loop: Step[]): boolean {
  const root = path.join(ROOT, 'store/root.ts')
  if (loop.length !== 3 || (loop[0].file !== root && loop[1].file !== root)) return false
  const other = loop[0].file === root ? loop[1] : loop[0]
  // The step that arrives at the root.
  const intoRoot = loop[0].file === root ? loop[2] : loop[1]
  return layerOf(other.file) === 'store' && intoRoot.typeOnly
}

/** Every circle of imports, each as the steps from a file back to it. */
function cyclesOf(g: Graph): Step[][] {
  const cycles: Step[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const stack: Step[] = []
  const visit = (f: string, typeOnlyIn: boolean) => {
    state.set(f, 'open')
    stack.push({ file: f, typeOnly: typeOnlyIn })
    for (const { to, typeOnly } of g.get(f) ?? []) {
      if (state.get(to) === 'open')
        cycles.push([
          ...stack.slice(stack.findIndex((st) => st.file === to)),
          { file: to, typeOnly },
        ])
      else if (!state.has(to)) visit(to, typeOnly)
    }
    stack.pop()
    state.set(f, 'done')
  }
  for (const f of g.keys()) if (!state.has(f)) visit(f, false)
  return cycles
}

test('no import runs up a layer', () => {
  expect(files.length).toBeGreaterThan(100)
  expect(upwardImports(graph)).toEqual([])
})

test('no import cycle, type-only imports included', () => {
  const cycles = cyclesOf(graph)
  expect(cycles.filter((c) => !allowed(c)).map(written)).toEqual([])
})

test('the checks see an upward import, a cycle, and a type-only import', () => {
  // Made-up graphs, so that the two checks above cannot pass by seeing nothing.
  const at = (f: string) => path.join(ROOT, f)
  const [a, b, c] = ['sdk/a.ts', 'sdk/b.ts', 'store/c.ts'].map(at)
  const fake: Graph = new Map([
    [a, [{ to: b, typeOnly: false }]],
    [
      b,
      [
        { to: a, typeOnly: true },
        { to: c, typeOnly: false },
      ],
    ],
    [c, []],
  ])
  expect(upwardImports(fake)).toEqual(['sdk/b.ts → store/c.ts'])
  expect(cyclesOf(fake).map(written)).toEqual(['sdk/a.ts → sdk/b.ts (type) → sdk/a.ts'])
  // The root-store circle is allowed only while the import back to the root is of types.
  const [root, media] = ['store/root.ts', 'store/media.ts'].map(at)
  const rootCycle = (typeOnly: boolean): Graph =>
    new Map([
      [root, [{ to: media, typeOnly: false }]],
      [media, [{ to: root, typeOnly }]],
    ])
  expect(cyclesOf(rootCycle(true)).every(allowed)).toBe(true)
  expect(cyclesOf(rootCycle(false)).some(allowed)).toBe(false)
  // router.ts imports service.ts for its types only (`import { type ... }`): still an edge.
  expect(graph.get(at('server/routing/router.ts'))).toContainEqual({
    to: at('server/conference/service.ts'),
    typeOnly: true,
  })
})
