// Numbers for a noisy shared machine: medians and percentiles (never means alone), the machine the
// figures came from, and a monotonic clock that two processes on one host can compare.
import { readFileSync } from 'fs'
import { cpus, totalmem } from 'os'

/** CLOCK_MONOTONIC in ms: the same clock in every process of this host (libuv's uv_hrtime). */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}

/** Nearest-rank percentile of `values` (p in 0..100); NaN for no values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}

export const median = (values: number[]) => percentile(values, 50)

export interface Summary {
  n: number
  p50: number
  p99: number
  max: number
}

export function summarize(values: number[]): Summary {
  return {
    n: values.length,
    p50: round(percentile(values, 50)),
    p99: round(percentile(values, 99)),
    max: round(percentile(values, 100)),
  }
}

/** Two decimals at most, so results.json stays readable. */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

export interface Machine {
  nproc: number
  cpuModel: string
  memGiB: number
  node: string
  platform: string
  kernel: string
}

export function machine(): Machine {
  let cpuModel = cpus()[0]?.model ?? 'unknown'
  try {
    const line = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    if (line) cpuModel = line[1].trim()
  } catch {
    // not Linux: os.cpus() is what there is
  }
  let kernel = ''
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()
  } catch {
    kernel = process.platform
  }
  return {
    nproc: cpus().length,
    cpuModel,
    memGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    kernel,
  }
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i], i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
