// The `conference-server` command as a user types it (the built CLI, a real process): one parser
// for start, doctor and edge-config, a --help per subcommand from its own table, exit code 2 with
// the fix for a command line that cannot mean anything, 1 for a configuration that cannot run.
import { spawnSync } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import { START } from '../../server/config'
import { DOCTOR } from '../../server/doctor/options'
import { EDGE_CONFIG } from '../../server/media/nginx-edge-cli'
import { flagOf } from '../../server/options'
import { CLI } from '../../testkit/server-process'

const SECRET = 'a-long-enough-secret-for-this-test-0123456789'
let dir: string

/** Runs the command with only the variables given (none of the test's CK_*). */
function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 20000,
  })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-cli-'))))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test.each([
  [[], START],
  [['start'], START],
  [['doctor'], DOCTOR],
  [['edge-config'], EDGE_CONFIG],
])('%j --help lists that command’s options, each with its variable', (words, command) => {
  const { code, out, err } = run([...words, '--help'])
  expect(err).toBe('')
  expect(code).toBe(0)
  expect(out.split('\n')[0]).toBe(command.usage)
  for (const o of command.options) expect(out).toContain(`\n  ${flagOf(o.key)}`)
  // Only the bare command lists the subcommands.
  expect(out.includes('conference-server doctor [options]')).toBe(words.length === 0)
})

test('an unknown option, a flag without its value, a bad value, an unknown command: exit 2 and the fix', () => {
  const cases: Array<[string[], string]> = [
    [['--prot', '9000'], 'conference-server start: unknown option --prot (did you mean --port?)'],
    [['doctor', '--jsn'], 'conference-server doctor: unknown option --jsn (did you mean --json?)'],
    [['edge-config', '--app', 'live'], 'conference-server edge-config: unknown option --app'],
    [['--port', '--host', 'x'], 'conference-server start: --port needs a value'],
    [
      ['doctor', '--port', 'abc'],
      'conference-server doctor: --port: expected a whole number, got "abc"',
    ],
    [
      ['--engine', 'srs'],
      'conference-server start: --engine: expected one of embedded, nginx, got "srs"',
    ],
    [['--dev=maybe'], 'conference-server start: --dev: expected true or false, got "maybe"'],
    [['stray'], 'conference-server: unknown command "stray"'],
    [['dcotor'], 'conference-server: unknown command "dcotor" (did you mean doctor?)'],
    [['--', 'x'], 'conference-server start: unexpected argument "x"'],
  ]
  for (const [args, message] of cases) {
    const { code, err, out } = run(args)
    expect({ args, code, out }).toEqual({ args, code: 2, out: '' })
    expect(err).toContain(message)
    expect(err).toMatch(/--help lists the options\)\n$/)
  }
})

test('a configuration that cannot run (a bad variable, a short secret): exit 1, the option named', () => {
  const bad = run(['--port', '0'], { CK_MAX_SOCKETS: 'lots' })
  expect(bad.code).toBe(1)
  expect(bad.err).toBe('conference-server: CK_MAX_SOCKETS: expected a whole number, got "lots"\n')
  const short = path.join(dir, 'short')
  fs.writeFileSync(short, 'x'.repeat(12) + '\n')
  const refused = run(['--port', '0'], { CK_SECRET_FILE: short })
  expect(refused.code).toBe(1)
  expect(refused.err).toMatch(
    /CK_SECRET_FILE: the secret is 12 characters; production needs at least 32/,
  )
})

test('edge-config reads the options it shares with the server as the server does (secret file, app, module)', () => {
  const file = path.join(dir, 'secret')
  fs.writeFileSync(file, SECRET + '\n')
  const args = ['edge-config', '--name', 'e1', '--server', 'http://10.0.0.5:8080']
  const fromFile = run(args, { CK_SECRET_FILE: file, CK_RTMP_APP: 'studio' })
  expect(fromFile.err).toBe('')
  expect(fromFile.code).toBe(0)
  expect(fromFile.out).toMatch(/^\s*application studio \{$/m)
  expect(fromFile.out).toContain('load_module "/usr/lib/nginx/modules/ngx_rtmp_module.so";')
  // The same key as from the value itself: the file's trailing newline is dropped.
  const hook = (text: string) => /rtmp-edge\/([0-9a-f]{32})\/e1/.exec(text)?.[1]
  expect(hook(fromFile.out)).toBe(hook(run([...args, '--secret', SECRET]).out))
  const moved = run([...args, '--nginx-module', '/opt/rtmp.so', '--rtmp-app=x'], {
    CK_SECRET: SECRET,
  })
  expect(moved.out).toContain('load_module "/opt/rtmp.so";')
  expect(moved.out).toMatch(/^\s*application x \{$/m)
  const missing = run(args.slice(0, 3))
  expect(missing.code).toBe(2)
  expect(missing.err).toContain('--name and --server are required')
})
