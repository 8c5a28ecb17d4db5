// The run fails if it left a process running (nginx, ffmpeg, redis-server, a server child, …),
// naming each; they are killed then, so that the next run starts clean. Only processes of this
// run are looked at (testkit/leftovers.ts).
import { rmSync } from 'fs'
import { currentRun, describeLeftovers, leftovers } from '../testkit/leftovers'
import { sleep } from '../testkit/wait'

/** How long a process that is ending anyway (an nginx on its way out) gets. */
const GRACE_MS = 5000

export default async function globalTeardown(): Promise<void> {
  const run = currentRun()
  if (!run) return
  const deadline = Date.now() + GRACE_MS
  let left = leftovers(run)
  while (left.length && Date.now() < deadline) {
    await sleep(100)
    left = leftovers(run)
  }
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL')
    } catch {
      // Gone meanwhile.
    }
  }
  rmSync(run.dir, { recursive: true, force: true })
  if (left.length) {
    throw new Error(
      `the test run left ${left.length} process(es) running (now killed):\n${describeLeftovers(left)}`,
    )
  }
}
