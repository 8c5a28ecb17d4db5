// The load generator in processes of its own (load-worker.ts), so that what the bench measures is
// the server, not a generator reading thousands of sockets on the server's cores. Where `taskset`
// works and there are two or more CPUs, the server processes get the first CPU and the generator
// the others (one worker per CPU); elsewhere (or with CK_BENCH_PIN=0: on a box shared with other
// work, a pinned process cannot move off a busy CPU) nothing is pinned and the workers are one
// fewer than the CPUs (at least one). What was done is said in `CpuPlan.note`.
import { type ChildProcess, spawn, spawnSync } from 'child_process'
import { readFileSync } from 'fs'
import { cpus } from 'os'
import { join } from 'path'
import type { JoinCall, WorkerRequest } from './load-worker'
import { CpuWindow } from './proc'

export interface CpuPlan {
  /** CPU list (taskset syntax) for the server processes, the generator's; null: not pinned. */
  server: string | null
  load: string | null
  workers: number
  note: string
}

/** The CPUs this process may run on (Linux), else all by count. */
function allowedCpus(): number[] {
  try {
    const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (line) {
      const out: number[] = []
      for (const part of line[1].trim().split(',')) {
        const [a, b] = part.split('-').map(Number)
        for (let c = a; c <= (b ?? a); c++) out.push(c)
      }
      if (out.length > 0) return out
    }
  } catch {
    // not Linux
  }
  return cpus().map((_, i) => i)
}

const hasTaskset = (() => {
  try {
    return spawnSync('taskset', ['-p', String(process.pid)]).status === 0
  } catch {
    return false
  }
})()

export function cpuPlan(): CpuPlan {
  const all = allowedCpus()
  const off = process.env.CK_BENCH_PIN === '0'
  if (hasTaskset && all.length >= 2 && !off) {
    const load = all.slice(1)
    return {
      server: String(all[0]),
      load: load.join(','),
      workers: load.length,
      note: `server on CPU ${all[0]}, load generator on CPU ${load.join(',')} (taskset)`,
    }
  }
  const why = off ? 'CK_BENCH_PIN=0' : hasTaskset ? 'one CPU' : 'no taskset'
  return {
    server: null,
    load: null,
    workers: Math.max(1, all.length - 1),
    note: `not pinned (${why})`,
  }
}

/** Pins every thread of `pid` to `cpusList`; false when the OS would not. */
export function pin(pid: number, cpusList: string | null): boolean {
  if (!cpusList) return false
  return spawnSync('taskset', ['-a', '-cp', cpusList, String(pid)]).status === 0
}

/** Clients opened by one connect(): where they are, in global order. */
export interface ClientGroup {
  n: number
  /** [worker, index of its first client there, how many]. */
  parts: Array<[number, number, number]>
}

interface Worker {
  proc: ChildProcess
  clients: number
  waiting: Map<number, (m: Record<string, unknown>) => void>
}

export class LoadGen {
  private nextId = 1

  private constructor(
    private readonly workers: Worker[],
    readonly plan: CpuPlan,
  ) {}

  static async start(plan: CpuPlan = cpuPlan()): Promise<LoadGen> {
    const script = join(__dirname, 'load-worker.js')
    const workers = await Promise.all(
      Array.from({ length: plan.workers }, async () => {
        const [cmd, args] = plan.load
          ? ['taskset', ['-c', plan.load, process.execPath, script]]
          : [process.execPath, [script]]
        const proc = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
        const w: Worker = { proc, clients: 0, waiting: new Map() }
        await new Promise<void>((resolve, reject) => {
          proc.once('exit', (code) => reject(new Error(`load worker exited with ${code}`)))
          proc.on('message', (m: { ready?: boolean; id?: number }) => {
            if (m.ready) return resolve()
            const done = w.waiting.get(m.id!)
            w.waiting.delete(m.id!)
            done?.(m)
          })
        })
        return w
      }),
    )
    return new LoadGen(workers, plan)
  }

  pids(): number[] {
    return this.workers.map((w) => w.proc.pid!)
  }

  /** CPU of the generator's processes over a window. */
  cpu(): CpuWindow {
    return new CpuWindow(() => this.pids())
  }

