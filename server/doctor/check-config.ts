// The doctor's first findings: what the server would make of its options, variables and secret
// files (the very checks that stop a start, all of them at once), and how the secrets are kept.
import fs from 'fs'
import path from 'path'
import { type ResolvedConfig, type ServerConfig } from '../config'
import { isLoopbackHost } from '../loopback'
import { closest, envOf, type OptionSpec } from '../options'
import { secretsOnCommandLine } from '../secrets'
import { type Finding, finding } from './findings'

/** CK_* variables the server reads that are not options. */
const OTHER_VARIABLES = ['CK_NGINX_NO_PDEATHSIG']

const SECRET_KEYS = new Set<keyof ServerConfig>([
  'secret',
  'secretFile',
  'adminSecret',
  'adminSecretFile',
  'dev',
])

/** How to make a secret file, named after the one in use (or the docs' path). */
function newSecret(file: string, flag: string): string {
  return `openssl rand -base64 32 > ${file} && chmod 600 ${file}, then ${flag} ${file}`
}

function problemFix(key: keyof ServerConfig, config: ServerConfig): string {
  if (key === 'secret' || key === 'secretFile')
    return newSecret(config.secretFile || '/etc/conference/secret', '--secret-file')
  if (key === 'adminSecret' || key === 'adminSecretFile')
    return newSecret(
      config.adminSecretFile || '/etc/conference/admin-secret',
      '--admin-secret-file',
    )
  if (key === 'dev') return 'give it a secret (--secret-file) for production, or --dev to mean it'
  return `correct ${envOf({ key })} (or unset it for the default)`
}

function unknownVariables(env: NodeJS.ProcessEnv, options: readonly OptionSpec[]): Finding[] {
  const known = options.map((o) => envOf(o)).filter((v): v is string => v !== null)
  return Object.keys(env)
    .filter((name) => name.startsWith('CK_'))
    .filter((name) => !known.includes(name) && !OTHER_VARIABLES.includes(name))
    .map((name) => {
      const near = closest(name, known)
      return finding(
        'config',
        'warn',
        `${name} is set, but no option reads it${near ? ` (did you mean ${near}?)` : ''}`,
        near ? `rename it ${near}` : 'remove it',
      )
    })
}

/** Whether `file` can be read by the group or others: its mode, and every directory above it. */
function exposedTo(file: string): string | null {
  const mode = (f: string) => {
    try {
      return fs.statSync(f).mode
    } catch {
      return null // unreadable or missing: a problem reported above
    }
  }
  const own = mode(file)
  if (own === null) return null
  let [group, others] = [(own & 0o040) !== 0, (own & 0o004) !== 0]
  for (let dir = path.dirname(file); group || others; dir = path.dirname(dir)) {
    const m = mode(dir) ?? 0
    group &&= (m & 0o010) !== 0
    others &&= (m & 0o001) !== 0
    if (dir === path.dirname(dir)) break
  }
  if (!group && !others) return null
  return `${others ? 'others' : 'its group'} (mode ${(own & 0o777).toString(8)})`
}

/** A secret file others can read is a secret others have. */
function fileModes(config: ServerConfig): Finding[] {
  const out: Finding[] = []
  for (const [file, flag] of [
    [config.secretFile, '--secret-file'],
    [config.adminSecretFile, '--admin-secret-file'],
  ] as const) {
    const who = file ? exposedTo(path.resolve(file)) : null
    if (who)
      out.push(
        finding(
          'secrets',
          'warn',
          `${flag} ${file} can be read by ${who}`,
          `chmod 600 ${file} (owned by the server's user), or chmod 700 its directory`,
        ),
      )
  }
  return out
}

export function configFindings(
  resolved: ResolvedConfig,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  options: readonly OptionSpec[],
): Finding[] {
  const { config, problems } = resolved
  const out: Finding[] = []
  for (const p of problems) {
    const check = SECRET_KEYS.has(p.key) ? 'secrets' : 'config'
    out.push(finding(check, 'fail', p.message, problemFix(p.key, config)))
  }
  if (!problems.some((p) => !SECRET_KEYS.has(p.key)))
    out.push(
      finding(
        'config',
        'ok',
        `options read: ${config.dev ? 'development' : 'production'} mode, engine ${config.engine}, ` +
          `HTTP ${config.host}:${config.port}, RTMP port ${config.rtmpPort}` +
          (config.redis ? `, cluster node ${config.nodeId}` : ''),
      ),
    )
  out.push(...unknownVariables(env, options))
  if (problems.some((p) => SECRET_KEYS.has(p.key))) return [...out, ...fileModes(config)]

  if (config.dev) {
    out.push(
      finding(
        'secrets',
        isLoopbackHost(config.host) ? 'warn' : 'fail',
        'development mode: no secret, and GET /dev/token hands out tokens to whoever reaches the server',
        problemFix('secret', config),
      ),
    )
  } else {
    const from = config.secretFile ? `--secret-file ${config.secretFile}` : '--secret'
    out.push(finding('secrets', 'ok', `${from}: ${config.secret.length} characters`))
    if (config.adminSecret) {
      const admin = config.adminSecretFile
        ? `--admin-secret-file ${config.adminSecretFile}`
        : '--admin-secret'
      out.push(finding('secrets', 'ok', `${admin}: ${config.adminSecret.length} characters`))
    } else
      out.push(
        finding(
          'secrets',
          'warn',
          'no admin secret: the operator API and console are off, and doctor cannot ask the running server or probe it through the proxy',
          problemFix('adminSecret', config),
        ),
      )
  }
  for (const warning of secretsOnCommandLine(argv))
    out.push(finding('secrets', 'warn', warning, 'use the -file options (docs/server.md)'))
  return [...out, ...fileModes(config)]
}
