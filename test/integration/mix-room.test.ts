// COMMUNICATION_MIX as people see and hear it, on the real server with real media: each talker is
// the kit's store on the Node SDK, publishing as the store does and pushing its own tone with
// ffmpeg. What a talker sees is its store's tiles; what it hears is the audio of the stream its
// store plays, pulled and decoded, and measured at every talker's tone.
import { type ConferenceServer } from '../../server/app'
import { createEmedia, createNodeAdapter } from '../../sdk/node'
import { createConferenceStore, type ConferenceStore } from '../../store/index'
import {
  mediaChildren,
  pullAudio,
  type Pusher,
  pushTestPattern,
  stopAllMedia,
} from '../helpers/ffmpeg'
import { until } from '../helpers/sdk-client'
import { startServer, tokenFor } from '../helpers/server'
import { dbfs, toneLevels } from '../helpers/tones'

let server: ConferenceServer
const open: Array<{ store: ConferenceStore; emedia: ReturnType<typeof createEmedia> }> = []

beforeAll(async () => {
  server = await startServer({ graceMs: 1500 })
})
afterEach(async () => {
  for (const { store, emedia } of open.splice(0)) {
    await store.session.leave()
    store.dispose()
    await emedia.mgr.disconnect()
  }
  await stopAllMedia()
  // Empty, the conference ends after the grace window and its mixer with it.
  await until(() => mediaChildren().length === 0, 15000, 'the mixer to end')
})
afterAll(() => server.stop())

/** A member as the kit makes one: the store on the SDK. */
async function member(room: string, user: string, role: 1 | 3): Promise<ConferenceStore> {
  const emedia = createEmedia({ adapter: createNodeAdapter() })
  emedia.config({ host: server.wsUrl, token: tokenFor(server, user), logLevel: 'silent' })
  const store = createConferenceStore(emedia as never)
  open.push({ store, emedia })
  expect(await store.session.joinRoom({ roomName: room, role, type: 11 })).toBe(true)
  return store
}

/** `tones.length` talkers, each publishing through its store and pushing its own tone. */
async function talkers(room: string, tones: number[]) {
  const stores: ConferenceStore[] = []
  const pushers: Pusher[] = []
  for (const [i, toneHz] of tones.entries()) {
    const store = await member(room, `${room}-t${i}`, 3)
    expect(await store.media.publish()).toBe(true)
    pushers.push(pushTestPattern(store.media.local.pushUrl, { toneHz }))
    stores.push(store)
  }
  return { stores, pushers }
}

/** The tiles a member plays: everything it shows but its own camera. */
const played = (store: ConferenceStore) => store.tiles.filter((t) => !t.isSelf)

test('a talker sees the mix as the main tile and no empty tiles for the others', async () => {
  const { stores } = await talkers('mix-tiles', [440, 660, 880])
  for (const store of stores) {
    await until(() => played(store).some((t) => t.url), 20000, 'the mix to reach every talker')
  }
  for (const store of stores) {
    const others = played(store)
    // One tile beside its own camera: the mix, and it is the one shown large.
    expect(others.map((t) => ({ kind: t.kind, hasUrl: t.url !== '' }))).toEqual([
      { kind: 'camera', hasUrl: true },
    ])
    expect(store.session.streams.get(others[0].id)?.type).toBe('mix')
    expect(store.featuredTileId).toBe(others[0].id)
    expect(store.tileIds).toEqual([store.session.self!.id, others[0].id])
  }
})

const TONES = [440, 660, 880, 1100]
/** A tone counts as heard above this (each of 4 voices is −18 dBFS pushed, ÷4 by the mix)… */
const HEARD_DB = -45
/** …and as not heard below this. */
const ABSENT_DB = -60

test('each talker hears every other talker and not itself; a listener hears all', async () => {
  const { stores } = await talkers('mix-voices', TONES)
  const listener = await member('mix-voices', 'mix-voices-listener', 1)
  const all = [...stores, listener]
  // The mix follows the talkers as they come (a restart per layout): wait for one capture in
  // which the listener hears all four and every talker hears the three others.
  let levels: number[][] = []
  const settled = () =>
    levels.length === all.length &&
    levels.every((l, who) => l.every((db, tone) => tone === who || db > HEARD_DB))
  const deadline = Date.now() + 40000
  while (!settled()) {
    if (Date.now() > deadline) throw new Error(`the mix never settled: ${JSON.stringify(levels)}`)
    const captures = await Promise.all(
      all.map((store) => {
        const tiles = played(store).filter((t) => t.url)
        return tiles.length === 1 ? pullAudio(tiles[0].url, { seconds: 2.5 }) : null
      }),
    )
    levels = captures.every((c) => c)
      ? captures.map((pcm) => toneLevels(pcm!, 16000, TONES).map(dbfs))
      : []
    if (!levels.length) await new Promise((r) => setTimeout(r, 250))
  }
  // Each row a member (the talkers, then the listener), each column a tone: what was expected,
  // or the level measured (dBFS) where it was not.
  const expected = all.map((_, who) => TONES.map((_t, tone) => (tone === who ? 'absent' : 'heard')))
  const measured = levels.map((l, who) =>
    l.map((db, tone) => {
      const want = expected[who][tone]
      const ok = want === 'heard' ? db > HEARD_DB : db < ABSENT_DB
      return ok ? want : `${Math.round(db)} dBFS`
    }),
  )
  expect(measured).toEqual(expected)
})
