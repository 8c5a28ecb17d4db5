/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "node-addons"]}
 */
// <conference-room> on the built kit against the REAL server: the built mini program SDK on a `wx`
// whose connectSocket is a real WebSocket, the other members Node SDK clients, media real ffmpeg.
// The Node export conditions make `ws` resolve to its Node build (jsdom's default, 'browser',
// gives its stub that throws). One room is mounted and carried through the steps in order (a
// component path loads once per file); each step waits for real signalling.
import './node-timers'
import type { ConferenceServer } from 'miniprogram-conference-server'
import { pullFrames, pushTestPattern, stopAllMedia, type Pusher } from '../../testkit/ffmpeg'
import { nodeClient, type NodeClient } from '../../testkit/sdk-client'
import { startServer, tokenFor } from '../../testkit/server'
import { createWxShim } from '../../testkit/wx-shim'
import { realNetworkEmedia, type LiveEmedia } from './real-network'
import { flush, mount, spyLiveContexts, unmountAll, type LiveContext } from './mount'
import { attrsOf, grid, playerTiles, selfTile, type Node } from './rendered'
import { until } from '../../testkit/wait'

const ROOM = 'live-room'
const shim = createWxShim()

let server: ConferenceServer
let emedia: LiveEmedia
let ada: NodeClient // the room's admin (its first joiner), who kicks at the end
let bob: NodeClient | undefined
let bobPush: Pusher | undefined
let room: Node
let store: ReturnType<typeof mount>['store']
let pusher: LiveContext
const events: Array<{ name: string; detail: Record<string, unknown> }> = []

/** The conference as the server holds it. */
function serverConference() {
  const confrId = store.session.conference?.confrId ?? [...server.service.conferences.keys()][0]
  const conf = server.service.conferences.get(confrId)
  if (!conf) throw new Error(`the server has no conference ${confrId}`)
  return conf
}

function tokenOf(url: string): string {
  return new URL(url.replace(/^rtmp:/, 'http:')).searchParams.get('token') ?? ''
}

function tileOf(memberId: string): Node | undefined {
  return playerTiles(room).find((t) => t.data.memberId === memberId)
}

/** The native pusher reports `code` (its statechange event), and the page has handled it. */
async function pusherReports(code: number) {
  selfTile(room).querySelector('#pusher')!.dispatchEvent('statechange', { detail: { code } })
  await flush()
}

function named(name: string) {
  return events.filter((e) => e.name === name).map((e) => e.detail)
}

beforeAll(async () => {
  server = await startServer()
  emedia = realNetworkEmedia(shim)

  ada = await nodeClient(server, 'ada')
  await ada.emedia.mgr.joinRoom({ roomName: ROOM, password: '', role: 7, config: {} })

  pusher = spyLiveContexts().pusher
  const mounted = mount(
    emedia,
    { host: server.wsUrl, token: tokenFor(server, 'ann'), roomName: ROOM, nickName: 'Ann' },
    // No native pusher / player reports media here: keep the stall watchdog (room.test.ts) out of
    // the way of the steps.
    (s) => (s.media.stallTimeoutMs = 60000),
  )
  room = mounted.room
  store = mounted.store
  for (const name of ['join', 'exit', 'memberjoin', 'memberexit', 'error']) {
    room.addEventListener(name, (e) => events.push({ name, detail: e.detail }))
  }
})

afterAll(async () => {
  unmountAll()
  await emedia?.mgr.disconnect().catch(() => undefined)
  await Promise.all([ada, bob].map((c) => c?.close().catch(() => undefined)))
  await stopAllMedia()
  for (const ws of shim.sockets) ws.terminate()
  await server?.stop()
})

