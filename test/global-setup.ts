// Marks every process this jest run starts (testkit/leftovers.ts), so that the teardown can
// tell what the run left running. Workers are started after this and inherit the environment.
import { randomBytes } from 'crypto'
import { mkdtempSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import { RUN_DIR_ENV, RUN_ENV } from '../testkit/leftovers'

export default function globalSetup(): void {
  const dir = mkdtempSync(join(tmpdir(), 'ck-test-run-'))
  process.env[RUN_ENV] = randomBytes(8).toString('hex')
  process.env[RUN_DIR_ENV] = dir
  // Temp files, nginx prefixes among them, go here; nginx's title shows its prefix.
  process.env.TMPDIR = dir
}
