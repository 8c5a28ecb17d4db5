// Media jobs end to end with real ffmpeg: the supervisor's restart/stop rules, per-stream and
// merged recordings of live streams on the embedded engine, and the live mix whose layout
// follows its inputs. Every media process is accounted for at the end (pids() and `ps`).
import fs from 'fs'
import os from 'os'
import path from 'path'
import { EmbeddedEngine } from '../../server/media/embedded'
import { type MediaHooks, type MediaKind, type MediaSession } from '../../server/media/engine'
import { fragmentedMp4Args } from '../../server/media/jobs/container'
import { Mixer } from '../../server/media/jobs/mixer'
import { Recorder } from '../../server/media/jobs/recorder'
import { type Job, type JobLogger, Supervisor } from '../../server/media/jobs/supervisor'
import {
  cellLuma,
  grabGray,
  mediaChildren,
  probe,
  pullAudio,
  pullFrames,
  type Pusher,
  pushTestPattern,
  stopAllMedia,
} from '../../testkit/ffmpeg'
import { dbfs, toneLevels } from '../../testkit/tones'
import { sleep, until } from '../../testkit/wait'

/** Collects what the supervisor logs and reports. */
function watched() {
  const crashes: string[] = []
  const exits: string[] = []
  const errors: string[] = []
  const logger: JobLogger = {
    info: () => undefined,
    warn: () => undefined,
    error: (_obj, msg) => errors.push(msg ?? ''),
  }
  const supervisor = new Supervisor({
    logger,
    onCrash: (_job: Job, m: string) => crashes.push(m),
    onExit: (_job: Job, m: string) => exits.push(m),
  })
  return { supervisor, crashes, exits, errors }
}

const W = 640
const H = 360

// color=black is luma 16; testsrc2's bars and gradient average far above that.
const BLACK = 30
const PICTURE = 60

describe('Supervisor', () => {
  let dir: string
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-sup-'))))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('restarts a crashing job with backoff, then gives up, logging and reporting each crash', async () => {
    const { supervisor, crashes, exits, errors } = watched()
    const job = supervisor.start({
      name: 'broken',
      args: ['-hide_banner', '-f', 'lavfi', '-i', 'nosuchsource', '-f', 'null', '-'],
      restart: { maxRestarts: 2, backoffMs: 50, windowMs: 60000 },
    })
    await job.done
    expect(job.state).toBe('failed')
    expect(job.restarts).toBe(2)
    expect(crashes).toHaveLength(3)
    expect(crashes[0]).toMatch(/"broken" exited with code 1; restart 1\/2 in 50 ms: .*nosuchsource/)
    expect(crashes[1]).toMatch(/restart 2\/2 in 100 ms/)
    expect(crashes[2]).toMatch(/gave up after 2 restarts/)
    expect(exits).toEqual([crashes[2]])
    expect(errors).toHaveLength(3)
    expect(job.stderrTail().join('\n')).toMatch(/nosuchsource/)
    expect(supervisor.pids()).toEqual([])
  })

  it('reports a killed ffmpeg as a crash, and its fragmented MP4 still plays', async () => {
    const { supervisor, crashes, exits } = watched()
    const file = path.join(dir, 'killed.mp4')
    const args = ['-hide_banner', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=15']
    args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-g', '15', ...fragmentedMp4Args(), file)
    const job = supervisor.start({ name: 'victim', args, restart: { maxRestarts: 0 } })
    await sleep(2500)
    process.kill(job.pid!, 'SIGKILL')
    await job.done
    expect(crashes).toEqual([expect.stringMatching(/"victim" exited with SIGKILL; gave up/)])
    expect(exits).toHaveLength(1)
    const info = await probe(file)
    expect(info.video).toMatchObject({ codec: 'h264', width: 320, height: 180 })
    expect(info.duration).toBeGreaterThan(1)
  })

  it('stop() escalates to SIGKILL when SIGINT is ignored; stopAll leaves no process', async () => {
    const crashes: string[] = []
    const supervisor = new Supervisor({
      ffmpegPath: '/bin/sh',
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      onCrash: (_j, m) => crashes.push(m),
    })
    const stubborn = supervisor.start({
      name: 'stubborn',
      args: ['-c', 'trap "" INT; exec sleep 30'],
      stopTimeoutMs: 300,
    })
    const polite = supervisor.start({ name: 'polite', args: ['-c', 'exec sleep 30'] })
    expect(() => supervisor.start({ name: 'polite', args: [] })).toThrow(/already running/)
    expect(supervisor.pids().sort()).toEqual([stubborn.pid, polite.pid].sort())
    await sleep(300) // let sh install its trap
    const t0 = Date.now()
    await supervisor.stopAll()
    expect(Date.now() - t0).toBeLessThan(2000)
    expect(stubborn.lastExit?.signal).toBe('SIGKILL')
    expect(polite.lastExit?.signal).toBe('SIGINT')
    expect([stubborn.state, polite.state]).toEqual(['exited', 'exited'])
    expect(crashes).toEqual([])
    expect(supervisor.pids()).toEqual([])
    expect(supervisor.list()).toEqual([])
    expect(() => supervisor.start({ name: 'late', args: [] })).toThrow(/supervisor is stopped/)
  })
})

