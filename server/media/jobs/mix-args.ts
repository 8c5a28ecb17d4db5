// ffmpeg arguments of a mix (pure): N live inputs → one grid picture + one mixed voice track, and
// optionally mix-minus outputs: the same picture with a voice mix that leaves some inputs out
// (a talker's own voice, which it must not hear back from the mix a second late).
import { gridLayout } from './layout'
import { fragmentedMp4Args } from './container'
import { DEFAULT_INPUT_TIMEOUT_MS, liveInputArgs } from './inputs'

export interface MixInput {
  url: string
  /** What the input carries (probed): a missing track is replaced, never referenced. */
  video: boolean
  audio: boolean
}

export interface MixEncoding {
  width: number
  height: number
  fps: number
  /** x264 target bitrate, e.g. '800k'. */
  videoBitrate: string
  audioBitrate: string
}

export const DEFAULT_ENCODING: MixEncoding = {
  width: 640,
  height: 360,
  fps: 15,
  videoBitrate: '800k',
  audioBitrate: '64k',
}

export type MixTarget = { rtmp: string } | { file: string }

/** A mix-minus output: the mix's picture, pushed to `rtmp`, with every voice but `without`'s. */
export interface MinusOutput {
  rtmp: string
  /** Input URLs whose voice this output leaves out (those not live are not in the mix anyway). */
  without: string[]
}

/** Voice is mono 44.1 kHz everywhere, so every segment of a recording has the same format. */
const AUDIO_FORMAT = 'aformat=sample_fmts=fltp:sample_rates=44100:channel_layouts=mono'
/** Tile of a talker without video (camera off). */
const NO_VIDEO_COLOR = '0x202020'

export function mixFilterGraph(
  inputs: MixInput[],
  enc: MixEncoding,
  minus: MinusOutput[] = [],
): string {
  const layout = gridLayout(inputs.length, enc.width, enc.height)
  const { w, h } = layout.tiles[0]
  const x0 = layout.tiles[0].x
  const y0 = layout.tiles[0].y
  const parts: string[] = []
  const cells: string[] = []
  inputs.forEach((input, i) => {
    if (input.video) {
      // Fit inside the tile keeping the aspect ratio (even sizes for yuv420p), then letterbox.
      const k = `min(${w}/iw,${h}/ih)`
      const fit = `scale=w='trunc(${k}*iw/2)*2':h='trunc(${k}*ih/2)*2'`
      const pad = `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2`
      parts.push(`[${i}:v]fps=${enc.fps},${fit},${pad},setsar=1,format=yuv420p[v${i}]`)
    } else {
      parts.push(`color=c=${NO_VIDEO_COLOR}:s=${w}x${h}:r=${enc.fps},format=yuv420p[v${i}]`)
    }
    cells.push(`[v${i}]`)
  })
  // ffmpeg 4.1's xstack leaves uncovered cells undefined: fill them with black tiles.
  layout.empty.forEach((_, e) => {
    parts.push(`color=c=black:s=${w}x${h}:r=${enc.fps},format=yuv420p[e${e}]`)
    cells.push(`[e${e}]`)
  })
  const gridW = w * layout.cols
  const gridH = h * layout.rows
  const border =
    gridW === enc.width && gridH === enc.height
      ? 'null'
      : `pad=${enc.width}:${enc.height}:${x0}:${y0}:color=black`
  if (cells.length === 1) {
    parts.push(`${cells[0]}${border}[vout]`)
  } else {
    const pos = [...layout.tiles, ...layout.empty].map((r) => `${r.x - x0}_${r.y - y0}`).join('|')
    parts.push(`${cells.join('')}xstack=inputs=${cells.length}:layout=${pos},${border}[vout]`)
  }
  parts.push(...voiceGraph(inputs, minus))
  return parts.join(';')
}

