// Glass-to-glass through the browser paths, measured with a clock drawn into the frames (a
// 24-bar code of the milliseconds since a shared base), and the ingest's CPU per browser
// publisher. Figures are printed, not asserted (a shared machine): the test asserts only that
// frames went through and their clock could be read.
//
//  browser → others: canvas clock → MediaRecorder → /ingest → ffmpeg (copy) → engine → RTMP pull
//  others → browser: ffmpeg (x264 zerolatency) → engine → HTTP-FLV → mpegts.js → <video>
import { spawn } from 'child_process'
import type { ConferenceServer } from 'miniprogram-conference-server'
import { ffmpegPaths } from '../../server/media/ffmpeg'
import { realtimeH264 } from '../../testkit/ffmpeg'
import { nodeClient } from '../../testkit/sdk-client'
import { cpuMs } from '../../testkit/procs'
import { waitForVideo } from './browser'
import { drawBars, IN_PAGE, readBars } from './clock-code'
import { roomKit } from './room'

jest.setTimeout(120_000)

let server: ConferenceServer
const { joinFromPage, browserStreamAt, clients } = roomKit({ dev: true }, (s) => {
  server = s
})
const BASE = Date.now()
const W = 320
const H = 180
const FPS = 15
const SECONDS = 8

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b)
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]
  return { n: s.length, p10: q(0.1), median: q(0.5), p90: q(0.9) }
}

/** Replaces the page's getUserMedia: a canvas drawing the clock, and a tone. */
const canvasCamera = `${IN_PAGE}
navigator.mediaDevices.getUserMedia = async () => {
  const canvas = document.createElement('canvas')
  canvas.width = ${W}
  canvas.height = ${H}
  const ctx = canvas.getContext('2d')
  setInterval(() => drawBarsOn(ctx, Date.now() - ${BASE}, ${W}, ${H}), ${Math.round(1000 / FPS / 2)})
  const audio = new AudioContext()
  const osc = audio.createOscillator()
  const dest = audio.createMediaStreamDestination()
  osc.connect(dest)
  osc.start()
  return new MediaStream([...canvas.captureStream(${FPS}).getVideoTracks(), ...dest.stream.getAudioTracks()])
}`

describe('glass-to-glass through the browser', () => {
  it('measures browser → Node and Node → browser, and the ingest CPU per publisher', async () => {
    const room = 'latency'
    const node = await nodeClient(server, 'lat-node')
    clients.push(node)
    await node.emedia.mgr.joinRoom({ roomName: room, role: 3 })

    // ---- browser → Node: the page's camera is a canvas showing the clock ----
    const browserPage = await joinFromPage(room, 'lat-web', canvasCamera)
    const stream = await browserStreamAt(node, 'lat-web')
    const url = (await node.emedia.mgr.subStream(stream)).data.rtmp
    const pull = spawn(
      ffmpegPaths().ffmpeg,
      [
        '-v',
        'error',
        '-fflags',
        'nobuffer',
        '-flags',
        'low_delay',
        '-probesize',
        '32768',
        '-analyzeduration',
        '0',
        '-vsync',
        '0',
        '-i',
        url,
        '-an',
        '-vf',
        `scale=${W}:${H}`,
        '-f',
        'rawvideo',
        '-pix_fmt',
        'gray',
        '-t',
        String(SECONDS),
        '-',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    )
    const toNode: number[] = []
    let buf = Buffer.alloc(0)
    const started = Date.now()
    pull.stdout.on('data', (d: Buffer) => {
      const now = Date.now()
      buf = Buffer.concat([buf, d])
      while (buf.length >= W * H) {
        const frame = buf.subarray(0, W * H)
        buf = buf.subarray(W * H)
        // The first second drains the engine's cached GOP: not steady state.
        if (now - started > 2000) toNode.push(now - BASE - readBars(frame, W, H))
      }
    })
    const ingestPid = server.ingest.pids()[0]
    const cpu0 = cpuMs(ingestPid) / 1000
    const t0 = Date.now()
    await new Promise((r) => pull.on('exit', r))
    const ingestCpu = (cpuMs(ingestPid) / 1000 - cpu0) / ((Date.now() - t0) / 1000)

    // ---- Node → browser: ffmpeg encodes the clock, the page reads it off its <video> ----
    const pub = await node.emedia.mgr.pubStream('clock')
    // Raw grey frames with the clock drawn in, from stdin; a tone, so the stream has audio.
    const input = ['-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${W}x${H}`, '-r', String(FPS)]
    const tone = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100']
    const output = ['-c:a', 'aac', '-f', 'flv', pub.data.rtmp]
    const push = spawn(
      ffmpegPaths().ffmpeg,
      ['-v', 'error', ...input, '-i', 'pipe:0', ...tone, ...realtimeH264(FPS), ...output],
      { stdio: ['pipe', 'ignore', 'ignore'] },
    )
    push.stdin.on('error', () => {})
    const ticker = setInterval(
      () => push.stdin.write(drawBars(Date.now() - BASE, W, H)),
      Math.round(1000 / FPS),
    )
    const sid = pub.data.streamId
    await browserPage.waitForSelector(`video[data-stream-id="${sid}"]`, { timeout: 30000 })
    await waitForVideo(browserPage, sid)
    await browserPage.waitForTimeout(2000) // past the first GOP and the player's catch-up
    const toBrowser = (await browserPage.evaluate(`${IN_PAGE}
    new Promise((resolve) => {
      const video = document.querySelector('video[data-stream-id="${sid}"]')
      const canvas = document.createElement('canvas')
      canvas.width = ${W}; canvas.height = ${H}
      const ctx = canvas.getContext('2d', { willReadFrequently: true })
      const out = []
      const end = Date.now() + ${SECONDS * 1000 - 2000}
      // Polled every 10 ms (requestVideoFrameCallback does not fire in headless Chromium): a
      // new frame is read at most 10 ms late.
      let last = -1
      const timer = setInterval(() => {
        const now = Date.now()
        if (video.currentTime !== last) {
          last = video.currentTime
          ctx.drawImage(video, 0, 0, ${W}, ${H})
          out.push(now - ${BASE} - readBarsFrom(ctx, ${W}, ${H}))
        }
        if (now >= end) {
          clearInterval(timer)
          resolve(out)
        }
      }, 10)
    })`)) as number[]
    clearInterval(ticker)
    push.kill('SIGKILL')

    // A bad read (a frame mid-transition) shows as an absurd value: keep the plausible ones.
    const plausible = (xs: number[]) => xs.filter((x) => x >= 0 && x < 10_000)
    const up = stats(plausible(toNode))
    const down = stats(plausible(toBrowser))
    console.log(
      [
        `browser → Node (MediaRecorder 100 ms chunks, ingest -c:v copy, RTMP pull): ${JSON.stringify(up)} ms`,
        `Node → browser (x264 zerolatency, HTTP-FLV, mpegts.js): ${JSON.stringify(down)} ms`,
        `ingest ffmpeg CPU per browser publisher (${W}x${H}@${FPS}, copy + AAC): ${(ingestCpu * 100).toFixed(1)}% of one core`,
      ].join('\n'),
    )
    expect(up.n).toBeGreaterThan(FPS)
    expect(down.n).toBeGreaterThan(FPS)
    await browserPage.close()
  })
})
