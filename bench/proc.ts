// CPU and memory of other processes, read from /proc: the server child, and the nginx master and
// worker it runs. Reading /proc costs the measured processes nothing.
import { execFileSync } from 'child_process'
import { readFileSync } from 'fs'

const TICKS_PER_SEC = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
  } catch {
    return 100
  }
})()

/** utime + stime of one process, in ms (0 when it is gone). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may hold spaces.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / TICKS_PER_SEC
  } catch {
    return 0
  }
}

/** Resident set size of one process in MB (0 when it is gone). */
export function rssMB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : 0
  } catch {
    return 0
  }
}

export function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
  } catch {
    return ''
  }
}

/** `pid` and all its descendants. */
export function processTree(pid: number): number[] {
  const out = [pid]
  for (let i = 0; i < out.length; i++) {
    try {
      const kids = readFileSync(`/proc/${out[i]}/task/${out[i]}/children`, 'utf8')
      for (const k of kids.trim().split(/\s+/)) if (k) out.push(Number(k))
    } catch {
      // gone meanwhile
    }
  }
  return out
}

/** A CPU meter over a set of processes: percent of one core between start() and stop(). */
export class CpuWindow {
  private startCpu = 0
  private startAt = 0

  constructor(private readonly pids: () => number[]) {}

  private total() {
    return this.pids().reduce((sum, pid) => sum + cpuMs(pid), 0)
  }

  start() {
    this.startCpu = this.total()
    this.startAt = performance.now()
  }

  /** Percent of one core used since start(). */
  stop(): number {
    const cpu = this.total() - this.startCpu
    return (100 * cpu) / (performance.now() - this.startAt)
  }
}

export const rssOf = (pids: number[]) => pids.reduce((sum, pid) => sum + rssMB(pid), 0)
