// The conference types and recording flags end to end with real ffmpeg: rec + recMerge files,
// the COMMUNICATION_MIX stream and its layout, LIVE roles, attributes, and no media process
// outliving its conference.
import fs from 'fs'
import os from 'os'
import path from 'path'
import {
  cellLuma,
  grabGray,
  mediaChildren,
  probe,
  type Pusher,
  pushTestPattern,
  stopAllMedia,
} from '../../testkit/ffmpeg'
import { type NodeClient } from '../../testkit/sdk-client'
import { useServer } from '../../testkit/server-suite'
import { sleep, until } from '../../testkit/wait'

const recordings = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-rec-'))
const suite = useServer({ recordingsDir: recordings, graceMs: 1500 })
const { client } = suite

/** `n` talkers in one room, each publishing a test pattern. */
async function talkers(room: string, n: number, extra: object = {}) {
  const clients: NodeClient[] = []
  const pushers: Pusher[] = []
  for (let i = 0; i < n; i++) {
    const c = await client(`${room}-t${i}`)
    await c.emedia.mgr.joinRoom({ roomName: room, password: '', role: 3, ...extra })
    const pub = await c.emedia.mgr.pubStream(`cam${i}`)
    pushers.push(pushTestPattern(pub.data.rtmp, { toneHz: 300 + 100 * i }))
    clients.push(c)
  }
  return { clients, pushers }
}

async function adminGet(p: string) {
  const res = await fetch(suite.server.httpUrl + p, {
    headers: { authorization: `Bearer ${suite.server.config.adminSecret}` },
  })
  return {
    status: res.status,
    body: res.headers.get('content-type')?.includes('json')
      ? await res.json()
      : await res.arrayBuffer(),
  }
}

afterEach(() => stopAllMedia())
afterAll(() => fs.rmSync(recordings, { recursive: true, force: true }))

test('rec + recMerge: 3 talkers for ~10 s → 3 stream files and 1 merged file with video and audio', async () => {
  const { clients, pushers } = await talkers('recorded', 3, {
    config: { rec: true, recMerge: true },
  })
  const confrId = clients[0].emedia.mgr.getConference()!.confrId
  expect(clients[0].emedia.mgr.getConference()).toMatchObject({ rec: true, recMerge: true })
  await sleep(10000)
  await Promise.all(pushers.map((p) => p.stop()))
  await clients[0].emedia.mgr.destroyConference(confrId)
  // Jobs end with the conference: files finalised, no ffmpeg left behind.
  await until(() => mediaChildren().length === 0, 15000, 'media processes to end')
  const { body } = await adminGet(`/api/conferences/${confrId}/recordings`)
  const files = (
    body as { recordings: Array<{ name: string; kind: string; url: string; bytes: number }> }
  ).recordings
  expect(files.filter((f) => f.kind === 'stream')).toHaveLength(3)
  expect(files.filter((f) => f.kind === 'merged')).toHaveLength(1)
  for (const f of files) {
    const info = await probe(path.join(recordings, confrId, f.name))
    expect(info.video).toBeDefined()
    expect(info.audio).toBeDefined()
    expect(info.duration).toBeGreaterThan(f.kind === 'merged' ? 4 : 7)
    expect(info.duration).toBeLessThan(14)
  }
  expect(files.find((f) => f.kind === 'merged')!.name).toMatch(/^merged-/)
  // Download through the API: the same bytes as on disk.
  const one = files[0]
  const dl = await adminGet(one.url)
  expect(dl.status).toBe(200)
  expect((dl.body as ArrayBuffer).byteLength).toBe(
    fs.statSync(path.join(recordings, confrId, one.name)).size,
  )
  expect((await adminGet(`/api/recordings/${confrId}/..%2F..%2Fetc.mp4`)).status).toBe(400)
})

