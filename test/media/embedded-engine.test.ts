// The embedded engine with real sockets and real ffmpeg. The hooks are a recording object: the
// engine is the layer under test, the server's authorization logic is not.
import { createServer } from 'net'
import { EmbeddedEngine } from '../../server/media/embedded'
import { MediaHooks, MediaKind, MediaSession } from '../../server/media/engine'
import { pullFrames, pushTestPattern, stopAllMedia } from '../helpers/ffmpeg'

interface HookEvent {
  hook: 'authorize' | 'started' | 'stopped'
  kind: MediaKind
  session: MediaSession
  at: number
}

/** Records every hook call; refuses what `deny` says to refuse. */
class Recorder implements MediaHooks {
  events: HookEvent[] = []
  private waiters: Array<() => void> = []
  deny: (kind: MediaKind, s: MediaSession) => string | null = (_kind, s) =>
    s.query.token === 'bad' ? 'bad token' : null

  authorize(kind: MediaKind, session: MediaSession): string | null {
    this.record('authorize', kind, session)
    return this.deny(kind, session)
  }
  started(kind: MediaKind, session: MediaSession): void {
    this.record('started', kind, session)
  }
  stopped(kind: MediaKind, session: MediaSession): void {
    this.record('stopped', kind, session)
  }

  of(stream: string, hook?: HookEvent['hook']): HookEvent[] {
    return this.events.filter((e) => e.session.stream === stream && (!hook || e.hook === hook))
  }

