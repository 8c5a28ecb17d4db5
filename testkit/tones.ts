// What a player hears, as numbers: the level of given tones in decoded PCM (Goertzel over a
// Hann window, so that one tone does not leak into the others' bins).

/** Amplitude (0..1 of full scale) of each frequency in `samples` (mono, `rate` Hz). */
export function toneLevels(samples: Float32Array, rate: number, freqs: number[]): number[] {
  const n = samples.length
  if (n === 0) return freqs.map(() => 0)
  const windowed = new Float32Array(n)
  let gain = 0
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1))
    windowed[i] = samples[i] * w
    gain += w
  }
  return freqs.map((f) => {
    const coeff = 2 * Math.cos((2 * Math.PI * f) / rate)
    let s1 = 0
    let s2 = 0
    for (let i = 0; i < n; i++) {
      const s0 = windowed[i] + coeff * s1 - s2
      s2 = s1
      s1 = s0
    }
    const power = s1 * s1 + s2 * s2 - coeff * s1 * s2
    // |X(f)| of a sine of amplitude A under the window is A * gain / 2.
    return (2 * Math.sqrt(Math.max(power, 0))) / gain
  })
}

/** Amplitude as dB of full scale (−Infinity for silence). */
export const dbfs = (amplitude: number) => 20 * Math.log10(amplitude)
