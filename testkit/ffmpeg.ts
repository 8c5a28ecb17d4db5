// Real media for tests: push a test pattern with audio the way live-pusher would, pull and decode
// frames the way live-player would, probe files. Every process started here is tracked and killed
// by stopAllMedia() so a failing test leaves nothing behind.
import { type ChildProcess, execFileSync, spawn } from 'child_process'
import { ffmpegPaths } from '../server/media/ffmpeg'

const running = new Set<ChildProcess>()

export interface Pusher {
  proc: ChildProcess
  /** Resolves with the exit code when ffmpeg ends (a refused push ends it within a second). */
  exited: Promise<number | null>
  stderr(): string
  stop(): Promise<void>
}

export interface PushOptions {
  width?: number
  height?: number
  fps?: number
  /** Seconds of media; default: until stopped. */
  duration?: number
  /** Drawn into the picture so a mixed layout can be told apart. */
  label?: string
  /** Sine frequency of the audio track. */
  toneHz?: number
}

function track(proc: ChildProcess, log: string[]): Promise<number | null> {
  running.add(proc)
  proc.stderr?.on('data', (d: Buffer) => {
    log.push(d.toString())
    if (log.length > 200) log.splice(0, log.length - 200)
  })
  return new Promise((resolve) => {
    proc.on('exit', (code) => {
      running.delete(proc)
      resolve(code)
    })
  })
}

/** x264 as live-pusher's RTC mode encodes: no B-frames, no look-ahead, a key frame every `gop`. */
export const realtimeH264 = (gop: number) => {
  const fast = ['-preset', 'ultrafast', '-tune', 'zerolatency']
  return ['-c:v', 'libx264', ...fast, '-g', String(gop), '-pix_fmt', 'yuv420p']
}

/** 640x360 15 fps x264 (GOP 1 s) + AAC: about what live-pusher sends in RTC mode. */
export function pushTestPattern(url: string, opts: PushOptions = {}): Pusher {
  const { width = 640, height = 360, fps = 15, duration, toneHz = 440 } = opts
  const video = `testsrc2=size=${width}x${height}:rate=${fps}`
  const args = ['-hide_banner', '-loglevel', 'warning', '-re']
  args.push('-f', 'lavfi', '-i', duration ? `${video}:duration=${duration}` : video)
  const tone = `sine=frequency=${toneHz}:sample_rate=44100`
  args.push('-f', 'lavfi', '-i', duration ? `${tone}:duration=${duration}` : tone)
  args.push(...realtimeH264(fps), '-b:v', '600k')
  args.push('-c:a', 'aac', '-b:a', '64k', '-ar', '44100', '-f', 'flv', url)
  const proc = spawn(ffmpegPaths().ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  const log: string[] = []
  const exited = track(proc, log)
  return {
    proc,
    exited,
    stderr: () => log.join(''),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
      await exited
    },
  }
}

export interface PullResult {
  /** Frames decoded before the limit was reached. */
  frames: number
  width: number
  height: number
  hasAudio: boolean
  code: number | null
  stderr: string
}

/**
 * Pull a stream, decode `frames` video frames, report what was decoded. Resolves (never rejects)
 * so that a refused play can be asserted on: frames 0 and a non-zero code.
 */
export async function pullFrames(
  url: string,
  { frames = 10, timeoutMs = 15000 } = {},
): Promise<PullResult> {
  const args = ['-hide_banner', '-loglevel', 'info', '-probesize', '32768', '-analyzeduration', '0']
  args.push('-rw_timeout', String(timeoutMs * 1000), '-i', url)
  args.push('-map', '0:v:0', '-frames:v', String(frames), '-f', 'rawvideo', '-pix_fmt', 'gray', '-')
  const proc = spawn(ffmpegPaths().ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const log: string[] = []
  let bytes = 0
  proc.stdout?.on('data', (d: Buffer) => (bytes += d.length))
  // 'exit' may come before the last frames are read from the pipe: count them all.
  const drained = new Promise((r) => proc.stdout?.once('close', r))
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs)
  const code = await track(proc, log)
  await drained
  clearTimeout(timer)
  const stderr = log.join('')
  const size = /Video: .*?, (\d{2,5})x(\d{2,5})/.exec(stderr)
  const width = size ? Number(size[1]) : 0
  const height = size ? Number(size[2]) : 0
  return {
    frames: width && height ? Math.floor(bytes / (width * height)) : 0,
    width,
    height,
    hasAudio: /Audio: /.test(stderr),
    code,
    stderr,
  }
}

