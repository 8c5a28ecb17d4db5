// One option parser for every subcommand of `conference-server` (start, doctor, edge-config): each
// declares its options in a table, and a value comes from its flag, else its environment variable,
// else its default. The same tables print each subcommand's --help and docs/server.md's tables.
import { parseArgs } from 'util'

export type OptionKind = 'string' | 'int' | 'bool'
export type OptionValue = string | number | boolean
type Values = Record<string, unknown>

export interface OptionSpec<K extends string = string> {
  key: K
  kind: OptionKind
  /** A value, or one derived from the options above it in the table. */
  def: OptionValue | ((values: Values) => OptionValue)
  doc: string
  choices?: readonly string[]
  /** Its environment variable: CK_<KEY> unless named here; null for a flag only. */
  env?: string | null
  /** Stated as the default in --help and the docs instead of a derived default's "(derived)". */
  defDoc?: string
}

export interface CommandSpec<K extends string = string> {
  /** As typed after `conference-server`. */
  name: string
  /** The first line of its --help. */
  usage: string
  /** What it does, in a sentence or two. */
  about: string
  options: readonly OptionSpec<K>[]
}

/** A command line that cannot mean anything: the message says what, --help says the rest. */
export class UsageError extends Error {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message)
  }
}

export const flagOf = (key: string) => '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())
export const envOf = (o: Pick<OptionSpec, 'key' | 'env'>): string | null =>
  o.env !== undefined ? o.env : 'CK_' + o.key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase()

/** `raw` as the option's kind; throws naming `from` (the flag or variable) on a bad value. */
export function parseValue(o: OptionSpec, raw: string, from: string): OptionValue {
  if (o.kind === 'int') {
    const n = Number(raw)
    if (raw.trim() === '' || !Number.isInteger(n) || n < 0)
      throw new Error(`${from}: expected a whole number, got "${raw}"`)
    return n
  }
  if (o.kind === 'bool') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true
    if (/^(0|false|no|off)$/i.test(raw)) return false
    throw new Error(`${from}: expected true or false, got "${raw}"`)
  }
  if (o.choices && !o.choices.includes(raw)) {
    throw new Error(`${from}: expected one of ${o.choices.join(', ')}, got "${raw}"`)
  }
  return raw
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length]
}

/** The closest of `names` to `given`, when close enough to be a typo. */
export function closest(given: string, names: readonly string[]): string | null {
  let best: string | null = null
  let bestD = Infinity
  for (const n of names) {
    const d = distance(given, n)
    if (d < bestD) [best, bestD] = [n, d]
  }
  return best !== null && bestD <= Math.max(2, Math.floor(given.length / 4)) ? best : null
}

export interface Parsed<K extends string> {
  /** What the flags, the environment and `overrides` gave (no defaults yet). */
  values: Partial<Record<K, OptionValue>>
  /** Where each given value came from, as the user would name it (--flag or CK_ENV). */
  given: Map<K, string>
  /** --help / -h was asked for. */
  help: boolean
  /** Environment variables with bad values: the caller decides whether they stop it. */
  problems: Array<{ key: K; message: string }>
  /** Options whose variable is set but empty (a template's placeholder): taken as unset. */
  empty: Set<K>
}

/**
 * Reads `argv` (the words after the subcommand) and `env` against the command's table.
 * `overrides` (embedders, tests) win over flags, flags over the environment. A word that is not
 * one of its options, or a flag's bad value, is a UsageError.
 */
