// The embedded engine with real sockets and real ffmpeg: the scenarios every engine owes the
// server (engine-scenarios.ts, HTTP-FLV pulls and 403s included, since this engine
// has a flvBase), then what is particular to node-media-server in the process.
import { EmbeddedEngine, type EmbeddedEngineOptions } from '../../server/media/embedded'
import { Recorder } from '../../testkit/media-hooks'
import { type EngineFactory, engineScenarios } from './engine-scenarios'
import { pullFrames, pushTestPattern, stopAllMedia } from '../../testkit/ffmpeg'
import { addressInUse, holdPort, whileInUse } from '../../testkit/ports'

const figures: string[] = []

/** Free ports, HTTP-FLV on: the engine the scenarios and the particulars run against. */
const embedded = (opts: EmbeddedEngineOptions = {}) =>
  new EmbeddedEngine({ rtmpPort: 0, httpPort: 0, logLevel: 'error', ...opts })

afterAll(() => {
  // The measured figures, visible in the test output.
  console.log(`embedded engine figures:\n  ${figures.join('\n  ')}`)
})

describe('EmbeddedEngine scenarios', () => {
  // Its idle limit is a socket timeout counted from the last byte received: early only by the
  // gap between the publisher's last packets (about 40 ms here, more on a loaded machine).
  const create: EngineFactory = ({ idlePublisherMs }) =>
    embedded({ publisherIdleMs: idlePublisherMs })
  engineScenarios(create, figures, { idleEarlyMs: 150 })
})

describe('EmbeddedEngine particulars', () => {
  const engine = embedded()

  beforeAll(() => engine.start(new Recorder()))
  afterAll(() => engine.stop())

  it('listens on free ports and puts them in its URLs, HTTP-FLV on a port of its own', () => {
    const rtmp = /^rtmp:\/\/127\.0\.0\.1:(\d+)\/live$/.exec(engine.rtmpBase())
    const flv = /^http:\/\/127\.0\.0\.1:(\d+)\/live$/.exec(engine.flvBase() ?? '')
    expect(rtmp).not.toBeNull()
    expect(flv).not.toBeNull()
    expect(Number(rtmp![1])).toBeGreaterThan(0)
    expect(Number(flv![1])).toBeGreaterThan(0)
    expect(rtmp![1]).not.toBe(flv![1])
  })

  it('refuses a second engine in the same process with a clear error', async () => {
    const second = embedded({ httpPort: null })
    await expect(second.start(new Recorder())).rejects.toThrow(/another embedded engine/)
  })
})

describe('EmbeddedEngine start and stop', () => {
  afterEach(() => stopAllMedia())

  it('rejects start() when its port is taken, and can start afterwards', async () => {
    const { port, release } = await holdPort()
    const engine = embedded({ httpPort: port, logLevel: 'silent' })
    await expect(engine.start(new Recorder())).rejects.toThrow(/HTTP-FLV.*EADDRINUSE/)
    await release()
    // The port is ours again, unless something holds it for a moment: then again.
    await whileInUse(() =>
      engine.start(new Recorder()).catch((e: Error) => {
        throw /EADDRINUSE/.test(e.message) ? addressInUse(e.message) : e
      }),
    )
    expect(engine.flvBase()).toBe(`http://127.0.0.1:${port}/live`)
    await engine.stop()
  })

  it('serves RTMP alone with httpPort null, and stop() frees the process for another engine', async () => {
    const hooks = new Recorder()
    const engine = embedded({ httpPort: null })
    await engine.start(hooks)
    expect(engine.flvBase()).toBeNull()
    const pusher = pushTestPattern(`${engine.rtmpBase()}/hal`)
    await hooks.next('started', 'publish', 'hal')
    await engine.stop()
    expect(hooks.of('hal', 'stopped')).toHaveLength(1)
    expect(await pusher.exited).not.toBe(0)

    // node-media-server's process-wide state was handed back: a new engine runs on it.
    const hooksAgain = new Recorder()
    const next = embedded({ httpPort: null })
    await next.start(hooksAgain)
    const again = pushTestPattern(`${next.rtmpBase()}/hal`)
    await hooksAgain.next('started', 'publish', 'hal')
    expect((await pullFrames(`${next.rtmpBase()}/hal`, { frames: 2 })).frames).toBe(2)
    expect(hooks.of('hal', 'started')).toHaveLength(1) // the old engine's listeners are gone
    await again.stop()
    await next.stop()
  })
})
