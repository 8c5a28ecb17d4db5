// Publishing from a browser: MediaRecorder (H.264 in WebM where the browser offers it, so the
// server copies the video instead of encoding it) → binary WebSocket → the server's ffmpeg
// ingest, which pushes to this member's own signed push URL.

const MIME_PREFERENCE: Array<[string, 'h264' | 'vp9' | 'vp8']> = [
  ['video/webm;codecs=h264,opus', 'h264'],
  ['video/webm;codecs=avc1,opus', 'h264'],
  ['video/x-matroska;codecs=avc1,opus', 'h264'],
  ['video/webm;codecs=vp8,opus', 'vp8'],
  ['video/webm;codecs=vp9,opus', 'vp9'],
]

export function pickRecorderType(): { mimeType: string; codec: 'h264' | 'vp9' | 'vp8' } {
  for (const [mimeType, codec] of MIME_PREFERENCE)
    if (MediaRecorder.isTypeSupported(mimeType)) return { mimeType, codec }
  throw new Error('this browser cannot record WebM video')
}

/** How often MediaRecorder hands over a chunk: the delay this path adds before the network. */
const TIMESLICE_MS = 100

export interface Upload {
  readonly codec: string
  stop(): void
}

export function startUpload(
  media: MediaStream,
  pushUrl: string,
  onEnd: (code: number, reason: string) => void,
): Upload {
  const { mimeType, codec } = pickRecorderType()
  const wsUrl = new URL('/ingest', location.href)
  wsUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
  wsUrl.searchParams.set('url', pushUrl)
  wsUrl.searchParams.set('codec', codec)
  const ws = new WebSocket(wsUrl.toString())
  let recorder: MediaRecorder | null = null
  let stopped = false
  ws.onopen = () => {
    // videoKeyFrameIntervalDuration (Chromium): a key frame every second, so that a player who
    // arrives late starts within a second.
    const options = {
      mimeType,
      videoBitsPerSecond: 800_000,
      audioBitsPerSecond: 64_000,
      videoKeyFrameIntervalDuration: 1000,
    } as MediaRecorderOptions
    recorder = new MediaRecorder(media, options)
    recorder.ondataavailable = (e) => {
      if (e.data.size > 0 && ws.readyState === WebSocket.OPEN) ws.send(e.data)
    }
    recorder.start(TIMESLICE_MS)
  }
  ws.onclose = (e) => {
    if (recorder && recorder.state !== 'inactive') recorder.stop()
    if (!stopped) onEnd(e.code, e.reason)
  }
  return {
    codec,
    stop() {
      stopped = true
      if (recorder && recorder.state !== 'inactive') recorder.stop()
      ws.close(1000, 'stopped')
    },
  }
}