describe('bad input gets a clear error and starts nothing', () => {
  const { supervisor } = watched()
  const rec = { dir: '/tmp', confrId: 'c1', streamId: 's1', input: 'rtmp://h/live/s1' }

  it('Recorder refuses ids that could leave the directory, and a missing input', () => {
    expect(() => new Recorder(supervisor, { ...rec, confrId: '../etc' })).toThrow(/confrId must/)
    expect(() => new Recorder(supervisor, { ...rec, streamId: 'a/b' })).toThrow(/streamId must/)
    expect(() => new Recorder(supervisor, { ...rec, input: '' })).toThrow(/input URL/)
    expect(() => new Recorder(supervisor, { ...rec, inputTimeoutMs: -1 })).toThrow(/timeout/)
  })

  it('Mixer refuses bad targets, encodings and input lists', async () => {
    const rtmp = { rtmp: 'rtmp://h/live/mix' }
    expect(() => new Mixer(supervisor, { name: 'm', target: { file: '/tmp/x.flv' } })).toThrow(
      /\.mp4/,
    )
    const bad = { name: 'm', target: {} } as unknown as ConstructorParameters<typeof Mixer>[1]
    expect(() => new Mixer(supervisor, bad)).toThrow(/target must be/)
    expect(() => new Mixer(supervisor, { name: 'm', target: rtmp, encoding: { fps: 0 } })).toThrow(
      /fps/,
    )
    expect(
      () => new Mixer(supervisor, { name: 'm', target: rtmp, encoding: { width: 641 } }),
    ).toThrow(/even/)
    const mixer = new Mixer(supervisor, { name: 'm', target: rtmp })
    const many = Array.from({ length: 17 }, (_, i) => `rtmp://h/live/s${i}`)
    await expect(mixer.setInputs(many)).rejects.toThrow(/at most 16/)
    await expect(mixer.setInputs(['rtmp://h/a', 'rtmp://h/a'])).rejects.toThrow(/duplicate/)
    await expect(mixer.setInputs([''])).rejects.toThrow(/array of URLs/)
    expect(supervisor.pids()).toEqual([])
  })
})

