// A clock drawn into video frames, for glass-to-glass measurement: the milliseconds since a base
// instant as 24 black/white bars (most significant first), read back from a decoded frame.
// Sender and receiver run on one machine, so they share the clock.
export const BITS = 24

/** Grey frame (width × height bytes) with `value` drawn as bars. */
export function drawBars(value: number, width: number, height: number): Buffer {
  const frame = Buffer.alloc(width * height)
  const bar = width / BITS
  for (let b = 0; b < BITS; b++) {
    if (!((value >> (BITS - 1 - b)) & 1)) continue
    for (let y = 0; y < height; y++)
      frame.fill(255, y * width + Math.round(b * bar), y * width + Math.round((b + 1) * bar))
  }
  return frame
}

/** The value in a grey frame: each bar's centre pixel on the middle row. */
export function readBars(frame: Uint8Array, width: number, height: number): number {
  const bar = width / BITS
  const row = Math.floor(height / 2) * width
  let value = 0
  for (let b = 0; b < BITS; b++)
    value = (value << 1) | (frame[row + Math.floor((b + 0.5) * bar)] > 128 ? 1 : 0)
  return value
}

/** The same two functions as in-page JavaScript (a canvas sender and a <video> reader). */
export const IN_PAGE = `
const BITS = ${BITS}
function drawBarsOn(ctx, value, width, height) {
  ctx.fillStyle = '#000'
  ctx.fillRect(0, 0, width, height)
  ctx.fillStyle = '#fff'
  const bar = width / BITS
  for (let b = 0; b < BITS; b++)
    if ((value >> (BITS - 1 - b)) & 1) ctx.fillRect(Math.round(b * bar), 0, Math.round((b + 1) * bar) - Math.round(b * bar), height)
}
function readBarsFrom(ctx, width, height) {
  const px = ctx.getImageData(0, Math.floor(height / 2), width, 1).data
  const bar = width / BITS
  let value = 0
  for (let b = 0; b < BITS; b++) {
    const i = Math.floor((b + 0.5) * bar) * 4
    value = (value << 1) | (0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2] > 128 ? 1 : 0)
  }
  return value
}
`