  /** The first recorded event matching, waiting for it up to timeoutMs. */
  async next(
    hook: HookEvent['hook'],
    kind: MediaKind,
    stream: string,
    timeoutMs = 10000,
  ): Promise<HookEvent> {
    const find = () =>
      this.events.find((e) => e.hook === hook && e.kind === kind && e.session.stream === stream)
    const end = Date.now() + timeoutMs
    for (let found = find(); ; found = find()) {
      if (found) return found
      const left = end - Date.now()
      if (left <= 0) throw new Error(`no ${hook}(${kind}) for ${stream} within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  private record(hook: HookEvent['hook'], kind: MediaKind, session: MediaSession) {
    this.events.push({ hook, kind, session, at: Date.now() })
    for (const wake of this.waiters.splice(0)) wake()
  }
}

const figures: string[] = []

afterAll(() => {
  // The measured figures the brief asks for, visible in the test output.
  console.log(`embedded engine figures:\n  ${figures.join('\n  ')}`)
})

describe('EmbeddedEngine (one engine for the suite)', () => {
  const hooks = new Recorder()
  const engine = new EmbeddedEngine({
    rtmpPort: 0,
    httpPort: 0,
    logLevel: 'error',
    publisherIdleMs: 1500,
  })

  beforeAll(() => engine.start(hooks))
  afterEach(() => stopAllMedia())
  afterAll(() => engine.stop())

  it('listens on free ports and puts them in its URLs', async () => {
    const rtmp = /^rtmp:\/\/127\.0\.0\.1:(\d+)\/live$/.exec(engine.rtmpBase())
    const flv = /^http:\/\/127\.0\.0\.1:(\d+)\/live$/.exec(engine.flvBase() ?? '')
    expect(rtmp).not.toBeNull()
    expect(flv).not.toBeNull()
    expect(Number(rtmp![1])).toBeGreaterThan(0)
    expect(Number(flv![1])).toBeGreaterThan(0)
    expect(rtmp![1]).not.toBe(flv![1])
  })

  it('reports an allowed publish and serves it over RTMP and HTTP-FLV', async () => {
    const spawned = Date.now()
    const pusher = pushTestPattern(`${engine.rtmpBase()}/alice?token=good&x=1`)
    const started = await hooks.next('started', 'publish', 'alice')
    figures.push(`ffmpeg spawn -> started(publish): ${started.at - spawned} ms`)
    expect(started.session).toMatchObject({ app: 'live', stream: 'alice' })
    expect(started.session.query).toEqual({ token: 'good', x: '1' })
    expect(started.session.sessionId).toMatch(/\S/)
    expect(started.session.ip).toContain('127.0.0.1')

    const t0 = Date.now()
    const rtmp = await pullFrames(`${engine.rtmpBase()}/alice?token=viewer`, { frames: 5 })
    const rtmpMs = Date.now() - t0
    expect(rtmp).toMatchObject({ width: 640, height: 360, hasAudio: true, code: 0 })
    expect(rtmp.frames).toBeGreaterThanOrEqual(5)

    const t1 = Date.now()
    const flv = await pullFrames(`${engine.flvBase()}/alice.flv?token=viewer`, { frames: 5 })
    const flvMs = Date.now() - t1
    expect(flv).toMatchObject({ width: 640, height: 360, hasAudio: true, code: 0 })
    figures.push(`pull 5 frames incl. ffmpeg start: RTMP ${rtmpMs} ms, HTTP-FLV ${flvMs} ms`)

    // Both players were reported, with their own query, and their ends too.
    const plays = hooks.of('alice').filter((e) => e.kind === 'play')
    expect(plays.filter((e) => e.hook === 'started')).toHaveLength(2)
    await hooks.next('stopped', 'play', 'alice')
    expect(plays.every((e) => e.session.query.token === 'viewer')).toBe(true)
    await pusher.stop()
  })

  it('refuses a publish inside the pre-event: ffmpeg fails fast, no hooks, name stays usable', async () => {
    // A player already waiting on the name must get nothing from the refused publisher.
    const waiting = pullFrames(`${engine.rtmpBase()}/bob`, { frames: 1, timeoutMs: 2000 })
    await new Promise((r) => setTimeout(r, 300))
    const t0 = Date.now()
    const refused = pushTestPattern(`${engine.rtmpBase()}/bob?token=bad`)
    const code = await refused.exited
    const refusalMs = Date.now() - t0
    const asked = hooks.of('bob', 'authorize').filter((e) => e.kind === 'publish')[0]
    figures.push(
      `refused publish: ffmpeg exited ${Date.now() - asked.at} ms after authorize, ` +
        `${refusalMs} ms after spawn (code ${code})`,
    )
    expect(code).not.toBe(0)
    expect(refusalMs).toBeLessThan(5000)
    expect(hooks.of('bob', 'authorize')).toHaveLength(2) // the player, then the publisher
    expect((await waiting).frames).toBe(0)
    expect(hooks.of('bob').filter((e) => e.kind === 'publish' && e.hook !== 'authorize')).toEqual(
      [],
    )

    const allowed = pushTestPattern(`${engine.rtmpBase()}/bob?token=good`)
    await hooks.next('started', 'publish', 'bob')
    const pulled = await pullFrames(`${engine.rtmpBase()}/bob`, { frames: 3 })
    expect(pulled.frames).toBeGreaterThanOrEqual(3)
    await allowed.stop()
  })

  it('refuses a publish or play on another app without asking authorize', async () => {
    const [push, pull] = await Promise.all([
      pushTestPattern(engine.rtmpBase().replace(/\/live$/, '/other') + '/carol').exited,
      pullFrames(engine.rtmpBase().replace(/\/live$/, '/other') + '/carol', { timeoutMs: 4000 }),
    ])
    expect(push).not.toBe(0)
    expect(pull.frames).toBe(0)
    expect(hooks.of('carol')).toEqual([])
  })

  it('refuses a play over RTMP and HTTP-FLV: no frames, no hooks', async () => {
    const pusher = pushTestPattern(`${engine.rtmpBase()}/dave`)
    await hooks.next('started', 'publish', 'dave')
    const [rtmp, flv] = await Promise.all([
      pullFrames(`${engine.rtmpBase()}/dave?token=bad`, { frames: 3, timeoutMs: 5000 }),
      pullFrames(`${engine.flvBase()}/dave.flv?token=bad`, { frames: 3, timeoutMs: 5000 }),
    ])
    expect(rtmp.frames).toBe(0)
    expect(flv.frames).toBe(0)
    expect(flv.stderr).toMatch(/403/)
    expect(hooks.of('dave').filter((e) => e.kind === 'play' && e.hook !== 'authorize')).toEqual([])
    await pusher.stop()
  })

  it('reports stopped(publish) promptly when the publisher goes away', async () => {
    const pusher = pushTestPattern(`${engine.rtmpBase()}/erin`)
    await hooks.next('started', 'publish', 'erin')
    const t0 = Date.now()
    await pusher.stop() // SIGKILL: the kernel closes its TCP connection
    const stopped = await hooks.next('stopped', 'publish', 'erin', 5000)
    figures.push(`publisher killed -> stopped(publish): ${stopped.at - t0} ms`)
    expect(stopped.at - t0).toBeLessThan(5000)
  })

  it('drops a publisher that freezes without closing its connection', async () => {
    const pusher = pushTestPattern(`${engine.rtmpBase()}/fay`)
    await hooks.next('started', 'publish', 'fay')
    const t0 = Date.now()
    pusher.proc.kill('SIGSTOP')
    const stopped = await hooks.next('stopped', 'publish', 'fay', 5000)
    figures.push(`publisher frozen -> stopped(publish): ${stopped.at - t0} ms (idle limit 1500)`)
    expect(stopped.at - t0).toBeGreaterThanOrEqual(1400)
  })

  it('closeSession kicks a publisher: its ffmpeg ends and stopped fires', async () => {
    const pusher = pushTestPattern(`${engine.rtmpBase()}/gus`)
    const started = await hooks.next('started', 'publish', 'gus')
    engine.closeSession(started.session.sessionId)
    engine.closeSession('no-such-session')
    let timer: NodeJS.Timeout | undefined
    const code = await Promise.race([
      pusher.exited,
      new Promise((r) => (timer = setTimeout(() => r('still running'), 5000))),
    ])
    clearTimeout(timer)
    expect(code).not.toBe(0)
    expect(code).not.toBe('still running')
    const stopped = await hooks.next('stopped', 'publish', 'gus', 2000)
    expect(stopped.session.sessionId).toBe(started.session.sessionId)
  })

  it('refuses a second engine in the same process with a clear error', async () => {
    const second = new EmbeddedEngine({ rtmpPort: 0, httpPort: null })
    await expect(second.start(new Recorder())).rejects.toThrow(/another embedded engine/)
  })
})

describe('EmbeddedEngine lifecycle', () => {
  afterEach(() => stopAllMedia())

  it('rejects start() when its port is taken, and can start afterwards', async () => {
    const blocker = createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
    const port = (blocker.address() as { port: number }).port
    const engine = new EmbeddedEngine({ rtmpPort: 0, httpPort: port, logLevel: 'silent' })
    await expect(engine.start(new Recorder())).rejects.toThrow(/HTTP-FLV.*EADDRINUSE/)
    await new Promise((r) => blocker.close(r))
    await engine.start(new Recorder())
    expect(engine.flvBase()).toBe(`http://127.0.0.1:${port}/live`)
    await engine.stop()
  })

  it('stop() ends running sessions with their stopped hooks, and start() works again', async () => {
    const hooks = new Recorder()
    const engine = new EmbeddedEngine({ rtmpPort: 0, httpPort: null, logLevel: 'error' })
    await engine.start(hooks)
    expect(engine.flvBase()).toBeNull()
    const pusher = pushTestPattern(`${engine.rtmpBase()}/hal`)
    await hooks.next('started', 'publish', 'hal')
    await engine.stop()
    expect(hooks.of('hal', 'stopped')).toHaveLength(1)
    expect(await pusher.exited).not.toBe(0)
    expect(() => engine.rtmpBase()).toThrow(/not started/)

    const hooksAgain = new Recorder()
    await engine.start(hooksAgain)
    const again = pushTestPattern(`${engine.rtmpBase()}/hal`)
    await hooksAgain.next('started', 'publish', 'hal')
    expect((await pullFrames(`${engine.rtmpBase()}/hal`, { frames: 2 })).frames).toBe(2)
    await again.stop()
    await engine.stop()
  })
})
