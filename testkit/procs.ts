// Processes as Linux's /proc shows them: a process tree (what a server child started), their CPU
// time and memory, waiting for processes to end, and the processes of this test run (see
// test/global-teardown.ts).
import { execFileSync } from 'child_process'
import { readFileSync, readdirSync } from 'fs'
import { sleep } from './wait'

export interface Proc {
  pid: number
  ppid: number
  /** R, S, Z (zombie: already gone, only its exit status is left), … */
  state: string
  cmdline: string
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return null // gone meanwhile, or not ours to read
  }
}

/** The fields of /proc/<pid>/stat after the command name (in parentheses, may hold spaces). */
function statFields(pid: number): string[] | null {
  const stat = read(`/proc/${pid}/stat`)
  return stat === null ? null : stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

export function procOf(pid: number): Proc | null {
  const fields = statFields(pid)
  if (fields === null) return null
  const [state, ppid] = fields
  const cmdline = (read(`/proc/${pid}/cmdline`) ?? '').replace(/\0+$/, '').replace(/\0/g, ' ')
  return { pid, ppid: Number(ppid), state, cmdline }
}

/** Every process of this host that is not a zombie. */
export function allProcs(): Proc[] {
  const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  return pids.map((d) => procOf(Number(d))).filter((p): p is Proc => !!p && p.state !== 'Z')
}

/** Whether `pid` was started with NAME=value in its environment (as /proc shows it). */
export function hasEnv(pid: number, name: string, value: string): boolean {
  return (read(`/proc/${pid}/environ`) ?? '').split('\0').includes(`${name}=${value}`)
}

const TICKS_PER_SEC = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
  } catch {
    return 100
  }
})()

/** utime + stime of one process, in ms (0 when it is gone). */
export function cpuMs(pid: number): number {
  const fields = statFields(pid)
  return fields ? ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SEC : 0
}

/** Resident set size of one process in MB (0 when it is gone). */
export function rssMB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(read(`/proc/${pid}/status`) ?? '')
  return m ? Number(m[1]) / 1024 : 0
}

/** Its command name ('' when it is gone). */
export function commOf(pid: number): string {
  return (read(`/proc/${pid}/comm`) ?? '').trim()
}

/** `pid` and all its descendants. */
export function processTree(pid: number): number[] {
  const out = [pid]
  for (let i = 0; i < out.length; i++) {
    const kids = read(`/proc/${out[i]}/task/${out[i]}/children`) ?? ''
    for (const k of kids.trim().split(/\s+/)) if (k) out.push(Number(k))
  }
  return out
}

/** The descendants of `pid` (children first), alive now: its process tree, less `pid`. */
export function descendants(pid: number): number[] {
  return processTree(pid).slice(1)
}

const alive = (pid: number) => {
  const p = procOf(pid)
  return !!p && p.state !== 'Z'
}

/**
 * Wait until none of `pids` runs; SIGKILL what still does after `ms`. For what a killed server
 * started (its nginx ends on its own, on the SIGTERM setpriv asked for: server/tied.ts).
 */
export async function reap(pids: number[], ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (pids.some(alive) && Date.now() < deadline) await sleep(25)
  for (const pid of pids.filter(alive)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Gone meanwhile.
    }
  }
}
