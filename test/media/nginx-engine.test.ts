// The nginx-rtmp engine with a real nginx, real sockets and real ffmpeg: the scenarios every
// engine owes the server (engine-scenarios.ts), then what is particular to nginx.
// Without nginx + libnginx-mod-rtmp the suite says loudly that it did not run, and fails when
// CK_REQUIRE_NGINX=1 (CI, which installs them).
import fs from 'fs'
import os from 'os'
import path from 'path'
import { NginxEngine, parseCallback } from '../../server/media/nginx/engine'
import { renderOriginConfig } from '../../server/media/nginx/config'
import { Recorder } from '../../testkit/media-hooks'
import { engineScenarios, exitWithin } from './engine-scenarios'
import { pullFrames, pushTestPattern, stopAllMedia } from '../../testkit/ffmpeg'
import { describeWithNginx } from '../../testkit/nginx'
import { holdPort, whileInUse } from '../../testkit/ports'
import { sleep } from '../../testkit/wait'

const figures: string[] = []

/** Temp prefixes of our engines: each start makes one, each stop removes it. */
const prefixes = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('ck-nginx-'))

describe('nginx callback parsing (no nginx needed)', () => {
  it('tells nginx fields from the query by position, so a query key cannot pose as one', () => {
    const body =
      'app=live&flashver=FMLE%2F3.0&swfurl=&tcurl=rtmp%3A%2F%2Fh%2Flive&pageurl=&addr=10.0.0.7' +
      '&clientid=42&call=publish&name=alice&type=live&token=abc.def&name=evil&clientid=1'
    const p = parseCallback(body)
    expect(p.call).toBe('publish')
    expect(p.fields).toMatchObject({ app: 'live', addr: '10.0.0.7', clientid: '42', name: 'alice' })
    expect(p.query).toEqual({ token: 'abc.def', name: 'evil', clientid: '1' })
    const play = parseCallback(
      'app=live&addr=1.2.3.4&clientid=5&call=play&name=bob&start=0&duration=0&reset=0&token=t',
    )
    expect(play.fields.name).toBe('bob')
    expect(play.query).toEqual({ token: 't' })
    expect(parseCallback('app=live&clientid=5&call=play_done&name=bob').query).toEqual({})
  })

  it('refuses to write a config with characters nginx would read as syntax', () => {
    const base = {
      modulePath: '/m.so',
      prefix: '/tmp/x',
      bind: '127.0.0.1',
      rtmpPort: 1935,
      app: 'live',
      callbackBase: 'http://127.0.0.1:1/abc',
      controlSocket: '/tmp/x/c.sock',
      errorLevel: 'warn' as const,
      idlePublisherMs: 0,
      workerUser: null,
    }
    expect(renderOriginConfig(base)).toContain('listen 127.0.0.1:1935;')
    expect(renderOriginConfig(base)).not.toMatch(/^\s*drop_idle_publisher/m)
    expect(renderOriginConfig({ ...base, idlePublisherMs: 1500 })).toMatch(
      /drop_idle_publisher 1500ms;/,
    )
    expect(() => renderOriginConfig({ ...base, prefix: '/tmp/a b; evil' })).toThrow(/unsafe/)
  })
})

