// Recordings retention with real files: small MP4s made by ffmpeg as finished calls' recordings,
// and the recording of a running `rec` conference made by the server's own recorder from a real
// push. Past --recordings-max-age-days files go; past --recordings-max-mb the oldest go first;
// from 90 % of the cap the log warns and /metrics says so; a running conference's recording stays
// however old it is, and goes once its conference has ended.
import { execFileSync } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import pino from 'pino'
import type { ConferenceServer } from 'miniprogram-conference-server'
import { ffmpegPaths } from '../../server/media/ffmpeg'
import { recordingPath } from '../../server/media/jobs'
import { MIB } from '../../server/media/jobs/retention'
import { pushTestPattern, stopAllMedia } from '../../testkit/ffmpeg'
import { nodeClient, type NodeClient } from '../../testkit/sdk-client'
import { until } from '../../testkit/wait'
import { startServer } from '../../testkit/server'

const DAY = 86400_000
const CAP_MB = 2
let server: ConferenceServer
let dir: string
let client: NodeClient
const logs: Array<{ level: number; mod?: string; msg: string; file?: string; reason?: string }> = []

/** A finished call's recording: a real MP4 of about `bytes` (ffmpeg stops at -fs), `days` old. */
function recording(confrId: string, bytes: number, days: number): string {
  const file = recordingPath(dir, confrId, 'cam')
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const args = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i']
  args.push('testsrc2=size=320x180:rate=25:duration=20', '-f', 'lavfi', '-i')
  args.push('sine=frequency=440:duration=20', '-c:v', 'libx264', '-preset', 'ultrafast')
  args.push('-b:v', '3M', '-c:a', 'aac', '-fs', String(bytes), '-y', file)
  execFileSync(ffmpegPaths().ffmpeg, args)
  age(file, days)
  return file
}

function age(file: string, days: number) {
  const t = new Date(Date.now() - days * DAY)
  fs.utimesSync(file, t, t)
}

async function metrics() {
  const text = await (await fetch(`${server.httpUrl}/metrics`)).text()
  const families = parsePrometheusTextFormat(text)
  return (name: string, labels: Record<string, string> = {}) => {
    const family = families.find((f) => f.name === name)
    const sample = family?.metrics.find((m) =>
      Object.entries(labels).every(
        ([k, v]) => (m as { labels?: Record<string, string> }).labels?.[k] === v,
      ),
    ) as { value: string } | undefined
    return sample ? Number(sample.value) : undefined
  }
}

const total = () =>
  fs
    .readdirSync(dir)
    .flatMap((d) => fs.readdirSync(path.join(dir, d)).map((f) => path.join(dir, d, f)))
    .reduce((sum, f) => sum + fs.statSync(f).size, 0)

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-retention-'))
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) })
  server = await startServer(
    { recordingsDir: dir, recordingsMaxAgeDays: 30, recordingsMaxMb: CAP_MB, graceMs: 1000 },
    { logger },
  )
  await server.retention.sweep() // the one of the start, over an empty directory
})

afterAll(async () => {
  await client?.close()
  await stopAllMedia()
  await server.stop()
  fs.rmSync(dir, { recursive: true, force: true })
})

test('age first, then the oldest past the cap; a running call’s recording stays, however old', async () => {
  // A running `rec` call whose camera published for a while: its recording, closed, 60 days old.
  client = await nodeClient(server, 'rita')
  await client.emedia.mgr.joinRoom({
    roomName: 'kept',
    password: '',
    role: 3,
    config: { rec: true },
  })
  const confrId = client.emedia.mgr.getConference()!.confrId
  const pub = await client.emedia.mgr.pubStream('cam')
  const pusher = pushTestPattern(pub.data.rtmp, { width: 160, height: 90, fps: 10 })
  const live = () => fs.readdirSync(path.join(dir, confrId)).map((f) => path.join(dir, confrId, f))
  await until(
    () => fs.existsSync(path.join(dir, confrId)) && live().some((f) => fs.statSync(f).size > 20000),
    20000,
    'the recording to grow',
  )
  await pusher.stop()
  await until(
    () => server.modes.supervisor.list().length === 0,
    15000,
    'the recorder to close its file',
  )
  const running = live()
  for (const f of running) age(f, 60)
  // Small enough that exactly two of the 800 kB files below must go.
  expect(running.reduce((sum, f) => sum + fs.statSync(f).size, 0)).toBeLessThan(450_000)

  const ancient = recording('CF_ancient', 300_000, 40)
  const oldest = recording('CF_zulu', 800_000, 3)
  const older = recording('CF_alpha', 800_000, 2)
  const newer = recording('CF_mike', 800_000, 1)
  const newest = recording('CF_bravo', 800_000, 0.5)
  expect(total()).toBeGreaterThan(CAP_MB * MIB)

  const sweep = await server.retention.sweep()
  expect(sweep.deleted.map((d) => [d.path, d.reason])).toEqual([
    [ancient, 'age'],
    [oldest, 'cap'],
    [older, 'cap'],
  ])
  for (const gone of [ancient, oldest, older]) expect(fs.existsSync(gone)).toBe(false)
  // Emptied directories of ended calls go with their files.
  expect(fs.existsSync(path.dirname(ancient))).toBe(false)
  for (const kept of [...running, newer, newest]) expect(fs.existsSync(kept)).toBe(true)
  expect(sweep.bytes).toBe(total())
  expect(sweep.bytes).toBeLessThanOrEqual(CAP_MB * MIB)
  const deletedLines = logs.filter((l) => l.msg === 'recording deleted')
  expect(deletedLines.map((l) => [l.file, l.reason])).toEqual([
    [ancient, 'age'],
    [oldest, 'cap'],
    [older, 'cap'],
  ])

  // Up to 95 % of the cap: nothing goes, but the log warns and /metrics says so.
  const filler = recording('CF_filler', Math.floor(0.95 * CAP_MB * MIB - total()), 0.1)
  const near = await server.retention.sweep()
  expect(near.deleted).toEqual([])
  expect(fs.existsSync(filler)).toBe(true)
  const warning = logs.find((l) => l.level === 40 && l.mod === 'retention')
  expect(warning?.msg).toMatch(/^recordings at 9\d % of --recordings-max-mb/)
  let m = await metrics()
  expect(m('ck_recordings_near_cap')).toBe(1)
  expect(m('ck_recordings_bytes')).toBe(total())
  expect(m('ck_recordings_cap_bytes')).toBe(CAP_MB * MIB)
  expect(m('ck_recordings_deleted_total', { reason: 'age' })).toBe(1)
  expect(m('ck_recordings_deleted_total', { reason: 'cap' })).toBe(2)

  // The call ends: its 60-day-old recording is no longer protected.
  await client.emedia.mgr.destroyConference(confrId)
  await until(
    async () => !server.modes.busy().has(confrId) && !server.service.conferences.has(confrId),
    10000,
    'the call to end',
  )
  const after = await server.retention.sweep()
  expect(after.deleted.map((d) => [d.path, d.reason])).toEqual(running.map((f) => [f, 'age']))
  expect(fs.existsSync(path.join(dir, confrId))).toBe(false)
  m = await metrics()
  expect(m('ck_recordings_deleted_total', { reason: 'age' })).toBe(1 + running.length)
}, 90000)
