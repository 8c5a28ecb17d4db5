// The web participant (served at /): joins a room with the same SDK the mini program uses (on
// the browser adapter), plays every member over HTTP-FLV and publishes the camera through the
// server's ingest. Every name shown comes from other users: it is set with textContent only.
import { createBrowserAdapter } from '../../sdk/adapters/browser'
import { createEmedia } from '../../sdk/emedia'
import type { MutedByHost } from '../../sdk/events'
import type { Member, Stream } from 'miniprogram-conference-protocol'
import { playFlv, type FlvPlayer } from './flv-player'
import { t, translatePage } from './i18n'
import { meetingPanel } from './meeting-panel'
import { startUpload, type Upload } from './uploader'

const emedia = createEmedia({ adapter: createBrowserAdapter() })
const mgr = emedia.mgr
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

interface Tile {
  el: HTMLElement
  video: HTMLVideoElement
  player: FlvPlayer | null
}
const tiles = new Map<string, Tile>()

interface Local {
  media: MediaStream
  streamId: string
  upload: Upload | null
}
let local: Local | null = null
/** The screen share, a second stream of this member (type 'desktop'). */
let share: Local | null = null
let leaving = false

function status(text: string) {
  $('status').textContent = text
}

function setState(state: string) {
  document.body.dataset.state = state
}

function makeTile(id: string, label: string): Tile {
  const el = document.createElement('div')
  el.className = 'tile'
  el.dataset.streamId = id
  const video = document.createElement('video')
  video.autoplay = true
  video.playsInline = true
  video.dataset.streamId = id
  const name = document.createElement('span')
  name.className = 'name'
  name.textContent = label
  const badges = document.createElement('span')
  badges.className = 'badges'
  el.append(video, name, badges)
  $('grid').append(el)
  const tile = { el, video, player: null }
  tiles.set(id, tile)
  return tile
}

function showMedia(id: string, s: { voff: number; aoff: number }) {
  const tile = tiles.get(id)
  if (!tile) return
  tile.el.dataset.voff = String(s.voff)
  tile.el.dataset.aoff = String(s.aoff)
  // The server's aoff is the word: a member the host muted is not heard, whatever it sends.
  if (!tile.el.classList.contains('self')) tile.video.muted = s.aoff === 1
  const badges = tile.el.querySelector('.badges') as HTMLElement
  badges.textContent = [s.voff ? t('voff') : '', s.aoff ? t('aoff') : '']
    .filter(Boolean)
    .join(' · ')
}

function removeTile(id: string) {
  const tile = tiles.get(id)
  if (!tile) return
  tile.player?.destroy()
  tile.el.remove()
  tiles.delete(id)
}

/** The roster: everyone in the room in the order the SDK told of them (you first). A batch of
 * arrivals is many callbacks in one task: the browser lays the list out once. */
function showPerson(m: Member) {
  let item = $('people').querySelector<HTMLElement>(`li[data-member-id="${CSS.escape(m.id)}"]`)
  if (!item) {
    item = document.createElement('li')
    item.dataset.memberId = m.id
    $('people').append(item)
  }
  item.textContent = m.isSelf ? `${m.nickName || m.name} (${t('me')})` : m.nickName || m.name
  $('people-count').textContent = String($('people').children.length)
}

function removePerson(id: string) {
  $('people')
    .querySelector(`li[data-member-id="${CSS.escape(id)}"]`)
    ?.remove()
  $('people-count').textContent = String($('people').children.length)
}

async function addRemote(stream: Stream) {
  if (tiles.has(stream.id) || stream.id === local?.streamId || stream.id === share?.streamId) return
  const tile = makeTile(stream.id, stream.owner?.nickName || stream.memName)
  showMedia(stream.id, stream)
  try {
    const res = await mgr.subStream(stream)
    if (!tiles.has(stream.id)) return // removed meanwhile
    if (!res.data.flv) {
      tile.el.classList.add('unplayable')
      ;(tile.el.querySelector('.badges') as HTMLElement).textContent = t('noFlv')
      return
    }
    tile.player = playFlv(tile.video, res.data.flv)
  } catch (e) {
    status(`subStream ${t('failed')}: ${(e as Error).message}`)
  }
}

function upload(media: MediaStream, pushUrl: string) {
  if (!local) return
  local.upload = startUpload(media, pushUrl, (code, reason) => {
    if (leaving || !local) return
    local.upload = null
    document.body.dataset.publishing = '0'
    status(`${t('failed')}: ${code} ${reason}`)
  })
  document.body.dataset.publishing = '1'
  document.body.dataset.codec = local.upload.codec
}

async function startShare() {
  // Asked before publishing: the browser's picker needs the click's user activation.
  const media = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 15 } })
  let res
  try {
    res = await mgr.pubStream(emedia.util.getRtcId(), { type: 'desktop' })
  } catch (e) {
    media.getTracks().forEach((tr) => tr.stop())
    const err = e as { code?: number; message: string }
    document.body.dataset.shareError = String(err.code ?? '')
    status(`${t('shareOn')} ${t('failed')}: ${err.code ?? ''} ${err.message}`)
    return
  }
  const mine: Local = { media, streamId: res.data.streamId, upload: null }
  share = mine
  const tile = makeTile(mine.streamId, `${t('me')} · ${t('shareOn')}`)
  tile.el.classList.add('self', 'desktop')
  tile.video.muted = true
  tile.video.srcObject = media
  mine.upload = startUpload(media, res.data.rtmp, () => void stopShare())
  document.body.dataset.sharing = '1'
  $('share').textContent = t('shareOff')
  // The browser's own "stop sharing" bar ends the track.
  media.getVideoTracks()[0]?.addEventListener('ended', () => void stopShare())
}

