// Ports are picked and bound, never probed (server/ports.ts): a start whose port is taken tries
// another, and a restart on its old port waits while that port is still in use.
import { type ChildProcess } from 'child_process'
import { createServer, type Server } from 'net'
import { NginxEngine } from '../../server/media/nginx/engine'
import { Recorder } from '../../testkit/media-hooks'
import { describeWithNginx } from '../../testkit/nginx'
import { onFreePort } from '../../server/ports'
import { whileInUse } from '../../testkit/ports'
import { RedisServer } from '../../testkit/redis'
import { ensureBuilt, spawnServer } from '../../testkit/server-process'

const listen = (server: Server, port: number) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
const close = (server: Server) => new Promise((r) => server.close(r))
/** Holds a port and nothing else: whoever connects (a readiness probe) is cut off. */
const blockerServer = () => createServer((socket) => socket.destroy())

const blockers: Server[] = []
afterEach(async () => {
  jest.restoreAllMocks()
  await Promise.all(blockers.splice(0).map(close))
})

/** The port onFreePort picks first (nothing is bound on it). */
const pickPort = () => onFreePort(async (port) => port)

/** Holds the port onFreePort will pick next (its random draw is replayed once). */
async function occupyNextPick(): Promise<number> {
  for (;;) {
    const draw = Math.random()
    const spy = jest.spyOn(Math, 'random').mockReturnValue(draw)
    const port = await pickPort()
    spy.mockRestore()
    const blocker = blockerServer()
    const held = await listen(blocker, port).then(
      () => true,
      () => false,
    )
    if (!held) continue
    blockers.push(blocker)
    jest.spyOn(Math, 'random').mockReturnValueOnce(draw)
    return port
  }
}

test('the picked port stays out of the ephemeral range (port 0 binds, outgoing connections)', async () => {
  for (let i = 0; i < 1000; i++) {
    const port = await pickPort()
    expect(port).toBeGreaterThanOrEqual(10000)
    expect(port < 32768 || port > 60999).toBe(true)
  }
})

test('onFreePort: the picked port is taken, the start succeeds on another', async () => {
  const taken = await occupyNextPick()
  const tried: number[] = []
  const server = createServer()
  const port = await onFreePort(
    async (p) => {
      tried.push(p)
      await listen(server, p)
      return p
    },
    { onTaken: (p) => tried.push(-p) },
  )
  await close(server)
  expect(tried.slice(0, 2)).toEqual([taken, -taken])
  expect(port).not.toBe(taken)
})

test('onFreePort gives up after its attempts, with the last EADDRINUSE', async () => {
  let calls = 0
  const start = () => {
    calls++
    return Promise.reject(Object.assign(new Error('taken'), { code: 'EADDRINUSE' }))
  }
  await expect(onFreePort(start, { attempts: 3 })).rejects.toThrow('taken')
  expect(calls).toBe(3)
})

test('redis-server: its picked port is taken, it starts on another', async () => {
  const taken = await occupyNextPick()
  const redis = await RedisServer.start()
  try {
    expect(redis.port).not.toBe(taken)
    expect(await redis.keys()).toEqual([])
  } finally {
    await redis.close()
  }
})

describeWithNginx('nginx engine with rtmpPort 0', () => {
  it('its picked port is taken: nginx starts on another', async () => {
    const taken = await occupyNextPick()
    const logged: string[] = []
    const engine = new NginxEngine({
      rtmpPort: 0,
      logLevel: 'info',
      log: (_level, msg) => logged.push(msg),
    })
    await engine.start(new Recorder())
    try {
      expect(logged).toContain(`RTMP port ${taken} is taken; picking another`)
      expect(Number(new URL(engine.rtmpBase()).port)).not.toBe(taken)
    } finally {
      await engine.stop()
    }
  })
})

describe('a server child', () => {
  const children: ChildProcess[] = []
  beforeAll(() => ensureBuilt(), 120000)
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  })
  const args = ['--host', '127.0.0.1', '--log-level', 'warn']

  it('binds port 0 and says which ports it got; restarts on them while they are still held', async () => {
    const first = await spawnServer({ args, ports: null })
    children.push(first.proc)
    const { port, rtmpPort, flvPort } = first.ready
    expect(port * rtmpPort * flvPort!).toBeGreaterThan(0)
    expect((await fetch(`${first.ready.httpUrl}/healthz`)).status).toBe(200)
    const gone = new Promise((r) => first.proc.once('exit', r))
    first.proc.kill('SIGKILL')
    await gone

    // Someone holds the HTTP port for a moment after the old process died.
    const blocker = blockerServer()
    await listen(blocker, port)
    blockers.push(blocker)
    const release = setTimeout(() => void close(blocker), 700)
    const t0 = Date.now()
    const again = await spawnServer({
      args,
      ports: { port, rtmpPort, flvPort: flvPort! },
    })
    children.push(again.proc)
    clearTimeout(release)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600)
    expect(again.ready.port).toBe(port)
    expect((await fetch(`${again.ready.httpUrl}/healthz`)).status).toBe(200)
    const exited = new Promise((r) => again.proc.once('exit', r))
    again.proc.kill('SIGTERM')
    await exited
  })

  it('whileInUse gives up at its deadline', async () => {
    const start = () => Promise.reject(Object.assign(new Error('held'), { code: 'EADDRINUSE' }))
    await expect(whileInUse(start, 300)).rejects.toThrow('held')
  })
})
