// The behaviours every media engine owes the server, with real sockets and real ffmpeg, for any
// MediaEngine: call engineScenarios(factory, figures) inside a describe. The hooks are a
// recording object (testkit/media-hooks.ts): the engine is the layer under test, not the server.
// HTTP-FLV checks run only for an engine whose flvBase() is not null.
import { type MediaEngine } from '../../server/media/engine'
import { pullFrames, pushTestPattern, stopAllMedia } from '../../testkit/ffmpeg'
import { Recorder } from '../../testkit/media-hooks'
import { sleep } from '../../testkit/wait'

/**
 * A new, not yet started engine on free ports and loopback, that drops a publisher silent for
 * `idlePublisherMs`. Each call returns a distinct engine.
 */
export type EngineFactory = (opts: { idlePublisherMs: number }) => MediaEngine

/** Resolves with the exit code, or 'still running' after timeoutMs. */
export async function exitWithin(
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined
  const result = await Promise.race([
    exited,
    new Promise<'still running'>((r) => (timer = setTimeout(() => r('still running'), timeoutMs))),
  ])
  clearTimeout(timer)
  return result
}

const IDLE_MS = 1500

/** Where engines may differ within what the scenarios accept. */
export interface ScenarioOptions {
  /**
   * How much before the idle limit a silent publisher may be dropped. Default 400: nginx's lazy
   * timers (re-armed only when off by 300 ms or more) and the frame in flight when it froze.
   */
  idleEarlyMs?: number
}

