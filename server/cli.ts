#!/usr/bin/env node
// The `conference-server` command: `start` (the default), `doctor` and `edge-config`, each with
// its options read by the one parser of server/options.ts (flags, then CK_* variables) and its
// own --help. A command line that cannot mean anything exits 2 with what is wrong; a failure 1.
import { START } from './config'
import { DOCTOR } from './doctor/options'
import { EDGE_CONFIG } from './media/nginx-edge-cli'
import { type CommandSpec, closest, helpText, parseOptions, UsageError } from './options'

const COMMANDS: readonly CommandSpec[] = [START, DOCTOR, EDGE_CONFIG]

const LIST = [
  'Commands:',
  '  conference-server [start] [options]     run the server (the options below)',
  '  conference-server doctor [options]      check a deployment: its config, ports, proxy, nginx,',
  '                                          Redis, secrets, recordings, ffmpeg (docs/deploy.md)',
  '  conference-server edge-config [options] print the nginx.conf of an nginx-rtmp edge',
  '  conference-server COMMAND --help        the options of one command',
].join('\n')

/** Runs the command of `argv`; resolves with the exit code, or never (start runs until stopped). */
async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  const named = argv.length > 0 && !argv[0].startsWith('-')
  const name = named ? argv[0] : 'start'
  const rest = argv.slice(named ? 1 : 0)
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) {
    const near = closest(
      name,
      COMMANDS.map((c) => c.name),
    )
    throw new UsageError(
      '',
      `unknown command "${name}"${near ? ` (did you mean ${near}?)` : ''}; ` +
        `the commands are ${COMMANDS.map((c) => c.name).join(', ')}`,
    )
  }
  if (parseOptions(command, rest, env).help) {
    console.log(helpText(command, named ? '' : LIST))
    return 0
  }
  if (command === EDGE_CONFIG) {
    const { edgeConfigFromArgs } = await import('./media/nginx-edge-cli')
    process.stdout.write(edgeConfigFromArgs(rest, env))
    return 0
  }
  if (command === DOCTOR) {
    const { doctorCommand } = await import('./doctor/doctor')
    return doctorCommand(rest, env, (text) => process.stdout.write(text))
  }
  const { startCommand } = await import('./start')
  await startCommand(rest, env)
  return null
}

// Exit once stdout has taken everything: a probe's socket or timer left behind must not keep a
// finished command alive (stdout and stderr are synchronous for files and pipes on Linux).
main(process.argv.slice(2), process.env).then(
  (code) => {
    if (code !== null) process.stdout.write('', () => process.exit(code))
  },
  (e: Error) => {
    if (e instanceof UsageError) {
      const who = ['conference-server', e.command].filter(Boolean).join(' ')
      console.error(`${who}: ${e.message}\n(${who} --help lists the options)`)
      process.exit(2)
    }
    console.error(`conference-server: ${e.message}`)
    process.exit(1)
  },
)