describeWithNginx('NginxEngine with nginx', () => {
  afterAll(() => {
    // The measured figures, visible in the test output.
    console.log(`nginx-rtmp engine figures:\n  ${figures.join('\n  ')}`)
  })

  describe('NginxEngine scenarios', () => {
    engineScenarios(
      ({ idlePublisherMs }) =>
        new NginxEngine({
          rtmpPort: 0,
          logLevel: 'error',
          idlePublisherSec: idlePublisherMs / 1000,
        }),
      figures,
    )
  })

  describe('NginxEngine particulars', () => {
    const hooks = new Recorder()
    const logged: string[] = []
    const engine = new NginxEngine({
      rtmpPort: 0,
      logLevel: 'warn',
      log: (level, message) => logged.push(`${level} ${message}`),
    })

    beforeAll(() => engine.start(hooks))
    afterEach(() => stopAllMedia())
    afterAll(() => engine.stop())

    it('listens on a port it picked, and offers RTMP only', () => {
      const rtmp = /^rtmp:\/\/127\.0\.0\.1:(\d+)\/live$/.exec(engine.rtmpBase())
      expect(rtmp).not.toBeNull()
      expect(Number(rtmp![1])).toBeGreaterThan(0)
      expect(engine.flvBase()).toBeNull()
    })

    it('reports the first frame time of a new player (no GOP cache: waits for a key frame)', async () => {
      const pusher = pushTestPattern(`${engine.rtmpBase()}/ivy`)
      await hooks.next('started', 'publish', 'ivy')
      await sleep(1000)
      const times: number[] = []
      for (let i = 0; i < 3; i++) {
        // A random phase against the 1 s GOP, or every pull would wait the same.
        await sleep(Math.random() * 1000)
        const t0 = Date.now()
        const pulled = await pullFrames(`${engine.rtmpBase()}/ivy`, { frames: 1 })
        expect(pulled).toMatchObject({ frames: 1, hasAudio: true })
        times.push(Date.now() - t0)
      }
      figures.push(
        `first frame of a new player incl. ffmpeg start (GOP 1 s): ${times.join(', ')} ms`,
      )
      await pusher.stop()
    })

    it('closeSession kicks a player: its ffmpeg ends and stopped(play) fires', async () => {
      const pusher = pushTestPattern(`${engine.rtmpBase()}/jon`)
      await hooks.next('started', 'publish', 'jon')
      const player = pullFrames(`${engine.rtmpBase()}/jon`, { frames: 100000, timeoutMs: 20000 })
      const started = await hooks.next('started', 'play', 'jon')
      const t0 = Date.now()
      engine.closeSession(started.session.sessionId)
      const stopped = await hooks.next('stopped', 'play', 'jon', 3000)
      expect(stopped.session.sessionId).toBe(started.session.sessionId)
      const pulled = await player
      expect(Date.now() - t0).toBeLessThan(5000)
      expect(pulled.frames).toBeLessThan(100000)
      // The publisher was not touched.
      expect(hooks.of('jon', 'stopped').filter((e) => e.kind === 'publish')).toEqual([])
      await pusher.stop()
    })

    it('closeSession from inside started (before nginx has joined the stream) still kicks', async () => {
      const started = hooks.started.bind(hooks)
      hooks.started = (kind, session) => {
        started(kind, session)
        if (session.stream === 'lea') engine.closeSession(session.sessionId)
      }
      try {
        const pusher = pushTestPattern(`${engine.rtmpBase()}/lea`)
        await hooks.next('stopped', 'publish', 'lea', 3000)
        expect(await exitWithin(pusher.exited, 3000)).not.toBe(0)
      } finally {
        hooks.started = started
      }
    })

    it('passes 253 bytes of name and query intact (a real play URL) and warns at the 255 cut', async () => {
      const fits = 'x'.repeat(253 - 'kim?token='.length)
      const pusher = pushTestPattern(`${engine.rtmpBase()}/kim?token=${fits}`)
      const intact = await hooks.next('authorize', 'publish', 'kim')
      expect(intact.session.query.token).toBe(fits)
      expect(logged.join('\n')).not.toMatch(/kim: .*limit/)
      await pusher.stop()

      const tooLong = pushTestPattern(`${engine.rtmpBase()}/kip?token=${'x'.repeat(300)}`)
      const cut = await hooks.next('authorize', 'publish', 'kip')
      expect(cut.session.query.token.length).toBe(255 - 'kip?token='.length)
      expect(logged.join('\n')).toMatch(/kip: .*255-byte limit/)
      await tooLong.stop()
    })
  })

  describe('NginxEngine start and stop', () => {
    afterEach(() => stopAllMedia())

    it("rejects start() with nginx's reason when its port is taken, and can start afterwards", async () => {
      const { port, release } = await holdPort()
      const before = prefixes().length
      const engine = new NginxEngine({ rtmpPort: port, logLevel: 'silent' })
      const t0 = Date.now()
      await expect(engine.start(new Recorder())).rejects.toThrow(
        new RegExp(`bind\\(\\) to 127\\.0\\.0\\.1:${port} failed.*in use`),
      )
      expect(Date.now() - t0).toBeLessThan(2000) // not nginx's own 2.5 s of bind retries
      expect(prefixes()).toHaveLength(before)
      await release()
      // The port is ours again, unless something holds it for a moment: then again.
      await whileInUse(() => engine.start(new Recorder()))
      expect(engine.rtmpBase()).toBe(`rtmp://127.0.0.1:${port}/live`)
      await engine.stop()
      expect(prefixes()).toHaveLength(before)
    })

    it("rejects start() with nginx's reason when nginx cannot load the module", async () => {
      const notAModule = path.join(os.tmpdir(), `ck-not-a-module-${process.pid}.so`)
      fs.writeFileSync(notAModule, 'not an ELF file')
      try {
        const engine = new NginxEngine({ rtmpPort: 0, modulePath: notAModule, logLevel: 'silent' })
        await expect(engine.start(new Recorder())).rejects.toThrow(
          /exited \(1\) at start: .*dlopen/,
        )
        expect(() => engine.rtmpBase()).toThrow(/not started/)
      } finally {
        fs.rmSync(notAModule, { force: true })
      }
    })

    it('says why when nginx or the module is missing', async () => {
      expect(NginxEngine.available({ modulePath: '/nonexistent/mod.so' })).toEqual({
        ok: false,
        reason: expect.stringMatching(/mod\.so not found/),
      })
      const engine = new NginxEngine({ nginxPath: '/nonexistent/nginx' })
      await expect(engine.start(new Recorder())).rejects.toThrow(/cannot start: .*nginx/)
    })
  })
})
