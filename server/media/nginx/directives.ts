// nginx.conf as data: directives, blocks and comments, checked as they are made and rendered
// to text here only. Our values never need nginx's escapes, so one that would (whitespace,
// quotes, $, ;, braces, #, backslash) is refused rather than escaped: a value can neither end
// its directive nor open a block, and a comment cannot end its line.

/** A value written in double quotes (paths); made by quoted(). */
export interface Quoted {
  readonly quoted: string
}

/** One argument: a word as is, a whole number, or a quoted value. */
export type Arg = string | number | Quoted

export type Item =
  | { readonly kind: 'directive'; readonly text: string }
  | { readonly kind: 'block'; readonly head: string; readonly body: Conf }
  | { readonly kind: 'comment'; readonly lines: readonly string[] }
  | { readonly kind: 'blank' }

/** Items in order; nested lists are flattened, and false / null / undefined left out. */
export type Conf = ReadonlyArray<Item | Conf | false | null | undefined>

const UNSAFE = /["'\\$\s;{}#]/
const NAME = /^[a-z][a-z0-9_]*$/

function word(value: string): string {
  if (value === '' || UNSAFE.test(value)) {
    throw new Error(`nginx config: unsafe characters in "${value}"`)
  }
  return value
}

function wholeNumber(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new Error(`nginx config: expected a whole number >= 0, got ${n}`)
  }
  return String(n)
}

function arg(a: Arg): string {
  if (typeof a === 'number') return wholeNumber(a)
  if (typeof a === 'string') return word(a)
  return `"${word(a.quoted)}"`
}

function head(name: string, args: readonly Arg[]): string {
  if (!NAME.test(name)) throw new Error(`nginx config: bad directive name "${name}"`)
  return [name, ...args.map(arg)].join(' ')
}

export const quoted = (value: string): Quoted => ({ quoted: value })

/** `name arg…;` */
export const directive = (name: string, ...args: Arg[]): Item => ({
  kind: 'directive',
  text: head(name, args),
})

/** `name arg… { body }`, written block(name, ...args)(...body) to read like the file. */
export function block(name: string, ...args: Arg[]) {
  const text = head(name, args)
  return (...body: Conf): Item => ({ kind: 'block', head: text, body })
}

/** `# line` for each line, at the indentation of what follows. */
export function comment(...lines: string[]): Item {
  for (const line of lines) {
    if (/[\r\n]/.test(line)) throw new Error(`nginx config: a line break in comment "${line}"`)
  }
  return { kind: 'comment', lines }
}

export const blank: Item = { kind: 'blank' }

/** A duration in whole milliseconds or seconds: `1500ms`, `10s`. */
export const duration = (n: number, unit: 'ms' | 's'): string => `${wholeNumber(n)}${unit}`

/** host:port of a listen directive, an IPv6 host in brackets. */
export function address(host: string, port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`nginx config: port must be 1-65535, got ${port}`)
  }
  return `${host.includes(':') ? `[${word(host)}]` : word(host)}:${port}`
}

function lines(conf: Conf, indent: string): string[] {
  const out: string[] = []
  for (const item of conf) {
    if (!item) continue
    if (Array.isArray(item)) {
      out.push(...lines(item as Conf, indent))
      continue
    }
    const one = item as Item
    if (one.kind === 'blank') out.push('')
    else if (one.kind === 'comment') out.push(...one.lines.map((l) => `${indent}# ${l}`))
    else if (one.kind === 'directive') out.push(`${indent}${one.text};`)
    else out.push(`${indent}${one.head} {`, ...lines(one.body, `${indent}    `), `${indent}}`)
  }
  return out
}

/** The config file's text: four spaces per level, ending in a newline. */
export function renderConf(...conf: Conf): string {
  return `${lines(conf, '').join('\n')}\n`
}
