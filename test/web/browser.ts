// Debian's chromium driven by playwright-core for the browser pages' tests: a fake camera and
// microphone (Chromium's own test pattern and beep), no permission prompts, autoplay allowed.
import { mkdirSync } from 'fs'
import os from 'os'
import path from 'path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { until } from '../../testkit/wait'

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the scripts are CommonJS
const { CHROMIUM, HEADLESS_ARGS } = require('../../scripts/chromium') as {
  CHROMIUM: string
  HEADLESS_ARGS: string[]
}

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      ...HEADLESS_ARGS,
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  })
}

// In-page code is plain JavaScript text: the tests' TypeScript has no DOM types (the Node side's
// fetch/Headers would clash with them).
const VIDEO_FACTS = `async (id, gap) => {
  const video = document.querySelector('video[data-stream-id="' + id + '"]')
  if (!video) return null
  const t0 = video.currentTime
  await new Promise((r) => setTimeout(r, gap))
  const canvas = document.createElement('canvas')
  canvas.width = 64
  canvas.height = 36
  const ctx = canvas.getContext('2d')
  ctx.drawImage(video, 0, 0, 64, 36)
  const px = ctx.getImageData(0, 0, 64, 36).data
  let luma = 0
  for (let i = 0; i < px.length; i += 4) luma += 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2]
  return {
    width: video.videoWidth,
    height: video.videoHeight,
    advanced: video.currentTime - t0,
    meanLuma: luma / (px.length / 4),
  }
}`

export interface VideoFacts {
  width: number
  height: number
  /** Seconds currentTime moved in the sampling gap. */
  advanced: number
  /** Mean luma (0-255) of the frame drawn into a canvas: a black frame is under ~20. */
  meanLuma: number
}

/** Playback facts of the <video> of `streamId`, sampled `gapMs` apart; null when none. */
export function videoFacts(page: Page, streamId: string, gapMs = 1000): Promise<VideoFacts | null> {
  return page.evaluate(`(${VIDEO_FACTS})(${JSON.stringify(streamId)}, ${gapMs})`)
}

/**
 * Waits until the <video> of `streamId` has a decoded picture. Polled from here: the pages' CSP
 * forbids the eval that page.waitForFunction's in-page polling of a string would need.
 */
export async function waitForVideo(page: Page, streamId: string, timeout = 30000): Promise<void> {
  const sel = JSON.stringify(`video[data-stream-id="${streamId}"]`)
  const decoded = `(document.querySelector(${sel})?.videoWidth ?? 0) > 0`
  await until(() => page.evaluate<boolean>(decoded), timeout, `a picture in ${sel}`, 100)
}

/**
 * Where a page screenshot goes: docs/screenshots/<name>.png with CK_SCREENSHOTS=1 (how the
 * README's images are refreshed), else a temporary directory, so that a test run leaves the
 * working tree as it found it.
 */
export function screenshotPath(name: string): string {
  const dir = process.env.CK_SCREENSHOTS
    ? path.resolve(__dirname, '../../docs/screenshots')
    : path.join(os.tmpdir(), 'ck-screenshots')
  mkdirSync(dir, { recursive: true })
  return path.join(dir, `${name}.png`)
}
