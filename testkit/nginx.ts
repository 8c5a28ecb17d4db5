// Suites that need Debian's nginx + libnginx-mod-rtmp (NOT RUN without them, failing under
// CK_REQUIRE_NGINX=1), and edges started from the config the project generates.
import { type ChildProcess, spawn } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import type { MediaHooks } from '../server/media/engine'
import { NginxEngine } from '../server/media/nginx/engine'
import { controlRequest } from '../server/media/nginx/control'
import { edgeHookBase } from '../server/media/nginx/edge-hooks'
import { EDGE_CONTROL_SOCKET, renderEdgeConfig } from '../server/media/nginx/config'
import { nginxPaths } from '../server/media/nginx/options'
import { killNginx } from '../server/media/nginx/process'
import { onFreePort } from '../server/ports'
import { tiedToUs } from '../server/tied'
import { describeRequiring } from './optional-suite'
import { addressInUse } from './ports'
import { descendants } from './procs'
import { sleep, until } from './wait'

export const nginxAvailability = NginxEngine.available()

export function describeWithNginx(name: string, body: () => void): void {
  describeRequiring(name, nginxAvailability, 'CK_REQUIRE_NGINX', body)
}

export interface RunningEdge {
  name: string
  /** rtmp://127.0.0.1:<port>/live: what --edge-rtmp lists. */
  rtmpBase: string
  /**
   * Send the edge's hooks to this server (reload: same port, new workers). An edge starts before
   * its server, which must be told the edge's port, so it starts pointing nowhere.
   */
  point(server: { serverUrl: string; secret: string }): Promise<void>
  /** The edge's nginx-rtmp /stat XML. */
  stat(): Promise<string>
  stop(): Promise<void>
}

export interface NginxProcess {
  proc: ChildProcess
  /** QUIT, then (after 2 s) SIGKILL with its workers; resolves when it is gone. */
  stop(): Promise<void>
}

/**
 * nginx run with `args` (tied to this process), resolved once `ready()` holds. A port it finds
 * taken rejects at once with EADDRINUSE (nginx would retry bind() for 2.5 s first), for
 * onFreePort to pick another; `what` names it in errors.
 */
export async function runNginx(
  args: string[],
  ready: () => Promise<boolean>,
  what: string,
): Promise<NginxProcess> {
  const [command, argv] = tiedToUs(nginxPaths({}).nginxPath!, args)
  const proc = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  let ended = false
  const exited = new Promise<void>((r) => proc.once('close', () => r()))
  void exited.then(() => (ended = true))
  const stop = async () => {
    if (ended) return
    proc.kill('SIGQUIT')
    let timer: NodeJS.Timeout | undefined
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 2000)))])
    clearTimeout(timer)
    if (!ended) killNginx(proc)
    await exited
  }
  const taken = () => /bind\(\) to [^u]*:\d+ failed \(98/.test(stderr)
  const deadline = Date.now() + 10000
  for (;;) {
    if (taken() || ended || Date.now() > deadline) {
      await stop()
      const why = `${what} did not start: ${stderr}`
      throw taken() ? addressInUse(why) : new Error(why)
    }
    if (await ready()) return { proc, stop }
    await sleep(20)
  }
}

/**
 * An edge nginx on loopback, run from the config the project generates for operators
 * (renderEdgeConfig, as `conference-server edge-config` prints it), in a temp prefix, on a port
 * picked for it (another one while nginx finds it taken: server/ports.ts).
 */
export async function startEdge(opts: {
  name: string
  /** How often the edge asks the server again about each player (default: the config's). */
  updateSec?: number
}): Promise<RunningEdge> {
  const { modulePath } = nginxPaths({})
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-edge-'))
  const configPath = path.join(prefix, 'nginx.conf')
  const socket = path.join(prefix, EDGE_CONTROL_SOCKET)
  // Until point(): hooks to a port nothing listens on (refused: no player gets through).
  let hooks = { serverUrl: 'http://127.0.0.1:9', secret: 'unset' }
  const writeConfig = (rtmpPort: number) => {
    const config = renderEdgeConfig({
      modulePath,
      prefix,
      bind: '127.0.0.1',
      rtmpPort,
      app: 'live',
      hookBase: edgeHookBase(hooks.serverUrl, hooks.secret, opts.name),
      errorLevel: 'error',
      updateSec: opts.updateSec,
      workerUser: process.getuid?.() === 0 ? 'nobody nogroup' : null,
    })
    fs.writeFileSync(configPath, config)
  }
  const ready = () =>
    controlRequest(socket, '/ready', 500).then(
      (r) => r.status === 204,
      () => false,
    )

  const launch = async (rtmpPort: number) => {
    writeConfig(rtmpPort)
    const args = ['-p', prefix + '/', '-c', configPath]
    const run = await runNginx(args, ready, `edge ${opts.name} on port ${rtmpPort}`)
    return { ...run, rtmpPort }
  }

  let running: Awaited<ReturnType<typeof launch>>
  try {
    running = await onFreePort(launch)
  } catch (err) {
    fs.rmSync(prefix, { recursive: true, force: true })
    throw err
  }
  const { proc, rtmpPort } = running
  return {
    name: opts.name,
    rtmpBase: `rtmp://127.0.0.1:${rtmpPort}/live`,
    async point(server) {
      hooks = server
      writeConfig(rtmpPort)
      const before = descendants(proc.pid!)
      proc.kill('SIGHUP')
      // Done when the workers of the old config are gone and a new one answers.
      await until(
        async () => {
          const now = descendants(proc.pid!)
          return now.length > 0 && !now.some((p) => before.includes(p)) && (await ready())
        },
        10000,
        `edge ${opts.name} to reload`,
      )
    },
    stat: async () => (await controlRequest(socket, '/stat', 2000)).body,
    async stop() {
      await running.stop()
      fs.rmSync(prefix, { recursive: true, force: true })
    },
  }
}

/**
 * The streams of the plays nginx itself asked the server about (its on_play callbacks: numeric
 * client ids), as they come, counted at the hooks the engine calls: how many pulls the origin
 * served. `engine` is the nginx engine, or the one holding it as `origin` (its play edge).
 */
export function originPlays(engine: unknown): string[] {
  const nginx = (engine as { origin?: unknown }).origin ?? engine
  const hooks = (nginx as { hooks: MediaHooks }).hooks
  const plays: string[] = []
  const authorize = hooks.authorize.bind(hooks)
  hooks.authorize = (kind, session) => {
    if (kind === 'play' && /^\d+$/.test(session.sessionId)) plays.push(session.stream)
    return authorize(kind, session)
  }
  return plays
}
