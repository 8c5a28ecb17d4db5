// COMMUNICATION_MIX as people see and hear it, on the real server with real media, on both
// engines: each talker is the kit's store on the Node SDK, publishing as the store does and
// pushing its own tone with ffmpeg. What a talker sees is its store's tiles; what it hears is the
// audio of the stream its store plays, pulled and decoded, and measured at every talker's tone.
import { type Stream } from 'miniprogram-conference-protocol'
import type { ConferenceServer } from 'miniprogram-conference-server'
import { checkInvariants } from '../../testkit/invariants'
import { createEmedia, createNodeAdapter } from '../../sdk/node'
import { createConferenceStore, type ConferenceStore } from '../../store/index'
import {
  mediaChildren,
  pullAudio,
  pullContinuously,
  type Pusher,
  pushTestPattern,
  stopAllMedia,
} from '../../testkit/ffmpeg'
import { describeWithNginx } from '../../testkit/nginx'
import { clientPool, type NodeClient } from '../../testkit/sdk-client'
import { until } from '../../testkit/wait'
import { startServer, tokenFor } from '../../testkit/server'
import { dbfs, toneLevels } from '../../testkit/tones'

describe('COMMUNICATION_MIX on the embedded engine', () => mixRoomSuite('embedded'))
describeWithNginx('COMMUNICATION_MIX on nginx-rtmp', () => mixRoomSuite('nginx'))

