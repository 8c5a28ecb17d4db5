// Every component's README against its definition (components/<name>/index.ts, read with
// TypeScript's parser): the Properties table names each property with its type and default
// (the kit's own, store-key and lang, included), the Events table each event it triggers, and
// every method the README names exists.
import * as fs from 'fs'
import * as path from 'path'
import * as ts from 'typescript'

const COMPONENTS = path.join(__dirname, '..', '..', 'components')
const names = fs
  .readdirSync(COMPONENTS)
  .filter((n) => fs.existsSync(path.join(COMPONENTS, n, 'index.ts')))

interface Prop {
  type: string
  value: string
}

/** The kit's properties every component has (common/component.ts). */
const KIT_PROPS: Record<string, Prop> = {
  'store-key': { type: 'String', value: 'default' },
  lang: { type: 'String', value: "''" },
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/** The object literal given as `key` of the component's options. */
function optionsOf(file: string): ts.ObjectLiteralExpression {
  const source = ts.createSourceFile(
    file,
    fs.readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  )
  let found: ts.ObjectLiteralExpression | undefined
  const visit = (node: ts.Node) => {
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'KitComponent' &&
      node.arguments[0] &&
      ts.isObjectLiteralExpression(node.arguments[0])
    )
      found = node.arguments[0]
    ts.forEachChild(node, visit)
  }
  visit(source)
  if (!found) throw new Error(`${file}: no KitComponent({...})`)
  return found
}

function member(obj: ts.ObjectLiteralExpression, key: string): ts.Node | undefined {
  return obj.properties.find(
    (p) => (ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p)) && p.name.getText() === key,
  )
}

function propertiesOf(options: ts.ObjectLiteralExpression): Record<string, Prop> {
  const out: Record<string, Prop> = { ...KIT_PROPS }
  const props = member(options, 'properties') as ts.PropertyAssignment | undefined
  if (!props) return out
  for (const p of (props.initializer as ts.ObjectLiteralExpression).properties) {
    const def = (p as ts.PropertyAssignment).initializer as ts.ObjectLiteralExpression
    const field = (k: string) => (member(def, k) as ts.PropertyAssignment).initializer
    const value = field('value')
    out[kebab(p.name!.getText())] = {
      type: field('type').getText(),
      value: ts.isStringLiteral(value) ? value.text || "''" : value.getText(),
    }
  }
  return out
}

function methodsOf(options: ts.ObjectLiteralExpression): string[] {
  const methods = member(options, 'methods') as ts.PropertyAssignment | undefined
  if (!methods) return []
  return (methods.initializer as ts.ObjectLiteralExpression).properties.map((m) =>
    m.name!.getText(),
  )
}

/** The rows of the markdown table under `## <title>`. */
function table(readme: string, title: string): string[][] {
  const at = readme.search(new RegExp(`^## ${title}`, 'm'))
  if (at < 0) return []
  const section = readme.slice(at).split(/\n## /)[0]
  return section
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .slice(2)
    .map((l) =>
      l
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    )
}

const unquote = (cell: string) => cell.replace(/`/g, '').trim()

function readmeProperties(readme: string): Record<string, Prop> {
  const out: Record<string, Prop> = {}
  for (const [names, type, defaults] of table(readme, 'Properties')) {
    const keys = names.split(' / ').map(unquote)
    const values = defaults.split(' / ').map(unquote)
    keys.forEach((k, i) => (out[k] = { type, value: values[i] ?? values[0] }))
  }
  return out
}

describe.each(names)('components/%s/README.md', (name) => {
  const file = path.join(COMPONENTS, name, 'index.ts')
  const readme = fs.readFileSync(path.join(COMPONENTS, name, 'README.md'), 'utf8')
  const options = optionsOf(file)

  test('its Properties table is the definition: every property, its type and default', () => {
    expect(readmeProperties(readme)).toEqual(propertiesOf(options))
  })

  test('its Events table names every event the component triggers', () => {
    const source = fs.readFileSync(file, 'utf8')
    const triggered = [
      ...new Set([...source.matchAll(/triggerEvent\('([\w-]+)'/g)].map((m) => m[1])),
    ]
    const listed = table(readme, 'Events').map(([event]) => unquote(event))
    expect(listed.sort()).toEqual(triggered.sort())
  })

  test('every method it names exists', () => {
    const at = readme.search(/^## Methods/m)
    const section = at < 0 ? '' : readme.slice(at).split(/\n## /)[0]
    const named = [...section.matchAll(/`(\w+)\(/g)].map((m) => m[1])
    const methods = methodsOf(options)
    expect(named.filter((m) => !methods.includes(m))).toEqual([])
  })
})
