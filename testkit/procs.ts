// Processes as Linux's /proc shows them: a process tree (what a server child started), waiting
// for processes to end, and the processes of this test run (see test/global-teardown.ts).
import { readFileSync, readdirSync } from 'fs'
import { processTree } from '../bench/proc'

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

export function procOf(pid: number): Proc | null {
  const stat = read(`/proc/${pid}/stat`)
  if (stat === null) return null
  // Fields after the command name, which is in parentheses and may hold spaces.
  const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
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

/** The descendants of `pid` (children first), alive now: the bench's process tree, less `pid`. */
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
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
  for (const pid of pids.filter(alive)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Gone meanwhile.
    }
  }
}
