// Recording files on disk (<dir>/<confrId>/<name>.mp4), for the operator API and the console:
// listed from the directory (they outlive their conference), names checked before any path.
import { promises as fsp } from 'fs'
import path from 'path'
import { SAFE_ID } from '../media/jobs/recorder'

const SAFE_FILE = /^[A-Za-z0-9_-]{1,160}\.mp4$/

/** `base` prefixes each file's URL: `${base}/${confrId}/${name}`. */
export async function listRecordings(root: string, confrId: string, base: string) {
  const dir = path.join(root, confrId)
  const names = await fsp.readdir(dir).catch(() => [] as string[])
  const files = await Promise.all(
    names
      .filter((n) => SAFE_FILE.test(n))
      .map(async (name) => {
        const st = await fsp.stat(path.join(dir, name))
        const kind = name.startsWith('merged-') ? 'merged' : 'stream'
        return {
          name,
          kind,
          bytes: st.size,
          modifiedAt: st.mtimeMs,
          url: `${base}/${confrId}/${name}`,
        }
      }),
  )
  return files.sort((a, b) => a.name.localeCompare(b.name))
}

/** The path of one recording, or null: 'bad' for a name that is not one, 'missing' if absent. */
export async function recordingFile(
  root: string,
  confrId: string,
  name: string,
): Promise<string | 'bad' | 'missing'> {
  if (!SAFE_ID.test(confrId) || !SAFE_FILE.test(name)) return 'bad'
  const file = path.join(root, confrId, name)
  const st = await fsp.stat(file).catch(() => null)
  return st?.isFile() ? file : 'missing'
}