  private ask(w: Worker, m: WorkerRequest): Promise<Record<string, any>> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      w.waiting.set(id, (r) => (r.error ? reject(new Error(String(r.error))) : resolve(r)))
      w.proc.send({ ...m, id })
    })
  }

  /**
   * `n` new clients spread evenly over the workers, in global order: per worker, its index, the
   * index of its first new client there, how many, and the global index of the first.
   */
  private place(n: number): Array<[number, number, number, number]> {
    const out: Array<[number, number, number, number]> = []
    let offset = 0
    for (const [i, w] of this.workers.entries()) {
      const count = Math.floor(n / this.workers.length) + (i < n % this.workers.length ? 1 : 0)
      if (count === 0) continue
      out.push([i, w.clients, count, offset])
      w.clients += count
      offset += count
    }
    return out
  }

  /** `n` clients, spread evenly over the workers; client k connects to urls[k % urls.length]. */
  async connect(urls: string[], n: number): Promise<{ group: ClientGroup; connectMs: number[] }> {
    const placed = this.place(n)
    const answers = await Promise.all(
      placed.map(([w, , count, offset]) =>
        this.ask(this.workers[w], { op: 'connect', urls, n: count, offset }),
      ),
    )
    return {
      group: { n, parts: placed.map(([w, first, count]) => [w, first, count]) },
      connectMs: answers.flatMap((a) => a.connectMs as number[]),
    }
  }

  /**
   * The group's clients join (call k by client k): all at once, or at most `concurrency` in
   * flight per worker. Latencies of the answered joins, and the refusals by message.
   */
  async join(
    group: ClientGroup,
    calls: (k: number) => JoinCall,
    opts: { concurrency?: number; heartbeat?: boolean; timeoutMs?: number } = {},
  ): Promise<{ joinMs: number[]; refused: Record<string, number> }> {
    let k = 0
    const asks = group.parts.map(([w, first, count]) => {
      const mine = Array.from({ length: count }, () => calls(k++))
      return this.ask(this.workers[w], { op: 'join', first, calls: mine, ...opts })
    })
    return joinsOf(await Promise.all(asks))
  }

  /**
   * `n` new clients, each connecting (round-robin over `urls`) and joining at once after (call k
   * by client k), at most `concurrency` at a time per worker: how a room fills.
   */
  async enter(
    urls: string[],
    n: number,
    calls: (k: number) => JoinCall,
    opts: { concurrency: number; heartbeat?: boolean },
  ): Promise<{ group: ClientGroup; joinMs: number[]; refused: Record<string, number> }> {
    const placed = this.place(n)
    const answers = await Promise.all(
      placed.map(([w, , count, offset]) => {
        const mine = Array.from({ length: count }, (_, k) => calls(offset + k))
        return this.ask(this.workers[w], { op: 'enter', urls, offset, calls: mine, ...opts })
      }),
    )
    return {
      group: { n, parts: placed.map(([w, first, count]) => [w, first, count]) },
      ...joinsOf(answers),
    }
  }

  /** From now on every client notes when `event` reaches it. */
  async watch(event: string): Promise<void> {
    await Promise.all(this.workers.map((w) => this.ask(w, { op: 'watch', event })))
  }

  /** The arrival times noted since watch(event), all clients together. */
  async take(event: string): Promise<number[]> {
    const answers = await Promise.all(this.workers.map((w) => this.ask(w, { op: 'take', event })))
    return answers.flatMap((a) => a.at as number[])
  }

  /** Events and frames received by all clients so far. */
  async counts(): Promise<{ events: number; received: number }> {
    const answers = await Promise.all(this.workers.map((w) => this.ask(w, { op: 'counts' })))
    return {
      events: answers.reduce((s, a) => s + (a.events as number), 0),
      received: answers.reduce((s, a) => s + (a.received as number), 0),
    }
  }

  /** Until no more events arrive for `quietMs` (heartbeat replies go on): a burst has drained. */
  async drained(quietMs = 300): Promise<number> {
    let last = -1
    let now = (await this.counts()).events
    while (now !== last) {
      last = now
      await new Promise((r) => setTimeout(r, quietMs))
      now = (await this.counts()).events
    }
    return now
  }

  /** Every client closed, every worker gone. */
  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        if (w.proc.exitCode !== null || w.proc.signalCode !== null) return
        const exited = new Promise<void>((r) => w.proc.once('exit', () => r()))
        await this.ask(w, { op: 'close' }).catch(() => undefined)
        const timer = setTimeout(() => w.proc.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
      }),
    )
  }
}

/** The workers' answers to a join or enter together: latencies, and refusals by message. */
function joinsOf(answers: Array<Record<string, any>>): {
  joinMs: number[]
  refused: Record<string, number>
} {
  const refused: Record<string, number> = {}
  for (const a of answers)
    for (const [why, count] of Object.entries(a.refused as Record<string, number>))
      refused[why] = (refused[why] ?? 0) + count
  return { joinMs: answers.flatMap((a) => a.joinMs as number[]), refused }
}
