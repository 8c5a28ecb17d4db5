// Suites that need Debian's nginx + libnginx-mod-rtmp (NOT RUN without them, failing under
// CK_REQUIRE_NGINX=1), and edges started from the config the project generates.
import { spawn } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import { NginxEngine } from '../../server/media/nginx'
import { controlRequest } from '../../server/media/nginx-control'
import { edgeHookBase } from '../../server/media/nginx-edge'
import { EDGE_CONTROL_SOCKET, renderEdgeConfig } from '../../server/media/nginx-edge-config'
import { nginxPaths } from '../../server/media/nginx-options'
import { killNginx } from '../../server/media/nginx-process'
import { describeRequiring } from './optional-suite'

export const nginxAvailability = NginxEngine.available()

export function describeWithNginx(name: string, body: () => void): void {
  describeRequiring(name, nginxAvailability, 'CK_REQUIRE_NGINX', body)
}

export interface RunningEdge {
  name: string
  /** rtmp://127.0.0.1:<port>/live: what --edge-rtmp lists. */
  rtmpBase: string
  /** The edge's nginx-rtmp /stat XML. */
  stat(): Promise<string>
  stop(): Promise<void>
}

export { freePort } from './ports'

/**
 * An edge nginx on loopback, run from the config the project generates for operators
 * (renderEdgeConfig, as `conference-server edge-config` prints it), in a temp prefix.
 */
export async function startEdge(opts: {
  name: string
  rtmpPort: number
  /** The conference server's HTTP base (its edge hooks). */
  serverUrl: string
  secret: string
  /** How often the edge asks the server again about each player (default: the config's). */
  updateSec?: number
}): Promise<RunningEdge> {
  const { nginxPath, modulePath } = nginxPaths({})
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-edge-'))
  const configPath = path.join(prefix, 'nginx.conf')
  const config = renderEdgeConfig({
    modulePath,
    prefix,
    bind: '127.0.0.1',
    rtmpPort: opts.rtmpPort,
    app: 'live',
    hookBase: edgeHookBase(opts.serverUrl, opts.secret, opts.name),
    errorLevel: 'error',
    updateSec: opts.updateSec,
    workerUser: process.getuid?.() === 0 ? 'nobody nogroup' : null,
  })
  fs.writeFileSync(configPath, config)
  const proc = spawn(nginxPath!, ['-p', prefix + '/', '-c', configPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<void>((r) => proc.once('exit', () => r()))
  let ended = false
  void exited.then(() => (ended = true))
  const socket = path.join(prefix, EDGE_CONTROL_SOCKET)
  const stop = async () => {
    if (!ended) proc.kill('SIGQUIT')
    let timer: NodeJS.Timeout | undefined
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 2000)))])
    clearTimeout(timer)
    if (!ended) killNginx(proc)
    await exited
    fs.rmSync(prefix, { recursive: true, force: true })
  }
  const deadline = Date.now() + 10000
  for (;;) {
    const ready = await controlRequest(socket, '/ready', 500).then(
      (r) => r.status === 204,
      () => false,
    )
    if (ready) break
    if (ended || Date.now() > deadline) {
      await stop()
      throw new Error(`edge ${opts.name} did not start: ${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
  return {
    name: opts.name,
    rtmpBase: `rtmp://127.0.0.1:${opts.rtmpPort}/live`,
    stat: async () => (await controlRequest(socket, '/stat', 2000)).body,
    stop,
  }
}
