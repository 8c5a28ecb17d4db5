// CPU and memory of other processes over a measurement: the server child, and the nginx master
// and worker it runs (testkit/procs.ts reads /proc, which costs the measured processes nothing).
import { cpuMs, rssMB } from '../testkit/procs'

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
