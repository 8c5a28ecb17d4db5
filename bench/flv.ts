// The publishers' media: one test-pattern file encoded once (640x360 15 fps x264 GOP 1 s + AAC,
// the tests' pushTestPattern stream), read as FLV tags and sent in real time over
// RtmpClient — what `ffmpeg -re -c copy` does, without a process per publisher.
import { spawn } from 'child_process'
import { existsSync, readFileSync, renameSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import { ffmpegPaths } from '../server/media/ffmpeg'
import { RtmpClient } from './rtmp'
import { nowMs } from './stats'

export interface FlvTag {
  type: number
  /** ms from the start of the file. */
  ts: number
  data: Buffer
}

/** Encode the pattern (once per machine: the file is kept in the temp dir); returns its path. */
export async function testPatternFile(seconds = 60): Promise<string> {
  const file = join(tmpdir(), `ck-bench-pattern-640x360-15-g15-${seconds}s.flv`)
  if (existsSync(file)) return file
  const partial = `${file}.${process.pid}.part`
  const args = ['-hide_banner', '-loglevel', 'error', '-y']
  args.push('-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=15:duration=${seconds}`)
  args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${seconds}`)
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '15')
  args.push('-pix_fmt', 'yuv420p', '-b:v', '600k', '-c:a', 'aac', '-b:a', '64k', '-ar', '44100')
  args.push('-f', 'flv', partial)
  const proc = spawn(ffmpegPaths().ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const code = await new Promise<number | null>((r) => proc.on('exit', r))
  if (code !== 0) throw new Error(`encoding the test pattern failed (${code}): ${err}`)
  renameSync(partial, file)
  return file
}

/** FLV file → tags (header and previous-tag-size fields skipped). */
export function readFlvTags(file: string): FlvTag[] {
  const buf = readFileSync(file)
  if (buf.toString('latin1', 0, 3) !== 'FLV') throw new Error(`${file} is not FLV`)
  const tags: FlvTag[] = []
  let i = buf.readUInt32BE(5) + 4
  while (i + 11 <= buf.length) {
    const type = buf[i] & 0x1f
    const size = buf.readUIntBE(i + 1, 3)
    const ts = buf.readUIntBE(i + 4, 3) | (buf[i + 7] << 24)
    const end = i + 11 + size
    if (end > buf.length) break
    tags.push({ type, ts, data: buf.subarray(i + 11, end) })
    i = end + 4
  }
  return tags
}

export interface Push {
  /** Resolves when the file has been sent or the push was stopped. */
  done: Promise<void>
  stop(): void
}

/**
 * Send `tags` over a publishing client at their own pace. `onSent` sees each tag right after it
 * was handed to the socket (for latency marks).
 */
export function pushTags(
  client: RtmpClient,
  tags: FlvTag[],
  onSent?: (tag: FlvTag, at: number) => void,
): Push {
  const start = nowMs()
  let next = 0
  let timer: NodeJS.Timeout | null = null
  let finish: () => void = () => undefined
  const done = new Promise<void>((r) => (finish = r))
  const tick = () => {
    const elapsed = nowMs() - start
    while (next < tags.length && tags[next].ts <= elapsed) {
      const tag = tags[next++]
      client.sendTag(tag.type, tag.ts, tag.data)
      onSent?.(tag, nowMs())
    }
    if (next >= tags.length) return finish()
    timer = setTimeout(tick, Math.max(0, tags[next].ts - (nowMs() - start)))
  }
  tick()
  void client.closed.then(() => {
    if (timer) clearTimeout(timer)
    finish()
  })
  return {
    done,
    stop() {
      if (timer) clearTimeout(timer)
      next = tags.length
      finish()
    },
  }
}

/** Open, publish and start pushing `tags` to a push URL. */
export async function startPublisher(
  url: string,
  tags: FlvTag[],
  onSent?: (tag: FlvTag, at: number) => void,
): Promise<{ client: RtmpClient; push: Push; acceptedAt: number }> {
  const { client, name } = await RtmpClient.open(url)
  try {
    await client.publish(name)
  } catch (e) {
    client.close()
    throw e
  }
  const acceptedAt = nowMs()
  return { client, push: pushTags(client, tags, onSent), acceptedAt }
}