/** The shared scenarios; measured figures are pushed onto `figures`. */
export function engineScenarios(
  create: EngineFactory,
  figures: string[],
  { idleEarlyMs = 400 }: ScenarioOptions = {},
): void {
  describe('one engine for the scenarios', () => {
    const hooks = new Recorder()
    const engine = create({ idlePublisherMs: IDLE_MS })
    const other = () => engine.rtmpBase().replace(/\/[^/]+$/, '/other')

    beforeAll(() => engine.start(hooks))
    afterEach(() => stopAllMedia())
    afterAll(() => engine.stop())

    it('reports an allowed publish and serves it to players, reporting theirs too', async () => {
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
      let players = 1
      let flvFigure = ''
      const flvBase = engine.flvBase()
      if (flvBase) {
        const t1 = Date.now()
        const flv = await pullFrames(`${flvBase}/alice.flv?token=viewer`, { frames: 5 })
        flvFigure = `, HTTP-FLV ${Date.now() - t1} ms`
        expect(flv).toMatchObject({ width: 640, height: 360, hasAudio: true, code: 0 })
        players++
      }
      figures.push(`pull 5 frames incl. ffmpeg start: RTMP ${rtmpMs} ms${flvFigure}`)

      // The players were reported, with their own query, and their ends too.
      await hooks.next('stopped', 'play', 'alice')
      const plays = hooks.of('alice').filter((e) => e.kind === 'play')
      expect(plays.filter((e) => e.hook === 'started')).toHaveLength(players)
      expect(plays.every((e) => e.session.query.token === 'viewer')).toBe(true)
      await pusher.stop()
    })

    it('refuses a publish before any media: ffmpeg fails fast, no hooks, name stays usable', async () => {
      // A player already waiting on the name must get nothing from the refused publisher.
      const waiting = pullFrames(`${engine.rtmpBase()}/bob`, { frames: 1, timeoutMs: 2000 })
      await sleep(300)
      const t0 = Date.now()
      const refused = pushTestPattern(`${engine.rtmpBase()}/bob?token=bad`)
      const code = await refused.exited
      const exitedAt = Date.now()
      const refusalMs = exitedAt - t0
      const asked = hooks.of('bob', 'authorize').find((e) => e.kind === 'publish')
      const afterAsked = asked ? `${exitedAt - asked.at} ms after authorize, ` : ''
      figures.push(
        `refused publish: ffmpeg exited ${afterAsked}${refusalMs} ms after spawn (code ${code})`,
      )
      expect(code).not.toBe(0)
      expect(refusalMs).toBeLessThan(5000)
      expect(hooks.of('bob', 'authorize')).toHaveLength(2) // the player, then the publisher
      expect((await waiting).frames).toBe(0)
      const publishHooks = hooks.of('bob').filter((e) => e.kind === 'publish')
      expect(publishHooks.filter((e) => e.hook !== 'authorize')).toEqual([])

      const allowed = pushTestPattern(`${engine.rtmpBase()}/bob?token=good`)
      await hooks.next('started', 'publish', 'bob')
      const pulled = await pullFrames(`${engine.rtmpBase()}/bob`, { frames: 3 })
      expect(pulled.frames).toBeGreaterThanOrEqual(3)
      await allowed.stop()
    })

    it('refuses a second publisher of a live stream: no started or stopped for it', async () => {
      const first = pushTestPattern(`${engine.rtmpBase()}/bea`)
      const started = await hooks.next('started', 'publish', 'bea')
      const second = pushTestPattern(`${engine.rtmpBase()}/bea`)
      expect(await exitWithin(second.exited, 5000)).not.toBe(0)
      const publishes = hooks.of('bea').filter((e) => e.kind === 'publish')
      expect(publishes.filter((e) => e.hook === 'authorize')).toHaveLength(2)
      expect(publishes.filter((e) => e.hook !== 'authorize')).toEqual([started])
      // The first one still serves.
      expect((await pullFrames(`${engine.rtmpBase()}/bea`, { frames: 2 })).frames).toBe(2)
      await first.stop()
    })

    it('refuses a publish or play on another app without asking authorize', async () => {
      const [push, pull] = await Promise.all([
        pushTestPattern(`${other()}/carol`).exited,
        pullFrames(`${other()}/carol`, { timeoutMs: 4000 }),
      ])
      expect(push).not.toBe(0)
      expect(pull.frames).toBe(0)
      expect(hooks.of('carol')).toEqual([])
    })

    it('refuses a play: no frames, no started or stopped', async () => {
      const pusher = pushTestPattern(`${engine.rtmpBase()}/dave`)
      await hooks.next('started', 'publish', 'dave')
      const flvBase = engine.flvBase()
      const [rtmp, flv] = await Promise.all([
        pullFrames(`${engine.rtmpBase()}/dave?token=bad`, { frames: 3, timeoutMs: 5000 }),
        flvBase
          ? pullFrames(`${flvBase}/dave.flv?token=bad`, { frames: 3, timeoutMs: 5000 })
          : null,
      ])
      expect(rtmp.frames).toBe(0)
      if (flv) {
        expect(flv.frames).toBe(0)
        expect(flv.stderr).toMatch(/403/)
      }
      expect(hooks.of('dave', 'authorize').filter((e) => e.kind === 'play')).not.toEqual([])
      expect(hooks.of('dave').filter((e) => e.kind === 'play' && e.hook !== 'authorize')).toEqual(
        [],
      )
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
      // Media must have flowed: an engine may only time out a publisher that sent something.
      expect((await pullFrames(`${engine.rtmpBase()}/fay`, { frames: 1 })).frames).toBe(1)
      const t0 = Date.now()
      pusher.proc.kill('SIGSTOP')
      const stopped = await hooks.next('stopped', 'publish', 'fay', IDLE_MS + 4000)
      figures.push(
        `publisher frozen -> stopped(publish): ${stopped.at - t0} ms (idle limit ${IDLE_MS})`,
      )
      // Not before the limit, give or take idleEarlyMs.
      expect(stopped.at - t0).toBeGreaterThanOrEqual(IDLE_MS - idleEarlyMs)
    })

    it('drops an allowed publisher that never sends media', async () => {
      // Frozen the moment it is allowed: before its first packet.
      let pusher: ReturnType<typeof pushTestPattern> | null = null
      const started = hooks.started.bind(hooks)
      hooks.started = (kind, session) => {
        if (session.stream === 'ned') pusher?.proc.kill('SIGSTOP')
        started(kind, session)
      }
      try {
        pusher = pushTestPattern(`${engine.rtmpBase()}/ned`)
        const t0 = (await hooks.next('started', 'publish', 'ned')).at
        const stopped = await hooks.next('stopped', 'publish', 'ned', IDLE_MS + 4000)
        figures.push(`publisher silent from the start -> stopped(publish): ${stopped.at - t0} ms`)
        expect(stopped.at - t0).toBeGreaterThanOrEqual(IDLE_MS - idleEarlyMs)
      } finally {
        hooks.started = started
      }
    })

    it('closeSession kicks a publisher: its ffmpeg ends and stopped fires', async () => {
      const pusher = pushTestPattern(`${engine.rtmpBase()}/gus`)
      const started = await hooks.next('started', 'publish', 'gus')
      engine.closeSession(started.session.sessionId)
      engine.closeSession('no-such-session')
      const code = await exitWithin(pusher.exited, 5000)
      expect(code).not.toBe(0)
      expect(code).not.toBe('still running')
      const stopped = await hooks.next('stopped', 'publish', 'gus', 2000)
      expect(stopped.session.sessionId).toBe(started.session.sessionId)
    })
  })

  describe('lifecycle', () => {
    afterEach(() => stopAllMedia())

    it('stop() ends running sessions with their stopped hooks, and start() works again', async () => {
      const hooks = new Recorder()
      const engine = create({ idlePublisherMs: 10000 })
      await engine.start(hooks)
      const pusher = pushTestPattern(`${engine.rtmpBase()}/hal`)
      await hooks.next('started', 'publish', 'hal')
      const t0 = Date.now()
      await engine.stop()
      figures.push(`stop() with a publisher: ${Date.now() - t0} ms`)
      expect(hooks.of('hal', 'stopped')).toHaveLength(1)
      expect(await exitWithin(pusher.exited, 5000)).not.toBe(0)
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
}
