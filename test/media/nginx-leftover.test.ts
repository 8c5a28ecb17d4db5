// An nginx left running by a server killed with SIGKILL where nothing took it along (no
// pdeathsig: not Linux, no setpriv). CK_NGINX_NO_PDEATHSIG=1 makes this host behave so; the next
// server on the same RTMP port must stop the leftover (server/media/nginx/process.ts,
// reapLeftover) instead of failing on a taken port.
import { type ChildProcess } from 'child_process'
import { describeWithNginx } from '../../testkit/nginx'
import { descendants, procOf, reap } from '../../testkit/procs'
import { spawnServer } from '../../testkit/server-process'
import { sleep, until } from '../../testkit/wait'

const ARGS = ['--engine', 'nginx', '--host', '127.0.0.1', '--log-level', 'error']

const alive = (pid: number) => {
  const p = procOf(pid)
  return !!p && p.state !== 'Z'
}

describeWithNginx('an nginx left by a killed server', () => {
  const started: ChildProcess[] = []
  const leftovers: number[] = []
  const env = { ...process.env, CK_NGINX_NO_PDEATHSIG: '1' }

  afterAll(async () => {
    for (const p of started) {
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
    }
    await reap(leftovers, 100)
  })

  it('is stopped by the next server on the same RTMP port, which then starts', async () => {
    const first = await spawnServer({ args: ARGS, env, ports: null })
    started.push(first.proc)
    const nginx = descendants(first.ready.pid)
    leftovers.push(...nginx)
    const master = nginx.find((pid) => /nginx: master/.test(procOf(pid)?.cmdline ?? ''))
    expect(master).toBeDefined()

    first.proc.kill('SIGKILL')
    await new Promise((r) => first.proc.once('exit', r))
    // Untied, nginx outlives its server and keeps the RTMP port.
    await sleep(300)
    expect(alive(master!)).toBe(true)

    const second = await spawnServer({
      args: ARGS,
      env,
      ports: { port: 0, rtmpPort: first.ready.rtmpPort, flvPort: 0 },
      timeoutMs: 8000,
    })
    started.push(second.proc)
    expect(second.ready.rtmpPort).toBe(first.ready.rtmpPort)
    expect(await until(() => nginx.every((pid) => !alive(pid)), 2000)).toBe(true)

    // The second server's own nginx is not taken for a leftover by a stop and start.
    const own = descendants(second.ready.pid)
    second.proc.kill('SIGTERM')
    await new Promise((r) => second.proc.once('exit', r))
    expect(await until(() => own.every((pid) => !alive(pid)), 3000)).toBe(true)
  }, 30000)
})
