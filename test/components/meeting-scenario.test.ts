/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "node-addons"]}
 */
// A meeting run from the phone, end to end: the host is <conference-room> on the built kit in
// miniprogram-simulate (the built mini program SDK on a real WebSocket), 5 talkers and 20
// audience members are Node SDK clients on the real server over real sockets. The host mutes
// everyone from the member panel, an audience member raises her hand, the host invites her from
// the hand queue, she accepts, publishes (real ffmpeg through the real engine) and the host's
// grid plays her; she reads the chat's history; the host locks the room and a late joiner is
// refused with the lock's code.
import './node-timers'
import { ConfrType, ErrorCode, Role } from 'miniprogram-conference-protocol'
import type { ConferenceServer } from 'miniprogram-conference-server'
import { pushTestPattern, stopAllMedia } from '../../testkit/ffmpeg'
import { errorOf, nodeClient, type NodeClient } from '../../testkit/sdk-client'
import { startServer, tokenFor } from '../../testkit/server'
import { until } from '../../testkit/wait'
import { createWxShim } from '../../testkit/wx-shim'
import { realNetworkEmedia, type LiveEmedia } from './real-network'
import { flush, mount, spyLiveContexts, unmountAll } from './mount'
import { attrsOf, playerTiles, type Node } from './rendered'

const ROOM = 'all-hands'
const shim = createWxShim()
let server: ConferenceServer
let emedia: LiveEmedia
const clients: NodeClient[] = []

const tap = async (node: Node | undefined) => {
  if (!node) throw new Error('nothing to tap')
  node.dispatchEvent('tap')
  await flush()
}
const text = (node: Node | undefined) => node?.dom.textContent?.replace(/\s+/g, ' ').trim() ?? ''

/** A member joining as `role`; its token allows the stage (an invitation can take it there). */
async function member(userId: string, role: 1 | 3) {
  const c = await nodeClient(server, userId, { maxRole: Role.TALKER })
  clients.push(c)
  await c.emedia.mgr.joinRoom({ roomName: ROOM, role, config: { nickName: userId } })
  return c
}

beforeAll(async () => {
  server = await startServer()
  emedia = realNetworkEmedia(shim)
  spyLiveContexts()
})

afterAll(async () => {
  unmountAll()
  await emedia?.mgr.disconnect().catch(() => undefined)
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)))
  await stopAllMedia()
  for (const ws of shim.sockets) ws.terminate()
  await server?.stop()
})