async function stopShare() {
  const mine = share
  if (!mine) return
  share = null
  mine.upload?.stop()
  mine.media.getTracks().forEach((tr) => tr.stop())
  removeTile(mine.streamId)
  document.body.dataset.sharing = '0'
  $('share').textContent = t('shareOn')
  if (!leaving) await mgr.unpubStream(mine.streamId).catch(() => {})
}

async function publishCamera() {
  const media = await navigator.mediaDevices.getUserMedia({
    video: { width: 640, height: 360, frameRate: 15 },
    audio: true,
  })
  const res = await mgr.pubStream(emedia.util.getRtcId())
  local = { media, streamId: res.data.streamId, upload: null }
  const tile = makeTile(res.data.streamId, `${t('me')}`)
  tile.el.classList.add('self')
  tile.video.muted = true
  tile.video.srcObject = media
  showMedia(res.data.streamId, res.data.stream)
  upload(media, res.data.rtmp)
}

/** The host holds our microphone / camera off: the tracks stop sending it. */
function held(hold: MutedByHost) {
  if (!local) return
  if (hold.audio) setTrack('audio', false)
  if (hold.video) setTrack('video', false)
}

const meeting = meetingPanel(mgr, { status, held })

/** Our camera / microphone track on or off, and its button's word. */
function setTrack(kind: 'video' | 'audio', on: boolean) {
  const track =
    kind === 'video' ? local?.media.getVideoTracks()[0] : local?.media.getAudioTracks()[0]
  if (track) track.enabled = on
  const word = kind === 'video' ? (on ? 'camOff' : 'camOn') : on ? 'micOff' : 'micOn'
  $(kind === 'video' ? 'cam' : 'mic').textContent = t(word)
}

function teardown() {
  meeting.reset()
  void stopShare()
  local?.upload?.stop()
  local?.media.getTracks().forEach((tr) => tr.stop())
  local = null
  for (const id of [...tiles.keys()]) removeTile(id)
  $('people').replaceChildren()
  $('people-count').textContent = '0'
  document.body.dataset.publishing = '0'
  $('join-form').hidden = false
  $('room').hidden = true
}

mgr.on('memberJoined', showPerson)
mgr.on('memberUpdated', showPerson)
mgr.on('memberExited', (m) => removePerson(m.id))
mgr.on('streamAdded', (s) => void addRemote(s))
mgr.on('streamRemoved', (s) => removeTile(s.id))
mgr.on('mediaChanged', (s) => showMedia(s.id, s))
mgr.on('reconnected', ({ published }) => {
  // Fresh push URLs after a reconnect: the upload starts again with the new one.
  const mine = published.find((p) => p.stream.id === local?.streamId)
  if (!local || !mine) return
  local.upload?.stop()
  upload(local.media, mine.rtmp)
})
mgr.on('conferenceExit', (reason, failed) => {
  teardown()
  setState('exited')
  status(`${t('exited')} (${reason}${failed ? `, ${failed}` : ''})`)
})

async function join(ev: Event) {
  ev.preventDefault()
  const roomName = $<HTMLInputElement>('room-name').value.trim()
  const nickName = $<HTMLInputElement>('nick').value.trim()
  const token = $<HTMLInputElement>('token').value.trim()
  const wsUrl = new URL('/ws', location.href)
  wsUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
  // A nickname is free text; the dev token wants an id: a random one per tab.
  const userId = `web-${Math.random().toString(36).slice(2, 10)}`
  emedia.config({ host: wsUrl.toString(), ...(token ? { token } : { token: '', userId }) })
  leaving = false
  setState('joining')
  status(t('joining'))
  try {
    await mgr.joinRoom({ roomName, config: { nickName: nickName || userId } })
    $('join-form').hidden = true
    $('room').hidden = false
    $('room-title').textContent = roomName
    setState('joined')
    status(t('joined'))
    for (const s of mgr.getStreams()) void addRemote(s)
    void meeting.joined()
    await publishCamera()
    // Joined under a hold (mute-all): the tracks start as the host holds them.
    held(mgr.getMutedByHost())
    meeting.refresh()
  } catch (e) {
    setState('failed')
    status(`${t('failed')}: ${(e as Error).message}`)
  }
}

async function toggle(kind: 'video' | 'audio') {
  if (!local) return
  const track = kind === 'video' ? local.media.getVideoTracks()[0] : local.media.getAudioTracks()[0]
  const off = track?.enabled ?? false
  // The server's voff/aoff is what every member sees; the track stops sending real picture/sound.
  try {
    const s =
      kind === 'video'
        ? await (off ? mgr.pauseVideo(local.streamId) : mgr.resumeVideo(local.streamId))
        : await (off ? mgr.pauseAudio(local.streamId) : mgr.resumeAudio(local.streamId))
    setTrack(kind, !off)
    showMedia(local.streamId, s)
    meeting.refresh()
  } catch (e) {
    // Refused (-527: the host holds it off): the track stays as it is.
    const err = e as { code: number; message: string }
    document.body.dataset.lastError = String(err.code)
    status(`${t('failed')}: ${err.code} ${err.message}`)
  }
}

async function leave() {
  leaving = true
  teardown()
  await mgr.exitConference().catch(() => {})
  setState('left')
  status(t('exited'))
}

translatePage()
$('join-form').addEventListener('submit', (ev) => void join(ev))
$('cam').addEventListener('click', () => void toggle('video'))
$('mic').addEventListener('click', () => void toggle('audio'))
$('leave').addEventListener('click', () => void leave())
$('share').addEventListener('click', () => void (share ? stopShare() : startShare()))
const preset = new URLSearchParams(location.search).get('room')
if (preset) $<HTMLInputElement>('room-name').value = preset