test('COMMUNICATION_MIX: members get one mixed stream at 640x360; its layout follows a 4th talker', async () => {
  const watcher = await client('mix-watcher')
  const { clients, pushers } = await talkers('mixed', 3, { type: 11 })
  await watcher.emedia.mgr.joinRoom({ roomName: 'mixed', password: '', role: 3 })
  await until(() => watcher.events('streamAdded').length >= 1, 15000, 'the mix stream')
  const streams = watcher.events('streamAdded').map((e) => e[0] as { type: string; id: string })
  expect(streams.map((s) => s.type)).toEqual(['mix']) // one player instead of N
  const play = await watcher.emedia.mgr.subStream(streams[0].id)
  const PICTURE = 60
  const BLACK = 30
  // 3 talkers in a 2x2 grid: three cells show pictures, the fourth is black.
  let frame: Buffer | null = null
  for (let i = 0; i < 40 && !(frame && cellLuma(frame, 0, 1) > PICTURE); i++) {
    frame = await grabGray(play.data.rtmp)
    if (!frame) await sleep(250)
  }
  expect(frame).not.toBeNull()
  expect(frame!.length).toBe(640 * 360)
  expect(cellLuma(frame!, 0, 1)).toBeGreaterThan(PICTURE)
  expect(cellLuma(frame!, 1, 1)).toBeLessThan(BLACK)
  // A 4th talker starts publishing: the fourth cell fills.
  const fourth = await client('mixed-t3')
  await fourth.emedia.mgr.joinRoom({ roomName: 'mixed', password: '', role: 3 })
  const pub = await fourth.emedia.mgr.pubStream('cam3')
  pushers.push(pushTestPattern(pub.data.rtmp, { toneHz: 700 }))
  let after: Buffer | null = null
  for (let i = 0; i < 60 && !(after && cellLuma(after, 1, 1) > PICTURE); i++) {
    after = await grabGray(play.data.rtmp)
    if (!(after && cellLuma(after, 1, 1) > PICTURE)) await sleep(250)
  }
  expect(cellLuma(after!, 1, 1)).toBeGreaterThan(PICTURE)
  await Promise.all(pushers.map((p) => p.stop()))
  await clients[0].emedia.mgr.destroyConference()
  await until(() => mediaChildren().length === 0, 15000, 'the mixer to end')
})

test('LIVE: audience cannot publish (-101); promoted it publishes to the others; demoted its stream ends', async () => {
  const host = await client('live-host')
  const fan = await client('live-fan')
  const viewer = await client('live-viewer')
  const conf = await host.emedia.mgr.joinRoom({ roomName: 'live', password: '', role: 7, type: 12 })
  expect(conf.type).toBe(12)
  expect(conf.config.maxAudienceCount).toBeGreaterThanOrEqual(1000)
  await fan.emedia.mgr.joinRoom({ roomName: 'live', password: '' })
  await viewer.emedia.mgr.joinRoom({ roomName: 'live', password: '' })
  expect(fan.emedia.mgr.getSelf()!.role).toBe(1) // LIVE joiners are audience by default
  await expect(fan.emedia.mgr.pubStream('cam')).rejects.toMatchObject({ code: -101 })
  await host.emedia.mgr.grantRole(conf.confrId, ['live-fan'], 3)
  await until(() => fan.emedia.mgr.getSelf()!.role === 3)
  const pub = await fan.emedia.mgr.pubStream('cam')
  const pusher = pushTestPattern(pub.data.rtmp)
  await until(
    () => viewer.events('streamAdded').length === 1 && host.events('streamAdded').length === 1,
    10000,
  )
  await host.emedia.mgr.grantRole(conf.confrId, ['live-fan'], 1)
  await until(
    () => viewer.events('streamRemoved').length === 1 && host.events('streamRemoved').length === 1,
  )
  expect(await pusher.exited).not.toBeNull() // the engine cut the demoted publisher
  await expect(fan.emedia.mgr.pubStream('cam')).rejects.toMatchObject({ code: -101 })
})

test('attributes reach every member and a late joiner', async () => {
  const a = await client('attr-a')
  const b = await client('attr-b')
  await a.emedia.mgr.joinRoom({ roomName: 'attrs', password: '', role: 7 })
  await b.emedia.mgr.joinRoom({ roomName: 'attrs', password: '' })
  await a.emedia.mgr.setConferenceAttrs({ key: 'topic', val: 'launch' })
  await until(() => b.events('confrAttrsUpdated').length === 1)
  expect(b.events('confrAttrsUpdated')[0][0]).toEqual({ topic: 'launch' })
  const late = await client('attr-late')
  await late.emedia.mgr.joinRoom({ roomName: 'attrs', password: '' })
  expect(late.events('confrAttrsUpdated')[0][0]).toEqual({ topic: 'launch' })
  await b.emedia.mgr.deleteConferenceAttrs({ key: 'topic' })
  await until(
    () =>
      late.events('confrAttrsUpdated').length === 2 && a.events('confrAttrsUpdated').length === 2,
  )
  expect(late.emedia.mgr.getConferenceAttrs()).toEqual({})
})
