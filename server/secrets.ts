// The server's secrets at start: read from files (--secret-file, --admin-secret-file) so they
// stay out of the process list, and refused when a production server would run with a guessable
// one, or in development mode where anyone could reach it. Messages name options, never values.
import { readFileSync } from 'fs'
import { isLoopbackHost } from './loopback'

/** The options read here (config.ts's ServerConfig has them; not imported, which would be a circle). */
interface SecretOptions {
  host: string
  dev: boolean
  secret: string
  secretFile: string
  adminSecret: string
  adminSecretFile: string
}
/** Where each option given came from, by option name (--flag or CK_ENV). */
type Given = ReadonlyMap<string, string>
/** What stops a start: `key` is the option it is about. */
export interface SecretProblem {
  key: keyof SecretOptions
  message: string
}

/** Production secrets shorter than this are refused: 32 random characters are beyond guessing. */
export const MIN_SECRET_LENGTH = 32

const FILES = [
  ['secret', 'secretFile'],
  ['adminSecret', 'adminSecretFile'],
] as const

/**
 * Fills `secret` / `adminSecret` from their files. `given` says where each option came from
 * (--flag or CK_ENV); a secret given both ways, or a file that cannot be read, is a problem.
 */
export function readSecretFiles(
  out: Partial<Record<keyof SecretOptions, unknown>>,
  given: Given,
): SecretProblem[] {
  const problems: SecretProblem[] = []
  for (const [key, fileKey] of FILES) {
    const file = out[fileKey]
    if (typeof file !== 'string' || file === '') continue
    const fileFrom = given.get(fileKey)!
    const problem = (message: string) => problems.push({ key: fileKey, message })
    if (given.has(key)) {
      problem(`${given.get(key)} and ${fileFrom} both given: use one`)
      continue
    }
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (e) {
      problem(`${fileFrom}: cannot read ${file} (${(e as NodeJS.ErrnoException).code})`)
      continue
    }
    const secret = text.replace(/\r?\n$/, '')
    if (secret === '') problem(`${fileFrom}: ${file} is empty`)
    else out[key] = secret
  }
  return problems
}

/** What would leave the server's secrets guessable or exposed (the server refuses to start). */
export function secretProblems(config: SecretOptions, given: Given): SecretProblem[] {
  const problems: SecretProblem[] = []
  for (const key of ['secret', 'adminSecret'] as const) {
    const from = given.get(key)
    if (from && config[key] === '')
      problems.push({ key, message: `${from} is empty: give it a secret` })
  }
  if (config.dev) {
    if (!given.has('dev') && !isLoopbackHost(config.host))
      problems.push({
        key: 'dev',
        message:
          `development mode hands out tokens to anyone who reaches --host ${config.host}: ` +
          'set --secret (or --secret-file) for production, or pass --dev to mean it',
      })
    return problems
  }
  for (const [key, fileKey] of FILES) {
    const value = config[key]
    if (value !== '' && value.length < MIN_SECRET_LENGTH) {
      const from = given.get(key) ?? given.get(fileKey) ?? key
      problems.push({
        key: given.has(key) ? key : fileKey,
        message:
          `${from}: the secret is ${value.length} characters; production needs at least ` +
          `${MIN_SECRET_LENGTH} (e.g. openssl rand -base64 32)`,
      })
    }
  }
  return problems
}

/** Secrets given as flags: every local user can read them in the process list. */
export function secretsOnCommandLine(argv: readonly string[]): string[] {
  return ['--secret', '--admin-secret']
    .filter((flag) => argv.some((a) => a === flag || a.startsWith(`${flag}=`)))
    .map(
      (flag) =>
        `${flag} on the command line is visible to every local user (ps): prefer ${flag}-file`,
    )
}

/** What an operator should hear at start about how the secrets were given. */
export function secretWarnings(config: SecretOptions, argv: readonly string[]): string[] {
  const warnings = secretsOnCommandLine(argv)
  if (config.dev && !isLoopbackHost(config.host))
    warnings.push(
      `development mode on --host ${config.host}: anyone who reaches it gets tokens with any ` +
        'user id and every right; use it on a network you trust only',
    )
  return warnings
}
