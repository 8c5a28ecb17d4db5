// `conference-server doctor`: the configuration the server would run with (the same options,
// CK_* variables and secret files) and what this machine's network shows of the deployment, as
// findings with their fixes (docs/deploy.md, Check a deployment). Nothing is changed: the only
// traces are a listener held for a moment on a free port, a probe file in the recordings
// directory, and nginx -t in a temporary directory, all removed.
import { resolveConfig } from '../config'
import { parseOptions, withDefaults } from '../options'
import { configFindings } from './check-config'
import { ffmpegFindings, nginxFindings } from './check-media'
import { portFindings, publicHostFindings } from './check-network'
import { proxyFindings } from './check-proxy'
import { recordingsFindings } from './check-recordings'
import { redisFindings } from './check-redis'
import { exitCode, type Finding, formatJson, formatText } from './findings'
import { DOCTOR } from './options'
import { runningServer } from './probe'

export interface DoctorRun {
  proxyUrl: string
  timeoutMs: number
}

/** Every finding for the configuration of `argv` and `env`. */
export async function runDoctor(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  run: DoctorRun,
): Promise<Finding[]> {
  const resolved = resolveConfig({}, argv, env, DOCTOR)
  const { config } = resolved
  const server = await runningServer(config, run.timeoutMs)
  return [
    ...configFindings(resolved, argv, env, DOCTOR.options),
    ...(await portFindings(config, server)),
    ...(await publicHostFindings(config, server, run.timeoutMs)),
    ...(await proxyFindings(config, server, run.proxyUrl, run.timeoutMs)),
    ...nginxFindings(config),
    ...(await redisFindings(config, run.timeoutMs)),
    ...(await recordingsFindings(config)),
    ...ffmpegFindings(env),
  ]
}

/** The command: prints the findings (text or --json); resolves with the exit code. */
export async function doctorCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  write: (text: string) => void,
): Promise<number> {
  const own = withDefaults(DOCTOR.options, parseOptions(DOCTOR, argv, env).values)
  const findings = await runDoctor(argv, env, {
    proxyUrl: String(own.proxyUrl),
    timeoutMs: Number(own.timeoutMs),
  })
  write(own.json ? formatJson(findings) : formatText(findings))
  return exitCode(findings)
}
