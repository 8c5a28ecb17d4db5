// The teardown's check (test/global-teardown.ts) can fail: a process marked as this run's and
// left running is reported with its pid, parent and command line; one that is not ours is not.
import { type ChildProcess, spawn } from 'child_process'
import { mkdtempSync, rmSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import {
  currentRun,
  describeLeftovers,
  leftovers,
  RUN_ENV,
  type TestRun,
} from '../../testkit/leftovers'
import { sleep } from '../../testkit/wait'

const spawned: ChildProcess[] = []
afterAll(() => {
  for (const p of spawned) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
})

/** A detached process (its own session, as an nginx that outlived us would be), not waited for. */
function detached(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const proc = spawn(command, args, { detached: true, stdio: 'ignore', env })
  proc.unref()
  spawned.push(proc)
  return proc
}

test('globalSetup marked this worker: the run has an id and a temp dir of its own', () => {
  const run = currentRun()
  expect(run).not.toBeNull()
  expect(tmpdir()).toBe(run!.dir)
})

test('a detached sleep of this run is reported; one of nobody, and an nginx title, as they are', async () => {
  const run: TestRun = currentRun() ?? { id: 'self-test', dir: mkdtempSync(join(tmpdir(), 'r-')) }
  const others = { ...process.env }
  delete others[RUN_ENV]
  const ours = detached('sleep', ['30'], { ...process.env, [RUN_ENV]: run.id })
  const notOurs = detached('sleep', ['31'], others)
  // Like nginx, which overwrites its environ with its title: only its prefix shows it is ours.
  const titled = detached(
    process.execPath,
    ['-e', 'setTimeout(() => {}, 30000)', `${run.dir}/ck-nginx-fake/`],
    others,
  )
  await sleep(200) // exec'd, with their own command lines

  const found = leftovers(run)
  const pids = found.map((p) => p.pid)
  expect(pids).toContain(ours.pid)
  expect(pids).toContain(titled.pid)
  expect(pids).not.toContain(notOurs.pid)
  const report = describeLeftovers(found)
  expect(report).toContain(`pid ${ours.pid} ppid ${process.pid}: sleep 30`)
  expect(report).toMatch(new RegExp(`pid ${titled.pid} ppid \\d+: .*ck-nginx-fake`))

  for (const p of [ours, notOurs, titled]) p.kill('SIGKILL')
  await sleep(200)
  expect(leftovers(run).map((p) => p.pid)).not.toContain(ours.pid)
  if (!currentRun()) rmSync(run.dir, { recursive: true, force: true })
})
