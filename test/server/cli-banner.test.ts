// What `conference-server` prints at start: with a secret and no admin secret the operator API
// and console are off, and the banner says so instead of advertising them.
import { type ChildProcess } from 'child_process'
import { spawnServer } from '../../testkit/server-process'

const started: ChildProcess[] = []

afterAll(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
})

async function banner(args: string[]): Promise<string> {
  let out = ''
  const env = { ...process.env }
  delete env.CK_ADMIN_SECRET
  delete env.CK_SECRET
  const { proc } = await spawnServer({
    args: ['--log-level', 'error', ...args],
    env,
    ports: null,
    onOutput: (text) => (out += text),
  })
  started.push(proc)
  proc.kill('SIGTERM')
  await new Promise((r) => proc.once('exit', r))
  return out
}

test('production without an admin secret: the operator API and console are said to be off', async () => {
  const out = await banner(['--secret', 'a-long-enough-secret-for-this-test-0123456789'])
  expect(out).toMatch(/Operator API and console .*: off/)
  expect(out).not.toMatch(/\/console\b/)
  expect(out).not.toMatch(/Operator API: GET/)
})

test('with an admin secret (or in dev mode) both are advertised', async () => {
  const prod = await banner([
    '--secret',
    'a-long-enough-secret-for-this-test-0123456789',
    '--admin-secret',
    'another-long-enough-secret-0123456789',
  ])
  expect(prod).toMatch(/\/console\b/)
  expect(prod).toMatch(/Operator API: GET .*Bearer <admin secret>/)
  const dev = await banner([])
  expect(dev).toMatch(/Operator API: GET /)
  expect(dev).not.toMatch(/: off/)
}, 30000)
