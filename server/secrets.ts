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

/** Production secrets shorter than this are refused: 32 random characters are beyond guessing. */
export const MIN_SECRET_LENGTH = 32

const FILES = [
  ['secret', 'secretFile'],
  ['adminSecret', 'adminSecretFile'],
] as const

/**
 * Fills `secret` / `adminSecret` from their files. `given` says where each option came from
 * (--flag or CK_ENV); a secret given both ways is an error.
 */
export function readSecretFiles(
  out: Partial<Record<keyof SecretOptions, unknown>>,
  given: Given,
): void {
  for (const [key, fileKey] of FILES) {
    const file = out[fileKey]
    if (typeof file !== 'string' || file === '') continue
    const fileFrom = given.get(fileKey)!
    if (given.has(key)) throw new Error(`${given.get(key)} and ${fileFrom} both given: use one`)
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (e) {
      throw new Error(`${fileFrom}: cannot read ${file} (${(e as NodeJS.ErrnoException).code})`)
    }
    const secret = text.replace(/\r?\n$/, '')
    if (secret === '') throw new Error(`${fileFrom}: ${file} is empty`)
    out[key] = secret
  }
}

/** Refuses a configuration that would leave the server's secrets guessable or exposed. */
export function checkSecrets(config: SecretOptions, given: Given): void {
  for (const key of ['secret', 'adminSecret'] as const) {
    const from = given.get(key)
    if (from && config[key] === '') throw new Error(`${from} is empty: give it a secret`)
  }
  if (config.dev) {
    if (!given.has('dev') && !isLoopbackHost(config.host))
      throw new Error(
        `development mode hands out tokens to anyone who reaches --host ${config.host}: ` +
          'set --secret (or --secret-file) for production, or pass --dev to mean it',
      )
    return
  }
  for (const [key, fileKey] of FILES) {
    const value = config[key]
    if (value !== '' && value.length < MIN_SECRET_LENGTH) {
      const from = given.get(key) ?? given.get(fileKey) ?? key
      throw new Error(
        `${from}: the secret is ${value.length} characters; production needs at least ` +
          `${MIN_SECRET_LENGTH} (e.g. openssl rand -base64 32)`,
      )
    }
  }
}

/** What an operator should hear at start about how the secrets were given. */
export function secretWarnings(config: SecretOptions, argv: readonly string[]): string[] {
  const warnings: string[] = []
  for (const flag of ['--secret', '--admin-secret'])
    if (argv.some((a) => a === flag || a.startsWith(`${flag}=`)))
      warnings.push(
        `${flag} on the command line is visible to every local user (ps): prefer ${flag}-file`,
      )
  if (config.dev && !isLoopbackHost(config.host))
    warnings.push(
      `development mode on --host ${config.host}: anyone who reaches it gets tokens with any ` +
        'user id and every right; use it on a network you trust only',
    )
  return warnings
}