/** The voice mixes: [aout] of every voice, then [aout1], [aout2]… one per minus output. */
function voiceGraph(inputs: MixInput[], minus: MinusOutput[]): string[] {
  const voiced = inputs.map((input, i) => (input.audio ? i : -1)).filter((i) => i >= 0)
  const mixes = [
    { label: 'aout', voices: voiced },
    ...minus.map((m, k) => ({
      label: `aout${k + 1}`,
      voices: voiced.filter((i) => !m.without.includes(inputs[i].url)),
    })),
  ]
  // Each voice is decoded once and split into as many copies as mixes hear it.
  const uses = new Map<number, string[]>()
  for (const mix of mixes) {
    for (const i of mix.voices) {
      const list = uses.get(i) ?? []
      list.push(`a${i}_${list.length}`)
      uses.set(i, list)
    }
  }
  const parts: string[] = []
  for (const [i, copies] of uses) {
    const split = copies.length > 1 ? `,asplit=${copies.length}` : ''
    parts.push(
      `[${i}:a]aresample=async=1000,${AUDIO_FORMAT}${split}${copies.map((c) => `[${c}]`).join('')}`,
    )
  }
  const taken = new Map<number, number>()
  for (const { label, voices } of mixes) {
    const labels = voices.map((i) => {
      const n = taken.get(i) ?? 0
      taken.set(i, n + 1)
      return `[a${i}_${n}]`
    })
    // amix scales each voice by 1/n; silence when nobody is heard.
    if (labels.length === 0) parts.push(`anullsrc=r=44100:cl=mono[${label}]`)
    else if (labels.length === 1) parts.push(`${labels[0]}anull[${label}]`)
    else {
      const n = labels.length
      parts.push(
        `${labels.join('')}amix=inputs=${n}:duration=longest:dropout_transition=0[${label}]`,
      )
    }
  }
  return parts
}

/** One tee slave: FLV to an RTMP URL, with the picture and the `audio`th voice mix. */
function teeSlave(url: string, audio: number, onfail: 'abort' | 'ignore'): string {
  if (/[|[\]]/.test(url)) throw new Error(`mixer: a push URL may not contain | [ ]: ${url}`)
  return `[f=flv:flvflags=no_duration_filesize:onfail=${onfail}:select=\\'v:0,a:${audio}\\']${url}`
}

export function mixArgs(
  inputs: MixInput[],
  target: MixTarget,
  enc: MixEncoding = DEFAULT_ENCODING,
  inputTimeoutMs?: number,
  minus: MinusOutput[] = [],
): string[] {
  if (minus.length > 0 && !('rtmp' in target)) throw new Error('mixer: minus outputs are live only')
  const args = ['-hide_banner', '-loglevel', 'warning']
  for (const input of inputs) args.push(...liveInputArgs(input.url, inputTimeoutMs))
  args.push(
    '-filter_complex',
    mixFilterGraph(inputs, enc, minus),
    '-map',
    '[vout]',
    '-map',
    '[aout]',
  )
  minus.forEach((_, k) => args.push('-map', `[aout${k + 1}]`))
  const fps = String(enc.fps)
  // GOP of 1 s: a viewer joining the live mix waits at most a second for a key frame.
  args.push(
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-pix_fmt',
    'yuv420p',
  )
  args.push('-r', fps, '-g', fps, '-keyint_min', fps, '-sc_threshold', '0')
  args.push('-b:v', enc.videoBitrate, '-maxrate', enc.videoBitrate, '-bufsize', enc.videoBitrate)
  args.push('-c:a', 'aac', '-b:a', enc.audioBitrate, '-ar', '44100', '-ac', '1')
  args.push('-max_muxing_queue_size', '1024')
  if (minus.length > 0 && 'rtmp' in target) {
    // One encoded picture for every output: the tee muxer sends it to each, with that output's
    // voice mix. A failing minus output is dropped (onfail=ignore); the room's mix failing ends
    // the job. The tee cannot pass rw_timeout to its outputs: a stop still interrupts them.
    const slaves = [
      teeSlave(target.rtmp, 0, 'abort'),
      ...minus.map((m, k) => teeSlave(m.rtmp, k + 1, 'ignore')),
    ]
    // FLV needs the codec headers out of band, which the tee does not ask the encoders for.
    args.push('-flags', '+global_header', '-f', 'tee', slaves.join('|'))
  } else if ('rtmp' in target) {
    // rw_timeout on the push too: an engine that stops reading must not hang the mix forever.
    const timeout = String((inputTimeoutMs ?? DEFAULT_INPUT_TIMEOUT_MS) * 1000)
    args.push('-f', 'flv', '-flvflags', 'no_duration_filesize', '-rw_timeout', timeout, target.rtmp)
  } else {
    args.push(...fragmentedMp4Args(), '-y', target.file)
  }
  return args
}
