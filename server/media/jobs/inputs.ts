// How a media job reads a live input, and a quick probe of what an input carries.
import { type ChildProcess, spawn } from 'child_process'
import { ffmpegPaths } from '../ffmpeg'

/** Default rw_timeout: a live input silent this long counts as ended (RTMP has no reconnect). */
export const DEFAULT_INPUT_TIMEOUT_MS = 5000

/**
 * Options placed before `-i url`. rw_timeout: ffmpeg blocks forever on an RTMP play of a stream
 * that is not (or no longer) published — node-media-server keeps such a player waiting — so
 * without it a dead input would hang a job. Small probing: the engine sends the codec headers
 * and its GOP cache at once, 32 KB are enough to find both streams (~0.2 s instead of 2–2.5 s),
 * which matters because ffmpeg opens its inputs one after the other.
 */
export function liveInputArgs(url: string, timeoutMs = DEFAULT_INPUT_TIMEOUT_MS): string[] {
  if (!url || typeof url !== 'string') throw new Error('media job: input URL is required')
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new Error(`media job: input timeout must be a positive number of ms, got ${timeoutMs}`)
  }
  return [
    '-rw_timeout',
    String(Math.round(timeoutMs * 1000)),
    '-probesize',
    '32768',
    '-analyzeduration',
    '0',
    '-i',
    url,
  ]
}

export interface InputInfo {
  video: boolean
  audio: boolean
}

/**
 * What an input carries; null when it is not live (refused, not published, timed out). Same
 * probing settings as the jobs use, so what it finds is what the job will find.
 */
export function probeInput(
  url: string,
  {
    timeoutMs = DEFAULT_INPUT_TIMEOUT_MS,
    signal,
    track,
  }: {
    timeoutMs?: number
    /** Kills the probe (its owner stops). */
    signal?: AbortSignal
    /** Sees the ffprobe process, e.g. Supervisor.adopt so that stopAll() covers it. */
    track?: (proc: ChildProcess) => void
  } = {},
): Promise<InputInfo | null> {
  const input = liveInputArgs(url, timeoutMs)
  const args = ['-v', 'error', ...input.slice(0, -2), '-show_entries', 'stream=codec_type']
  args.push('-of', 'csv=p=0', url)
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(null)
    const proc = spawn(ffmpegPaths().ffprobe, args, { stdio: ['ignore', 'pipe', 'ignore'] })
    // The owner stopping must not leave a probe behind.
    const abort = () => proc.kill('SIGKILL')
    signal?.addEventListener('abort', abort)
    track?.(proc)
    let out = ''
    proc.stdout?.on('data', (d: Buffer) => (out += d.toString()))
    // rw_timeout covers a silent socket; this covers a peer that trickles bytes.
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs + 2000)
    proc.on('error', () => undefined)
    proc.on('close', (code) => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', abort)
      const kinds = out.split(/\s+/)
      const info = { video: kinds.includes('video'), audio: kinds.includes('audio') }
      resolve(code === 0 && (info.video || info.audio) ? info : null)
    })
  })
}
