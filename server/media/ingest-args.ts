// ffmpeg arguments of a browser ingest: the WebM that MediaRecorder writes, read from stdin,
// pushed as FLV (H.264 + AAC, what live-player and the engines take) to the member's push URL.

/** Video codecs a browser's MediaRecorder may produce, as the page declares them. */
export const INGEST_CODECS = ['h264', 'vp8', 'vp9', 'av1'] as const
export type IngestCodec = (typeof INGEST_CODECS)[number]

/**
 * What the server decodes: a picture over 1920×1088 is refused by the decoder (ffmpeg ends, the
 * page is told), so a sender cannot pick what one upload costs.
 */
export const MAX_INPUT_PIXELS = 1920 * 1088
/** The long side of what the server encodes: larger pictures are scaled down, aspect kept. */
export const MAX_OUTPUT_SIDE = 1280

export function ingestArgs(codec: IngestCodec, pushUrl: string): string[] {
  const args = ['-hide_banner', '-loglevel', 'warning', '-nostats']
  // Start on the first bytes: MediaRecorder's header carries every codec parameter.
  args.push('-fflags', '+nobuffer', '-probesize', '65536', '-analyzeduration', '0')
  if (codec !== 'h264') args.push('-max_pixels', String(MAX_INPUT_PIXELS))
  args.push('-f', 'matroska,webm', '-i', 'pipe:0')
  args.push('-map', '0:v:0?', '-map', '0:a:0?')
  if (codec === 'h264') {
    // The browser already encoded H.264: copy it, no CPU spent on video.
    args.push('-c:v', 'copy')
  } else {
    // VP8/VP9/AV1 cannot go into FLV: the one case where the server encodes, at a bounded size.
    const k = `min(1,${MAX_OUTPUT_SIDE}/max(iw,ih))`
    args.push('-vf', `scale='trunc(${k}*iw/2)*2':'trunc(${k}*ih/2)*2'`)
    args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency')
    args.push('-pix_fmt', 'yuv420p', '-g', '30', '-b:v', '800k')
  }
  // Opus cannot go into FLV either; AAC is cheap next to video.
  args.push('-c:a', 'aac', '-b:a', '64k', '-ar', '44100', '-ac', '2')
  args.push('-flvflags', 'no_duration_filesize', '-rw_timeout', '5000000')
  args.push('-f', 'flv', pushUrl)
  return args
}