test('host on the phone, 5 talkers and 20 audience: mute all, a hand, an invitation, the stage, the chat, the lock', async () => {
  // The host creates a LIVE room from the component's properties.
  const { room, store } = mount(
    emedia,
    {
      host: server.wsUrl,
      token: tokenFor(server, 'host', Role.ADMIN),
      roomName: ROOM,
      nickName: 'Host',
      role: Role.ADMIN,
      conferenceType: ConfrType.LIVE,
      maxTalkerCount: 7,
      lang: 'en',
    },
    (s) => (s.media.stallTimeoutMs = 60000),
  )
  await until(() => store.session.status === 'joined', 10000)
  const conf = server.service.conferences.get(store.session.conference!.confrId)!
  expect(conf.type).toBe(ConfrType.LIVE)
  expect(conf.config.maxTalkerCount).toBe(7)
  expect(store.session.self!.role).toBe(Role.ADMIN)

  const talkers: NodeClient[] = []
  for (let i = 1; i <= 5; i++) talkers.push(await member(`talker-${i}`, Role.TALKER))
  const audience = await Promise.all(
    Array.from({ length: 20 }, (_, i) => member(`viewer-${String(i + 1).padStart(2, '0')}`, 1)),
  )
  expect(conf.members.size).toBe(26)

  // The host writes in the chat panel; a talker answers.
  await tap(room.querySelector('#chat'))
  const chat = room.querySelector('#chat-panel')!
  chat.querySelector('#draft')!.dispatchEvent('input', { detail: { value: 'Welcome, all' } })
  await flush()
  await tap(chat.querySelector('#send'))
  await until(() => audience[0].events('message').length === 1, 5000)
  await talkers[0].emedia.mgr.sendMessage({ text: 'Thanks!' })
  await until(() => store.meeting.chatLines.length === 2, 5000)

  // Mute all from the member panel: every talker is held, the audience too.
  await tap(room.querySelector('#members'))
  const panel = room.querySelector('#member-panel')!
  await tap(panel.querySelector('#mute-all'))
  await until(() => talkers.every((t) => t.emedia.mgr.getMutedByHost().audio), 5000)
  expect(store.meeting.muteAll.audio).toBe(true)
  expect(text(panel.querySelector('#mute-all'))).toBe('Unmute all')
  // A held talker may still raise a hand.
  await talkers[1].emedia.mgr.raiseHand()

  // viewer-07 raises her hand: the host's queue shows her.
  const viewer = audience[6]
  const viewerId = viewer.emedia.mgr.getSelf()!.id
  await viewer.emedia.mgr.raiseHand()
  await until(() => store.meeting.hands.some((h) => h.memberId === viewerId), 5000)
  await flush()
  const queue = panel.querySelector('#hand-queue')!
  expect(queue.querySelectorAll('.hand .name').map(text)).toEqual(['talker-2', 'viewer-07'])

  // The host invites her from the queue; she accepts and is a talker.
  const invites = queue.querySelectorAll('.invite')
  await tap(invites[1])
  await until(() => viewer.events('speakInvitation').length === 1, 5000)
  expect(viewer.emedia.mgr.getSpeakInvitation()).toMatchObject({ name: 'host' })
  const answered = await viewer.emedia.mgr.answerSpeakInvitation(true)
  expect(answered.role).toBe(Role.TALKER)
  expect(conf.members.get(viewerId)!.role).toBe(Role.TALKER)
  await until(() => store.meeting.lastAnswer?.accept === true, 5000)
  // Her hold is lifted with the invitation: she may speak.
  expect(viewer.emedia.mgr.getMutedByHost().audio).toBe(false)

  // She publishes with ffmpeg; the host's grid plays her stream.
  const { data } = await viewer.emedia.mgr.pubStream(viewer.emedia.util.getRtcId())
  pushTestPattern(data.rtmp, { toneHz: 770 })
  await until(() => conf.streams.get(data.streamId)?.publishSession != null, 10000)
  // Her tile (a placeholder while she had no stream) gets a live-player.
  const tileOf = () => playerTiles(room).find((t) => t.data.memberId === viewerId)
  await until(() => !!tileOf()?.querySelector('#player'), 10000)
  const src = attrsOf(tileOf()!, '#player').src as string
  expect(src).toBe(emedia.mgr.getStreams().find((s) => s.id === data.streamId)?.rtmp)
  expect(
    server.tokens.verifyMedia(
      new URL(src.replace(/^rtmp:/, 'http:')).searchParams.get('token') ?? '',
      'play',
      data.streamId,
    ).memberId,
  ).toBe(store.session.self!.id)

  // She reads the chat's history.
  const history = await viewer.emedia.mgr.getMessages({ limit: 20 })
  expect(history.messages.map((m) => [m.from.name, m.text])).toEqual([
    ['host', 'Welcome, all'],
    ['talker-1', 'Thanks!'],
  ])

  // The host locks the room: a late joiner is refused with the lock's code.
  await tap(panel.querySelector('#lock'))
  await until(() => conf.meeting.locked, 5000)
  const late = await nodeClient(server, 'late-comer')
  clients.push(late)
  const refused = await errorOf(late.emedia.mgr.joinRoom({ roomName: ROOM, role: 1, config: {} }))
  expect(refused.code).toBe(ErrorCode.CONFERENCE_LOCKED)
  expect(conf.members.size).toBe(26)
}, 90000)
