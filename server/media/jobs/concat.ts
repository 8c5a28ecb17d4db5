// Join the segments of a merged recording (one per layout) into one MP4, without re-encoding:
// every segment comes from the same encoder settings, so the streams match.
import fs from 'fs'
import { type Supervisor } from './supervisor'

export async function concatFiles(
  supervisor: Supervisor,
  name: string,
  parts: string[],
  out: string,
): Promise<void> {
  if (parts.length === 0) throw new Error('concat: no input files')
  const list = `${out}.concat.txt`
  // The concat demuxer's list syntax: quote every path, escape its single quotes.
  fs.writeFileSync(list, parts.map((p) => `file '${p.replace(/'/g, "'\\''")}'\n`).join(''))
  const args = ['-hide_banner', '-loglevel', 'warning', '-f', 'concat', '-safe', '0', '-i', list]
  // A finished file: plain MP4 with the index in front, for quick seeking in players.
  args.push('-map', '0', '-c', 'copy', '-movflags', '+faststart', '-y', out)
  const job = supervisor.start({ name, args, restart: { maxRestarts: 0 } })
  await job.done
  fs.rmSync(list, { force: true })
  if (job.state !== 'exited' || job.lastExit?.code !== 0) {
    throw new Error(
      `concat of ${parts.length} files into ${out} failed: ${job.stderrTail().join(' | ')}`,
    )
  }
}