function mixRoomSuite(engine: 'embedded' | 'nginx') {
  let server: ConferenceServer
  const { client, closeAll } = clientPool(() => server)
  const open: Array<{ store: ConferenceStore; emedia: ReturnType<typeof createEmedia> }> = []

  beforeAll(async () => {
    server = await startServer({ graceMs: 1500, engine })
  })
  afterEach(async () => {
    await closeAll()
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
        { kind: 'mix', hasUrl: true },
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
    // The mix follows the talkers as they come (a restart per layout): listen until two captures
    // in a row come from the same streams and hear the same, the listener hearing all four and
    // every talker the three others.
    const capture = async () => {
      const urls = all.map((store) => played(store).filter((t) => t.url))
      if (urls.some((tiles) => tiles.length !== 1)) return null
      const pcm = await Promise.all(urls.map((tiles) => pullAudio(tiles[0].url, { seconds: 2.5 })))
      if (pcm.some((p) => !p)) return null
      const levels = pcm.map((p) => toneLevels(p!, 16000, TONES).map(dbfs))
      const heard = levels.map((l) => l.map((db) => db > HEARD_DB))
      return { key: JSON.stringify([urls.map((t) => t[0].url), heard]), heard, levels }
    }
    let last: Awaited<ReturnType<typeof capture>> = null
    let levels: number[][] = []
    const t0 = Date.now()
    let captures = 0
    for (;;) {
      if (Date.now() - t0 > 90000) throw new Error(`the mix never settled: ${last?.key}`)
      const now = await capture()
      captures++
      if (!now) {
        await new Promise((r) => setTimeout(r, 250))
        continue
      }
      const othersHeard = now.heard.every((h, who) => h.every((on, tone) => on || tone === who))
      if (othersHeard && now.key === last?.key) {
        levels = now.levels
        break
      }
      last = now
    }
    const rows = levels.map((l) => l.map((db) => Math.round(db)).join(' '))
    console.log(
      `mix-minus on ${engine}: settled ${Date.now() - t0} ms (${captures} captures) after the last join; dBFS at ${TONES}:\n${rows.join('\n')}`,
    )
    // Each row a member (the talkers, then the listener), each column a tone: what was expected,
    // or the level measured (dBFS) where it was not.
    const expected = all.map((_, who) =>
      TONES.map((_t, tone) => (tone === who ? 'absent' : 'heard')),
    )
    const measured = levels.map((l, who) =>
      l.map((db, tone) => {
        const want = expected[who][tone]
        const ok = want === 'heard' ? db > HEARD_DB : db < ABSENT_DB
        return ok ? want : `${Math.round(db)} dBFS`
      }),
    )
    expect(measured).toEqual(expected)
  }, 150000)

  /** A client's stream news about mixes, in order: `+id` added, `-id` removed. */
  function mixNews(c: NodeClient): string[] {
    return c.log
      .filter(
        ([name, s]) => /^stream(Added|Removed)$/.test(String(name)) && (s as Stream).type === 'mix',
      )
      .map(([name, s]) => `${name === 'streamAdded' ? '+' : '-'}${(s as Stream).id}`)
  }

  /** The mixes a client holds after its news. */
  function mixesHeld(c: NodeClient): string[] {
    const held = new Set<string>()
    for (const n of mixNews(c)) {
      if (n[0] === '+') held.add(n.slice(1))
      else held.delete(n.slice(1))
    }
    return [...held]
  }

  test("who is told of which mix: the room's for a listener, its own for a talker in it, through restarts", async () => {
    const join = async (user: string, role: 1 | 3) => {
      const c = await client(user)
      await c.emedia.mgr.joinRoom({ roomName: 'mix-news', password: '', role, type: 11 })
      return c
    }
    const ann = await join('ann', 3)
    const annPush = pushTestPattern((await ann.emedia.mgr.pubStream('cam')).data.rtmp)
    const listener = await join('listener', 1)
    await until(() => mixesHeld(listener).length === 1, 20000, "the room's mix")
    const [room] = mixesHeld(listener)
    await until(() => mixesHeld(ann).length === 1 && mixesHeld(ann)[0] !== room, 20000, "ann's own")
    const [annMix] = mixesHeld(ann)
    const before = { ann: mixNews(ann), listener: mixNews(listener) }
    // The listener's player, attached before the layout changes: nobody tells it to go, and it
    // must go on with the new layout (the engine keeps it attached through the restart's gap).
    const watching = pullContinuously((await listener.emedia.mgr.subStream(room)).data.rtmp)
    await until(() => watching.bytes() > 0, 10000, "the listener's player")

    // Bob joins while the room's mix is on the air: that is what he plays until he is in it.
    const bob = await join('bob', 3)
    expect(mixNews(bob)).toEqual([`+${room}`])
    const bobStream = (await bob.emedia.mgr.pubStream('cam')).data
    const bobPush = pushTestPattern(bobStream.rtmp, { toneHz: 660 })
    await until(() => mixNews(bob).length === 3, 20000, "bob's own mix")
    const bobMix = mixNews(bob)[1].slice(1)
    // His own first, then the room's withdrawn: he never holds no mix.
    expect(mixNews(bob)).toEqual([`+${room}`, `+${bobMix}`, `-${room}`])
    expect(new Set([room, annMix, bobMix]).size).toBe(3)
    // The mix restarted for the new layout: nobody else was told anything, and the player
    // attached before gets the new mix (bob's own comes from the new ffmpeg: the old one is gone).
    expect({ ann: mixNews(ann), listener: mixNews(listener) }).toEqual(before)
    const played0 = watching.bytes()
    await until(() => watching.bytes() > played0 + 100_000, 15000, 'the attached player to go on')
    await watching.stop()
    // The server's view of who plays what agrees.
    const conf = server.service.conferences.get(ann.emedia.mgr.getConference()!.confrId)!
    const owners = [...conf.streams.values()].filter((s) => s.type === 'mix').map((s) => s.mixFor)
    expect(owners.sort()).toEqual(
      [undefined, ann.emedia.mgr.getSelf()!.id, bob.emedia.mgr.getSelf()!.id].sort(),
    )
    expect(checkInvariants(server.service)).toEqual([])

    // Bob stops: he is handed the room's mix back (first), his own is gone.
    await bobPush.stop()
    await bob.emedia.mgr.unpubStream(bobStream.streamId)
    await until(() => mixNews(bob).length === 5, 20000, 'bob back on the room mix')
    expect(mixNews(bob).slice(3)).toEqual([`+${room}`, `-${bobMix}`])
    expect(conf.streams.has(bobMix)).toBe(false)
    expect(checkInvariants(server.service)).toEqual([])

    // The last talker stops: no mix is made, everyone is told once.
    await annPush.stop()
    await until(() => mixesHeld(listener).length === 0, 20000, 'the room mix withdrawn')
    await until(() => mixesHeld(ann).length === 0 && mixesHeld(bob).length === 0, 5000, 'all off')
    expect(mixNews(listener)).toEqual([`+${room}`, `-${room}`])
    expect(mixNews(ann)).toEqual([...before.ann, `-${annMix}`])
    expect(mixNews(bob).slice(5)).toEqual([`-${room}`])
  })
}
