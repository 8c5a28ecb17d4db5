// The recordings directory: writable by the user doctor runs as (run it as the server's user), an
// absolute path (systemd starts the server in /), and room on its disk for the retention cap.
import { randomBytes } from 'crypto'
import { promises as fsp } from 'fs'
import os from 'os'
import path from 'path'
import { type ServerConfig } from '../config'
import { MIB, NEAR_CAP, scanRecordings } from '../media/jobs/retention'
import { type Finding, finding } from './findings'

/** The directory itself, or the closest ancestor that exists (mkdir -p starts there). */
async function existing(dir: string): Promise<string> {
  for (let d = dir; ; d = path.dirname(d)) {
    if (await fsp.stat(d).catch(() => null)) return d
    if (d === path.dirname(d)) return d
  }
}

const mib = (bytes: number) => `${Math.round(bytes / MIB)} MiB`

async function writable(dir: string, user: string, fix: string): Promise<Finding> {
  const asRoot =
    process.getuid?.() === 0
      ? ' (doctor runs as root: run it as the server’s user to check that user)'
      : ''
  const here = await existing(dir)
  const st = await fsp.stat(here)
  if (!st.isDirectory())
    return finding('recordings', 'fail', `--recordings-dir ${dir}: ${here} is not a directory`, fix)
  const probe = path.join(here, `.ck-doctor-${randomBytes(4).toString('hex')}`)
  try {
    await fsp.writeFile(probe, '')
    await fsp.rm(probe)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const what = here === dir ? dir : `${here}, where it would be created,`
    return finding(
      'recordings',
      'fail',
      `--recordings-dir: ${what} is not writable by ${user} (${code})`,
      fix,
    )
  }
  const how = here === dir ? 'writable' : `created at the first recording (in ${here}, writable)`
  return finding('recordings', 'ok', `--recordings-dir ${dir}: ${how} by ${user}${asRoot}`)
}

export async function recordingsFindings(config: ServerConfig): Promise<Finding[]> {
  const dir = path.resolve(config.recordingsDir)
  const user = os.userInfo().username
  const out: Finding[] = []
  // A relative directory is the server's working directory's: / under systemd without one.
  if (!path.isAbsolute(config.recordingsDir) && process.cwd() === '/')
    out.push(
      finding(
        'recordings',
        'warn',
        `--recordings-dir ${config.recordingsDir} is relative, here to /: ${dir}`,
        "run the server (and doctor) in its own directory (the unit's WorkingDirectory, docs/deploy.md), or an absolute --recordings-dir",
      ),
    )
  const fix = `mkdir -p ${dir} && chown <the server's user> ${dir}`
  const access = await writable(dir, user, fix)
  out.push(access)
  if (access.status === 'fail') return out

  const files = await scanRecordings(dir)
  const used = files.reduce((sum, f) => sum + f.bytes, 0)
  const fs = await fsp.statfs(await existing(dir))
  const free = fs.bavail * fs.bsize
  const cap = config.recordingsMaxMb * MIB
  const age = config.recordingsMaxAgeDays
  const kept = `${age ? `deleted after ${age} days` : 'no age limit'}, ${cap ? `cap ${config.recordingsMaxMb} MiB` : 'no cap'}`
  if (!cap) {
    out.push(
      finding(
        'recordings',
        'warn',
        `${mib(used)} in ${files.length} files, ${mib(free)} free; ${kept}: recordings can fill the disk`,
        `--recordings-max-mb ${Math.floor((0.8 * (used + free)) / MIB)} (80 % of the room they have)`,
      ),
    )
  } else if (used + free < cap) {
    out.push(
      finding(
        'recordings',
        'warn',
        `the disk has room for ${mib(used + free)} of recordings, less than --recordings-max-mb ${config.recordingsMaxMb}: it fills before the cap`,
        `--recordings-max-mb ${Math.floor((0.9 * (used + free)) / MIB)}, or more disk`,
      ),
    )
  } else {
    out.push(
      finding(
        'recordings',
        'ok',
        `${mib(used)} in ${files.length} files, ${mib(free)} free; ${kept}`,
      ),
    )
  }
  if (cap && used >= NEAR_CAP * cap)
    out.push(
      finding(
        'recordings',
        'warn',
        `recordings at ${Math.floor((100 * used) / cap)} % of the cap: the oldest are deleted from the cap on`,
        'fetch what you keep (GET /api/recordings/…), or raise --recordings-max-mb',
      ),
    )
  return out
}