describe('<conference-room> on the real server, SDK, sockets and ffmpeg', () => {
  test('joins the room over a real socket; live-pusher gets the pubStream URL the server issued', async () => {
    await until(() => store.session.status === 'joined' && !!store.media.local.pushUrl, 5000)
    // One real WebSocket, open, and the server knows ann by it.
    expect(shim.sockets).toHaveLength(1)
    expect(shim.sockets[0].readyState).toBe(shim.sockets[0].OPEN)
    const conf = serverConference()
    const self = store.session.self!
    expect(conf.members.get(self.id)).toMatchObject({ userId: 'ann', nickName: 'Ann', role: 3 })
    // ada was there before: she comes with `join` (in the store, on a tile), not as memberjoin.
    expect(events).toEqual([
      { name: 'join', detail: { confrId: conf.id, memberId: self.id, role: 3 } },
    ])
    const adaId = ada.emedia.mgr.getSelf()!.id
    expect(store.session.members.get(adaId)).toMatchObject({ name: 'ada', role: 7 })
    await flush()
    expect(playerTiles(room).map((t) => t.data.memberId)).toEqual([adaId])
    expect(tileOf(adaId)!.querySelector('#player')).toBeUndefined() // not publishing

    const url = attrsOf(selfTile(room), '#pusher').url as string
    const [published] = emedia.mgr.getPublished()
    expect(url).toBe(published.rtmp)
    expect(url).toBe(store.media.local.pushUrl)
    const stream = conf.streams.get(store.media.local.streamId)
    expect(stream).toMatchObject({ memberId: self.id, voff: 0, aoff: 0 })
    expect(url.startsWith(`${server.engine.rtmpBase()}/${stream!.id}?token=`)).toBe(true)
    expect(server.tokens.verifyMedia(tokenOf(url), 'pub', stream!.id)).toMatchObject({
      confrId: conf.id,
      memberId: self.id,
    })
    await flush()
    // While the real join was on its way my camera previewed in my tile's place; joined and
    // published, my tile pushes.
    expect(pusher.calls).toEqual(['startPreview', 'stopPreview', 'start'])

    // The media engine takes that URL (ffmpeg plays the native live-pusher): the stream goes live
    // and the admin is told.
    pushTestPattern(url, { toneHz: 550 })
    await until(() => ada.events('streamAdded').length === 1, 8000)
    expect(stream!.publishSession).not.toBeNull()
    expect(ada.events('streamAdded')[0][0]).toMatchObject({ id: stream!.id, memName: 'ann' })
  })

  test('bob joins and publishes with ffmpeg: a live-player with his play URL, which decodes', async () => {
    bob = await nodeClient(server, 'bob')
    await bob.emedia.mgr.joinRoom({ roomName: ROOM, password: '', role: 3, config: {} })
    const bobId = bob.emedia.mgr.getSelf()!.id
    await until(() => named('memberjoin').length === 1)
    expect(named('memberjoin')).toEqual([
      { member: expect.objectContaining({ id: bobId, name: 'bob', role: 3 }) },
    ])

    const { data } = await bob.emedia.mgr.pubStream(bob.emedia.util.getRtcId())
    bobPush = pushTestPattern(data.rtmp, { toneHz: 660 })
    await until(() => !!tileOf(bobId)?.querySelector('#player'), 8000)
    const src = attrsOf(tileOf(bobId)!, '#player').src as string
    // The play URL the server signed for ann, as her SDK holds it.
    const held = emedia.mgr.getStreams().find((s) => s.id === data.streamId)
    expect(src).toBe(held?.rtmp)
    expect(src.startsWith(`${server.engine.rtmpBase()}/${data.streamId}?token=`)).toBe(true)
    expect(server.tokens.verifyMedia(tokenOf(src), 'play', data.streamId).memberId).toBe(
      store.session.self!.id,
    )
    expect(tileOf(bobId)!.querySelector('.camera-off')).toBeUndefined()

    const pulled = await pullFrames(src, { frames: 3, timeoutMs: 8000 })
    expect(pulled.frames).toBeGreaterThanOrEqual(3)
    expect(pulled.hasAudio).toBe(true)
  })

  test('bob pauses his video: his tile shows camera-off, the player stays (audio)', async () => {
    const bobId = bob!.emedia.mgr.getSelf()!.id
    const src = attrsOf(tileOf(bobId)!, '#player').src
    await bob!.emedia.mgr.pauseVideo()
    await until(() => !!tileOf(bobId)?.querySelector('.camera-off'))
    expect(attrsOf(tileOf(bobId)!, '#player').src).toBe(src)
    await bob!.emedia.mgr.resumeVideo()
    await until(() => !tileOf(bobId)?.querySelector('.camera-off'))
  })

  test('bob leaves: his tile goes', async () => {
    const bobId = bob!.emedia.mgr.getSelf()!.id
    await bob!.emedia.mgr.exitConference()
    await bobPush!.stop()
    await until(() => !tileOf(bobId))
    expect(named('memberexit')).toEqual([
      { member: expect.objectContaining({ id: bobId }), reason: 'exit' },
    ])
    // The admin's tile stays (a talker-capable member with no stream).
    expect(playerTiles(room).map((t) => t.data.memberId)).toEqual([ada.emedia.mgr.getSelf()!.id])
  })

  test('pusher -1307: restarted (stop, start) after the real 1 s backoff', async () => {
    const before = pusher.calls.length
    const at = Date.now()
    await pusherReports(-1307)
    expect(store.media.local.pushState).toBe('failed')
    expect(pusher.calls.slice(before)).toEqual([])
    await until(() => pusher.calls.length === before + 2, 3000)
    expect(Date.now() - at).toBeGreaterThanOrEqual(900)
    expect(pusher.calls.slice(before)).toEqual(['stop', 'start'])
    await pusherReports(1002)
    expect(store.media.local.pushState).toBe('pushing')
  })

  test('page hide / show: the pusher pauses and resumes; the membership holds', async () => {
    const before = pusher.calls.length
    room.triggerPageLifeTime('hide')
    await flush()
    expect(store.media.local.background).toBe(true)
    expect(pusher.calls.slice(before)).toEqual(['pause'])
    room.triggerPageLifeTime('show')
    await flush()
    expect(store.media.local.background).toBe(false)
    expect(pusher.calls.slice(before)).toEqual(['pause', 'resume'])
    expect(store.session.status).toBe('joined')
    expect(serverConference().members.has(store.session.self!.id)).toBe(true)
  })

  test('kicked by the admin: exit {reason 2, code -504}, tiles gone, no rejoin on show', async () => {
    const confrId = store.session.conference!.confrId
    const selfId = store.session.self!.id
    await ada.emedia.mgr.kickMembersById(confrId, ['ann'])
    await until(() => named('exit').length === 1)
    expect(named('exit')).toEqual([{ reason: 2, code: -504 }])
    expect(store.session.status).toBe('exited')
    await flush()
    expect(grid(room).querySelector('.cell')).toBeUndefined()
    expect(pusher.calls[pusher.calls.length - 1]).toBe('stop')
    expect(server.service.conferences.get(confrId)?.members.has(selfId)).toBe(false)

    room.triggerPageLifeTime('show')
    await flush()
    expect(store.session.status).toBe('exited')
    expect(named('join')).toHaveLength(1)
    expect(named('error')).toEqual([])
  })
})