/** A player that stays: copies the stream (no decoding) and counts the bytes received. */
export function pullContinuously(url: string): {
  bytes(): number
  stderr(): string
  stop(): Promise<void>
} {
  const args = ['-hide_banner', '-loglevel', 'warning', '-i', url, '-c', 'copy', '-f', 'flv', '-']
  const proc = spawn(ffmpegPaths().ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const log: string[] = []
  let bytes = 0
  proc.stdout?.on('data', (d: Buffer) => (bytes += d.length))
  const exited = track(proc, log)
  return {
    bytes: () => bytes,
    stderr: () => log.join(''),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
      await exited
    },
  }
}

export interface ProbeResult {
  duration: number
  video?: { width: number; height: number; codec: string }
  audio?: { codec: string; sampleRate: number }
}

/** ffprobe a file or URL. */
export async function probe(target: string, timeoutMs = 15000): Promise<ProbeResult> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', target]
  const proc = spawn(ffmpegPaths().ffprobe, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs)
  const errs: string[] = []
  const code = await track(proc, errs)
  clearTimeout(timer)
  if (code !== 0) throw new Error(`ffprobe ${target} exited with ${code}: ${errs.join('')}`)
  const info = JSON.parse(out) as {
    format: { duration?: string }
    streams: Array<{
      codec_type: string
      codec_name: string
      width?: number
      height?: number
      sample_rate?: string
    }>
  }
  const v = info.streams.find((s) => s.codec_type === 'video')
  const a = info.streams.find((s) => s.codec_type === 'audio')
  return {
    duration: Number(info.format.duration ?? 0),
    video: v ? { width: v.width ?? 0, height: v.height ?? 0, codec: v.codec_name } : undefined,
    audio: a ? { codec: a.codec_name, sampleRate: Number(a.sample_rate ?? 0) } : undefined,
  }
}

/** Kill whatever media process a test left running. */
export async function stopAllMedia(): Promise<void> {
  const procs = [...running]
  for (const p of procs) p.kill('SIGKILL')
  await Promise.all(
    procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.on('exit', r)))),
  )
}

/** One decoded grey frame (width × height bytes) of a live stream, or null. */
export function grabGray(
  url: string,
  width = 640,
  height = 360,
  timeoutMs = 8000,
): Promise<Buffer | null> {
  const args = ['-v', 'error', '-probesize', '32768', '-analyzeduration', '0']
  args.push('-rw_timeout', String(timeoutMs * 1000), '-i', url, '-frames:v', '1')
  args.push('-f', 'rawvideo', '-pix_fmt', 'gray', '-')
  const proc = spawn(ffmpegPaths().ffmpeg, args, { stdio: ['ignore', 'pipe', 'ignore'] })
  const chunks: Buffer[] = []
  proc.stdout?.on('data', (d: Buffer) => chunks.push(d))
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs)
  const exited = track(proc, [])
  return exited.then(() => {
    clearTimeout(timer)
    const frame = Buffer.concat(chunks)
    return frame.length === width * height ? frame : null
  })
}

/** Mean luma of cell (col, row) of a 2x2 grid over a 640x360 frame, 20 px inside its border. */
export function cellLuma(
  frame: Buffer,
  col: number,
  row: number,
  width = 640,
  height = 360,
): number {
  const cw = width / 2
  const ch = height / 2
  let sum = 0
  let n = 0
  for (let y = row * ch + 20; y < row * ch + ch - 20; y++) {
    for (let x = col * cw + 20; x < col * cw + cw - 20; x++) {
      sum += frame[y * width + x]
      n++
    }
  }
  return sum / n
}

/** ffmpeg/ffprobe processes whose parent is this process, from the OS process table. */
export function mediaChildren(): string[] {
  let out = ''
  try {
    out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)]).toString()
  } catch {
    return [] // ps exits 1 when the process has no children at all
  }
  return out.split('\n').filter((l) => /ffmpeg|ffprobe/.test(l))
}

/**
 * The sound of a live stream as a player hears it: `seconds` of its audio decoded to mono PCM at
 * `rate` Hz (null when nothing could be played). Video is not decoded.
 */
export async function pullAudio(
  url: string,
  { seconds = 3, rate = 16000, timeoutMs = 15000 } = {},
): Promise<Float32Array | null> {
  const args = ['-hide_banner', '-loglevel', 'error', '-rw_timeout', String(timeoutMs * 1000)]
  args.push('-i', url, '-map', '0:a:0', '-t', String(seconds), '-ac', '1', '-ar', String(rate))
  args.push('-f', 's16le', '-')
  const proc = spawn(ffmpegPaths().ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const chunks: Buffer[] = []
  proc.stdout?.on('data', (d: Buffer) => chunks.push(d))
  const drained = new Promise((r) => proc.stdout?.once('close', r))
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs + seconds * 1000)
  await track(proc, [])
  await drained
  clearTimeout(timer)
  const pcm = Buffer.concat(chunks)
  const n = Math.floor(pcm.length / 2)
  if (n < (rate * seconds) / 2) return null
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = pcm.readInt16LE(i * 2) / 32768
  return out
}
