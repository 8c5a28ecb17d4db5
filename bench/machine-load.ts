// How busy the whole machine was while a figure was measured (this bench and anything else on
// it): the share of all CPUs' time spent busy (/proc/stat) and the 1-minute load average at the
// start and the end. On a shared box this says which figures to trust.
import { readFileSync } from 'fs'
import { round } from './stats'

export interface MachineLoad {
  /** Busy share of all CPUs over the window, % (null where /proc/stat is unreadable). */
  busyPct: number | null
  /** 1-minute load average at the start and at the end. */
  loadAvg: [number, number]
}

function cpuTimes(): { busy: number; total: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1)
    const t = fields.map(Number)
    // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
    const total = t.slice(0, 8).reduce((a, b) => a + b, 0)
    return { busy: total - t[3] - t[4], total }
  } catch {
    return null
  }
}

function loadAvg1(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])
  } catch {
    return NaN
  }
}

/** Starts a window now; the function it returns ends it. */
export function machineLoad(): () => MachineLoad {
  const t0 = cpuTimes()
  const l0 = loadAvg1()
  return () => {
    const t1 = cpuTimes()
    const busyPct =
      t0 && t1 && t1.total > t0.total
        ? round((100 * (t1.busy - t0.busy)) / (t1.total - t0.total), 1)
        : null
    return { busyPct, loadAvg: [l0, loadAvg1()] }
  }
}
