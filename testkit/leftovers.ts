// What a test run started and left running. globalSetup marks the run: every process it starts
// inherits CK_TEST_RUN (its /proc/<pid>/environ shows it) and TMPDIR, a directory of the run's
// own. nginx and redis-server overwrite their environ with their process title, but nginx's
// title keeps its prefix, which is under that TMPDIR (its workers' does not: they are found as
// its children; redis-server is told to keep its environ). Nothing that ran before the run has either
// mark, so nothing of anyone else's (another checkout's test run included) is blamed.
import { allProcs, descendants, hasEnv, type Proc, procOf } from './procs'

export const RUN_ENV = 'CK_TEST_RUN'
export const RUN_DIR_ENV = 'CK_TEST_RUN_DIR'

export interface TestRun {
  id: string
  /** The run's TMPDIR. */
  dir: string
}

/** The run this process belongs to (set by test/global-setup.ts), if any. */
export function currentRun(): TestRun | null {
  const id = process.env[RUN_ENV]
  const dir = process.env[RUN_DIR_ENV]
  return id && dir ? { id, dir } : null
}

/** jest's own workers carry the mark too; they are jest's to end. */
const JEST_WORKER = /jest-worker\/build\/(workers\/)?processChild/

/** The processes of `run` still running, other than `except` (this process, say). */
export function leftovers(run: TestRun, except: number[] = [process.pid]): Proc[] {
  const marked = allProcs().filter(
    (p) =>
      !except.includes(p.pid) &&
      !JEST_WORKER.test(p.cmdline) &&
      (hasEnv(p.pid, RUN_ENV, run.id) || p.cmdline.includes(`${run.dir}/`)),
  )
  const pids = new Set(marked.map((p) => p.pid))
  const children = marked
    .flatMap((p) => descendants(p.pid))
    .filter((pid) => !pids.has(pid) && pids.add(pid))
    .map(procOf)
    .filter((p): p is Proc => !!p && p.state !== 'Z')
  return [...marked, ...children]
}

/** One line each: pid, parent pid, command line. */
export function describeLeftovers(procs: Proc[]): string {
  return procs.map((p) => `  pid ${p.pid} ppid ${p.ppid}: ${p.cmdline}`).join('\n')
}
