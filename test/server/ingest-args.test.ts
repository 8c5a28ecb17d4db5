// What one browser upload may cost in CPU: the server decodes VP8/VP9/AV1 only up to
// MAX_INPUT_PIXELS and encodes at most MAX_OUTPUT_SIDE on the long side, whatever the page sends.
// Real ffmpeg, with the ingest's own arguments, writing to a file instead of a push URL.
import { execFileSync, spawnSync } from 'child_process'
import { mkdtempSync, readFileSync, rmSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import { ffmpegPaths } from '../../server/media/ffmpeg'
import { ingestArgs } from '../../server/media/ingest-args'

const { ffmpeg, ffprobe } = ffmpegPaths()
let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-ingest-args-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** One second of VP8 WebM at `size`, as a MediaRecorder would upload it. */
function webm(size: string): Buffer {
  const file = join(dir, `${size}.webm`)
  execFileSync(ffmpeg, [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=5`],
    ...[
      '-t',
      '1',
      '-c:v',
      'libvpx',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-b:v',
      '500k',
      '-f',
      'webm',
      '-y',
      file,
    ],
  ])
  return readFileSync(file)
}

/**
 * The ingest's arguments but +nobuffer: that flag wants a live-paced input, and a whole file on
 * stdin at once makes the bundled ffmpeg drop VP8 frames as undecodable.
 */
function ingestInto(input: Buffer, out: string) {
  const args = ingestArgs('vp8', out)
  const at = args.indexOf('+nobuffer')
  if (at > 0) args.splice(at - 1, 2)
  return spawnSync(ffmpeg, args, { input, timeout: 30000 })
}

function size(file: string): string {
  return execFileSync(ffprobe, [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height'],
    ...['-of', 'csv=p=0:s=x', file],
  ])
    .toString()
    .trim()
}

test('a 1080p upload is encoded at 1280x720; a portrait one keeps its aspect', () => {
  const out = join(dir, 'wide.flv')
  expect(ingestInto(webm('1920x1080'), out).status).toBe(0)
  expect(size(out)).toBe('1280x720')
  const tall = join(dir, 'tall.flv')
  expect(ingestInto(webm('1080x1920'), tall).status).toBe(0)
  expect(size(tall)).toBe('720x1280')
  // A small one is left as it is.
  const small = join(dir, 'small.flv')
  expect(ingestInto(webm('640x360'), small).status).toBe(0)
  expect(size(small)).toBe('640x360')
})

test('an upload over 1920x1088 is not decoded at all', () => {
  const out = join(dir, 'huge.flv')
  const r = ingestInto(webm('2560x1440'), out)
  expect(r.status).not.toBe(0)
  expect(r.stderr.toString()).toMatch(/video_size|Invalid|max_pixels|Error/i)
})