describe('media jobs on the embedded engine', () => {
  const engine = new EmbeddedEngine({ rtmpPort: 0, httpPort: 0, logLevel: 'error' })
  const live = new Set<string>()
  const hooks: MediaHooks = {
    authorize: () => null,
    started: (kind: MediaKind, s: MediaSession) => kind === 'publish' && live.add(s.stream),
    stopped: (kind: MediaKind, s: MediaSession) => kind === 'publish' && live.delete(s.stream),
  }
  const { supervisor, crashes } = watched()
  const pushers = new Map<string, Pusher>()
  let dir: string
  let base: string

  async function publish(stream: string, toneHz: number): Promise<Pusher> {
    const p = pushTestPattern(`${base}/${stream}`, { label: stream, toneHz })
    pushers.set(stream, p)
    await until(async () => (live.has(stream) ? true : null), 10000, `${stream} live`, 200)
    return p
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-e2e-'))
    await engine.start(hooks)
    base = engine.rtmpBase()
    await Promise.all([publish('s1', 300), publish('s2', 500), publish('s3', 700)])
  })

  afterAll(async () => {
    await supervisor.stopAll()
    await stopAllMedia()
    await engine.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('records 3 streams to own files (new file after a reconnection) + one merged file across layouts', async () => {
    const streams = ['s1', 's2', 's3']
    const recorders = streams.map(
      (s) => new Recorder(supervisor, { dir, confrId: 'c1', streamId: s, input: `${base}/${s}` }),
    )
    recorders.forEach((r) => r.start())
    const merged = path.join(dir, 'c1', 'merged.mp4')
    const mixer = new Mixer(supervisor, { name: 'recMerge:c1', target: { file: merged } })
    await mixer.setInputs(streams.map((s) => `${base}/${s}`))
    expect(mixer.live).toHaveLength(3)
    const t0 = Date.now()
    await sleep(2000)
    // s3's phone reconnects: the engine keeps the recorder attached, the stream's timestamps
    // start over, so its recorder must go on in a new file rather than write garbage.
    await pushers.get('s3')!.stop()
    await until(async () => (live.has('s3') ? null : true), 5000, 's3 gone', 200)
    await publish('s3', 700)
    await sleep(3500 - (Date.now() - t0))
    // A talker leaves: the merged recording goes on in a new layout (a second segment).
    await mixer.setInputs(streams.slice(0, 2).map((s) => `${base}/${s}`))
    expect(mixer.segments).toHaveLength(2)
    await sleep(7000 - (Date.now() - t0))
    const files = await Promise.all(recorders.map((r) => r.stop()))
    expect(await mixer.stop()).toBe(merged)

    const durations: number[][] = []
    for (const [i, list] of files.entries()) {
      durations.push([])
      for (const file of list) {
        expect(path.dirname(file)).toBe(path.join(dir, 'c1'))
        expect(path.basename(file)).toMatch(new RegExp(`^s${i + 1}-\\d{8}T\\d{9}Z\\.mp4$`))
        const info = await probe(file)
        expect(info.video).toMatchObject({ codec: 'h264', width: 640, height: 360 })
        expect(info.audio).toMatchObject({ codec: 'aac' })
        durations[i].push(info.duration)
      }
    }
    // s1, s2: one file each of the whole time; s3: one before and one after its reconnection.
    for (const d of durations.slice(0, 2)) {
      expect(d).toHaveLength(1)
      expect(d[0]).toBeGreaterThan(5)
      expect(d[0]).toBeLessThan(10)
    }
    expect(durations[2]).toHaveLength(2)
    expect(Math.min(...durations[2])).toBeGreaterThan(1)
    expect(durations[2][0] + durations[2][1]).toBeGreaterThan(5)
    expect(durations[2][0] + durations[2][1]).toBeLessThan(10)
    // The two segments joined into one file.
    const info = await probe(merged)
    expect(info.video).toMatchObject({ codec: 'h264', width: 640, height: 360 })
    expect(info.audio).toMatchObject({ codec: 'aac' })
    expect(info.duration).toBeGreaterThan(4)
    expect(info.duration).toBeLessThan(10)
    expect(fs.readdirSync(path.join(dir, 'c1')).filter((f) => f.includes('.part'))).toEqual([])
    expect(crashes).toEqual([])
  })

  it('mix-minus: one picture, and per talker a voice mix without its own voice', async () => {
    const urls = ['s1', 's2', 's3'].map((s) => `${base}/${s}`)
    const tones = [300, 500, 700]
    const room = `${base}/mix_c3`
    const minus = urls.map((u, i) => ({ rtmp: `${base}/mix_c3_m${i + 1}`, without: [u] }))
    const mixer = new Mixer(supervisor, { name: 'mix:c3', target: { rtmp: room } })
    await expect(
      mixer.setInputs(urls, [{ rtmp: `${base}/x`, without: [`${base}/s9`] }]),
    ).rejects.toThrow(/not an input/)
    await mixer.setInputs(urls, minus)
    expect(mixer.minus).toEqual(minus)
    // One ffmpeg for the four outputs; each plays with the grid and a voice.
    expect(supervisor.pids()).toHaveLength(1)
    const outputs = [room, ...minus.map((m) => m.rtmp)]
    const pulled = await Promise.all(outputs.map((u) => pullFrames(u, { frames: 3 })))
    for (const p of pulled)
      expect(p).toMatchObject({ frames: 3, width: W, height: H, hasAudio: true })
    const heard = await Promise.all(outputs.map((u) => pullAudio(u, { seconds: 2 })))
    const levels = heard.map((pcm) => toneLevels(pcm!, 16000, tones).map(dbfs))
    // The room hears all three; output k hears all but talker k.
    levels.forEach((l, out) =>
      l.forEach((db, tone) =>
        expect({ out, tone, db: Math.round(db), heard: db > -45 }).toMatchObject({
          heard: out === 0 || tone !== out - 1,
        }),
      ),
    )
    // A talker leaves: its output goes with it, the others follow the new layout.
    await mixer.setInputs(urls.slice(0, 2), minus.slice(0, 2))
    expect(mixer.live).toEqual(urls.slice(0, 2))
    const two = await pullAudio(minus[0].rtmp, { seconds: 2 })
    expect(toneLevels(two!, 16000, tones).map((db) => dbfs(db) > -45)).toEqual([false, true, false])
    await mixer.stop()
    expect(supervisor.pids()).toEqual([])
    expect(crashes).toEqual([])
  })

  it('live mix: 3 talkers in 2x2, a 4th joins once live, the mix survives a talker dropping', async () => {
    const mixUrl = `${base}/mix_c2`
    const mixer = new Mixer(supervisor, {
      name: 'mix:c2',
      target: { rtmp: mixUrl },
      inputTimeoutMs: 1500,
      retryMs: 500,
    })
    const urls = ['s1', 's2', 's3', 's4'].map((s) => `${base}/${s}`)
    await mixer.setInputs(urls.slice(0, 3))

    const pulled = await pullFrames(mixUrl, { frames: 5 })
    expect(pulled).toMatchObject({ frames: 5, width: W, height: H, hasAudio: true })
    // 3 talkers: cells 0, 1, 2 show pictures, the 4th cell is black.
    await until(
      async () => {
        const f = await grabGray(mixUrl)
        return f && cellLuma(f, 0, 0) > PICTURE && cellLuma(f, 0, 1) > PICTURE ? f : null
      },
      10000,
      '3-talker layout',
      200,
    ).then((f) => expect(cellLuma(f, 1, 1)).toBeLessThan(BLACK))

    // s4 is not published yet: it stays out of the layout, the mix keeps running.
    await mixer.setInputs(urls)
    expect(mixer.inputs).toEqual(urls)
    expect(mixer.live).toEqual(urls.slice(0, 3))
    const first = mixer.running
    expect(first?.state).toBe('running')

    const s4 = await publish('s4', 900)
    const t0 = Date.now()
    await until(async () => (mixer.live.length === 4 ? true : null), 10000, 's4 in the layout', 200)
    expect(mixer.running).not.toBe(first)
    await until(
      async () => {
        const f = await grabGray(mixUrl)
        return f && cellLuma(f, 1, 1) > PICTURE ? f : null
      },
      10000,
      '4-talker layout',
      200,
    ).then((f) => expect(cellLuma(f, 0, 0)).toBeGreaterThan(PICTURE))
    console.log(`live mix: s4 live → 4-talker picture on the engine in ${Date.now() - t0} ms`)

    // s4 drops: its tile freezes after inputTimeoutMs, the others go on. 40 frames > one GOP
    // (the engine's cache), so they must be newly encoded.
    await s4.stop()
    await sleep(500)
    const after = await pullFrames(mixUrl, { frames: 40, timeoutMs: 10000 })
    expect(after.frames).toBe(40)

    // Shutdown with the mix running and a probe in flight (s5 is never published): nothing
    // remains, and the mixer does not start anything again.
    const pending = mixer.setInputs([...urls, `${base}/s5`])
    await sleep(300)
    expect(supervisor.pids()).toHaveLength(2) // the mix's ffmpeg and s5's ffprobe
    await supervisor.stopAll()
    expect(supervisor.pids()).toEqual([])
    await pending
    await sleep(1000) // two retry periods
    expect(supervisor.pids()).toEqual([])
    expect(crashes).toEqual([])
    await stopAllMedia() // the test's own publishers and players
    expect(mediaChildren()).toEqual([])
  })
})