export function parseOptions<K extends string>(
  command: CommandSpec<K>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  overrides: Partial<Record<K, unknown>> = {},
): Parsed<K> {
  const usage = (message: string) => new UsageError(command.name, message)
  const byFlag = new Map(command.options.map((o) => [flagOf(o.key), o]))
  const spec: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  }
  for (const o of command.options)
    spec[flagOf(o.key).slice(2)] = { type: o.kind === 'bool' ? 'boolean' : 'string' }
  // Not strict: its own errors would be phrased for programmers; ours name the fix.
  const { tokens } = parseArgs({
    args: [...argv],
    options: spec,
    strict: false,
    allowPositionals: true,
    tokens: true,
  })
  const flags = new Map<K, OptionValue>()
  let help = false
  for (const t of tokens) {
    if (t.kind === 'positional')
      throw usage(`unexpected argument "${t.value}" (every option is a --flag)`)
    if (t.kind !== 'option') continue
    if (t.name === 'help') {
      help = true
      continue
    }
    const o = byFlag.get(`--${t.name}`)
    if (!o) {
      const near = closest(`--${t.name}`, [...byFlag.keys()])
      throw usage(`unknown option ${t.rawName}${near ? ` (did you mean ${near}?)` : ''}`)
    }
    const flag = flagOf(o.key)
    // `--port --host x` is a missing value, not a port named "--host".
    if (
      o.kind !== 'bool' &&
      (t.value === undefined || (!t.inlineValue && t.value.startsWith('--')))
    )
      throw usage(`${flag} needs a value (${flag} VALUE or ${flag}=VALUE)`)
    try {
      // A bool is true as a bare flag; --dev=false says otherwise.
      flags.set(o.key, o.kind === 'bool' && !t.inlineValue ? true : parseValue(o, t.value!, flag))
    } catch (e) {
      throw usage((e as Error).message)
    }
  }
  const values: Partial<Record<K, OptionValue>> = {}
  const given = new Map<K, string>()
  const problems: Parsed<K>['problems'] = []
  const empty = new Set<K>()
  for (const o of command.options) {
    const name = envOf(o)
    const raw = name ? env[name] : undefined
    if (o.key in overrides && overrides[o.key] !== undefined) {
      values[o.key] = overrides[o.key] as OptionValue
      given.set(o.key, flagOf(o.key))
    } else if (flags.has(o.key)) {
      values[o.key] = flags.get(o.key)
      given.set(o.key, flagOf(o.key))
    } else if (name && raw !== undefined && raw !== '') {
      try {
        values[o.key] = parseValue(o, raw, name)
        given.set(o.key, name)
      } catch (e) {
        problems.push({ key: o.key, message: (e as Error).message })
      }
    } else if (name && raw === '') {
      empty.add(o.key)
    }
  }
  return { values, given, help, problems, empty }
}

/** Fills in the defaults, in table order, so derived ones see the values above them. */
export function withDefaults<K extends string>(
  options: readonly OptionSpec<K>[],
  values: Partial<Record<K, unknown>>,
): Record<K, OptionValue> {
  const out: Values = { ...values }
  for (const o of options)
    if (out[o.key] === undefined) out[o.key] = typeof o.def === 'function' ? o.def(out) : o.def
  return out as Record<K, OptionValue>
}

const defaultText = (o: OptionSpec) =>
  o.defDoc ?? (typeof o.def === 'function' ? '(derived)' : JSON.stringify(o.def))

/** The options as rows of a Markdown table: flag, environment variable, default, meaning. */
export function optionsTable(options: readonly OptionSpec[]): string {
  const rows = options.map((o) => {
    const env = envOf(o)
    return `| \`${flagOf(o.key)}\` | ${env ? `\`${env}\`` : '—'} | ${defaultText(o)} | ${o.doc} |`
  })
  return ['| flag | environment | default | meaning |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  )
}

/** `text` wrapped to `width` columns, every line after `indent`. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return lines.map((l) => indent + l).join('\n')
}

/**
 * A subcommand's --help: usage, `extra` (the list of commands, for the bare command), what it
 * does, then each option with its variable and default.
 */
export function helpText(command: CommandSpec, extra = ''): string {
  const out = [command.usage, '', ...(extra ? [extra, ''] : []), wrap(command.about, 100, '')]
  out.push('', 'Options:')
  for (const o of command.options) {
    const arg =
      o.kind === 'bool'
        ? ''
        : o.choices
          ? ` ${o.choices.join('|')}`
          : o.kind === 'int'
            ? ' N'
            : ' VALUE'
    const env = envOf(o)
    const about = [
      env ? `env ${env}` : 'no variable',
      `default ${defaultText(o)}`.replace(/^default ""$/, 'default none'),
    ]
    out.push(`  ${flagOf(o.key)}${arg}`, wrap(`${o.doc} (${about.join(', ')})`, 100, '      '))
  }
  out.push('  --help, -h', '      This text.')
  return out.join('\n')
}
