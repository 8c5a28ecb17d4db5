// The operator console (/console): sign in with the admin secret (the server answers with an
// HttpOnly cookie; this script never sees or stores a credential), then a view of every
// conference refreshed each second, a live wall of every stream, and the admin actions.
// Room names, nicknames and ext come from users: they are only ever set as textContent.
import { playFlv, type FlvPlayer } from './flv-player'
import { t, translatePage, type Word } from './i18n'

interface MemberRow {
  id: string
  userId: string
  nickName: string
  role: number
  device: string
  voff: number | null
  aoff: number | null
  state: 'connected' | 'resuming'
  ext: Record<string, unknown>
  heldAudio: boolean
  heldVideo: boolean
  hand: boolean
}
interface StreamRow {
  id: string
  memberId: string
  nickName: string
  type: string
  voff: number
  aoff: number
  live: boolean
  flv?: string
}
interface ConferenceRow {
  confrId: string
  name?: string
  type: number
  createdAt: number
  rec: boolean
  recMerge: boolean
  locked: boolean
  muteAll: { audio: boolean; video: boolean }
  members: MemberRow[]
  streams: StreamRow[]
}
interface State {
  health: Record<string, unknown>
  conferences: ConferenceRow[]
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T
const POLL_MS = 1000
const ROLE_NAMES: Record<number, string> = { 7: 'ADMIN', 3: 'TALKER', 1: 'AUDIENCE', 9: 'HIDING' }

/** An element with text children only: strings become text nodes, never markup. */
function h(
  tag: string,
  props: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElement {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') el.className = v
    else if (k.startsWith('data-')) el.setAttribute(k, v)
    else (el as unknown as Record<string, string>)[k] = v
  }
  el.append(...children)
  return el
}

function status(text: string) {
  $('status').textContent = text
}

async function call(method: string, url: string, body?: unknown): Promise<Response> {
  return fetch(url, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
}

async function act(path: string, body?: unknown, method = 'POST') {
  const res = await call(method, path, body)
  if (!res.ok) {
    const err = (await res.json().catch(() => ({}))) as { error?: { message?: string } }
    status(`${t('failed')}: ${err.error?.message ?? res.status}`)
  } else status('')
  void refresh()
}

// ---- the wall: one player per live stream, kept across refreshes ----

const wall = new Map<string, { el: HTMLElement; player: FlvPlayer }>()

function updateWall(state: State) {
  const live = new Map<string, { s: StreamRow; c: ConferenceRow }>()
  for (const c of state.conferences)
    for (const s of c.streams) if (s.live && s.flv) live.set(s.id, { s, c })
  for (const [id, tile] of wall) {
    if (live.has(id)) continue
    tile.player.destroy()
    tile.el.remove()
    wall.delete(id)
  }
  for (const [id, { s, c }] of live) {
    if (wall.has(id)) continue
    const video = h('video', { 'data-stream-id': id }) as HTMLVideoElement
    video.muted = true // a wall of many rooms: sound only on demand
    video.autoplay = true
    video.playsInline = true
    video.addEventListener('click', () => (video.muted = !video.muted))
    const label = `${c.name || c.confrId} · ${s.nickName || s.memberId}${s.type === 'normal' ? '' : ` (${s.type})`}`
    const el = h(
      'div',
      { class: 'tile', 'data-stream-id': id },
      video,
      h('span', { class: 'name' }, label),
    )
    $('wall').append(el)
    wall.set(id, { el, player: playFlv(video, s.flv!) })
  }
}

// ---- conferences: re-rendered when what they show changes ----

let shown = ''

function table(head: Word[], rows: Array<Array<Node | string>>): HTMLElement {
  return h(
    'table',
    {},
    h('thead', {}, h('tr', {}, ...head.map((w) => h('th', {}, t(w))))),
    h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((c) => h('td', {}, c))))),
  )
}

function memberActions(c: ConferenceRow, m: MemberRow): HTMLElement {
  const role = h('select', { 'data-member': m.id, class: 'role' }) as HTMLSelectElement
  for (const r of [7, 3, 1]) {
    const opt = h('option', { value: String(r) }, ROLE_NAMES[r]) as HTMLOptionElement
    opt.selected = r === m.role
    role.append(opt)
  }
  const grant = h('button', { class: 'plain grant', 'data-member': m.id }, t('grant'))
  grant.addEventListener('click', () =>
    act(`/api/conferences/${c.confrId}/role`, {
      memberId: m.id,
      role: Number(role.value),
    }),
  )
  const kick = h('button', { class: 'danger kick', 'data-member': m.id }, t('kick'))
  kick.addEventListener('click', () =>
    act(`/api/conferences/${c.confrId}/kick`, { memberId: m.id }),
  )
  // The host's mute: held off until released (the member turns it on again itself).
  const mute = h(
    'button',
    { class: 'plain mute', 'data-member': m.id, 'data-held': m.heldAudio ? '1' : '0' },
    t(m.heldAudio ? 'release' : 'hostMute'),
  )
  mute.addEventListener('click', () =>
    act(`/api/conferences/${c.confrId}/mute`, { memberId: m.id, audio: !m.heldAudio }),
  )
  return h('span', {}, role, grant, mute, kick)
}

async function showRecordings(c: ConferenceRow, box: HTMLElement) {
  const res = await call('GET', `/api/conferences/${c.confrId}/recordings`)
  const { recordings } = (await res.json()) as {
    recordings: Array<{ name: string; url: string; bytes: number }>
  }
  box.replaceChildren(
    ...recordings.map((r) =>
      h(
        'div',
        {},
        h('a', { href: r.url, download: r.name }, r.name),
        ` ${Math.round(r.bytes / 1024)} KB`,
      ),
    ),
  )
  if (recordings.length === 0) box.textContent = '—'
}

function renderConference(c: ConferenceRow): HTMLElement {
  const members = table(
    ['nick', 'role', 'device', 'voff', 'aoff', 'held', 'hand', 'state', 'kick'],
    c.members.map((m) => [
      `${m.nickName} (${m.userId})`,
      ROLE_NAMES[m.role] ?? String(m.role),
      m.device || '—',
      m.voff === null ? '—' : m.voff ? '✔' : '',
      m.aoff === null ? '—' : m.aoff ? '✔' : '',
      [m.heldAudio ? t('aoff') : '', m.heldVideo ? t('voff') : ''].filter(Boolean).join(' · '),
      m.hand ? '✋' : '',
      t(m.state),
      memberActions(c, m),
    ]),
  )
  const streams = table(
    ['streams', 'nick', 'voff', 'aoff', 'state'],
    c.streams.map((s) => [
      `${s.id} (${s.type})`,
      s.nickName,
      s.voff ? '✔' : '',
      s.aoff ? '✔' : '',
      s.live ? 'live' : 'idle',
    ]),
  )
  const destroy = h('button', { class: 'danger destroy' }, t('destroy'))
  destroy.addEventListener('click', () => act(`/api/conferences/${c.confrId}`, undefined, 'DELETE'))
  const recBox = h('div', { class: 'recordings' })
  const rec = h('button', { class: 'plain' }, t('recordings'))
  rec.addEventListener('click', () => void showRecordings(c, recBox))
  return h(
    'div',
    { class: 'conf', 'data-confr-id': c.confrId },
    h('h3', {}, c.name || c.confrId),
    h(
      'div',
      {},
      `${c.confrId} · type ${c.type}${c.rec ? ' · rec' : ''}${c.recMerge ? ' · recMerge' : ''}` +
        `${c.locked ? ` · ${t('locked')}` : ''}${c.muteAll.audio ? ` · ${t('muteAllOn')}` : ''}`,
    ),
    h('h4', {}, t('members')),
    members,
    h('h4', {}, t('streams')),
    streams,
    h('div', {}, destroy, rec),
    recBox,
  )
}

function render(state: State) {
  const { health } = state
  $('health').textContent = Object.entries(health)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(' · ')
  updateWall(state)
  const view = JSON.stringify(
    state.conferences.map((c) => ({ ...c, streams: c.streams.map((s) => ({ ...s, flv: '' })) })),
  )
  if (view === shown) return
  shown = view
  $('conferences').replaceChildren(...state.conferences.map(renderConference))
}

// ---- session ----

let timer: number | undefined

function signedOut() {
  window.clearTimeout(timer)
  for (const tile of wall.values()) tile.player.destroy()
  wall.clear()
  $('wall').replaceChildren()
  shown = ''
  document.body.dataset.state = 'signed-out'
  $('sign-in').hidden = false
  $('main').hidden = true
  $('sign-out').hidden = true
}

async function refresh() {
  window.clearTimeout(timer)
  const res = await call('GET', '/api/state').catch(() => null)
  if (res?.status === 401) return signedOut()
  if (res?.ok) {
    document.body.dataset.state = 'signed-in'
    $('sign-in').hidden = true
    $('main').hidden = false
    $('sign-out').hidden = false
    render((await res.json()) as State)
  }
  timer = window.setTimeout(() => void refresh(), POLL_MS)
}

translatePage()
$('sign-in').addEventListener('submit', async (ev) => {
  ev.preventDefault()
  const input = $<HTMLInputElement>('secret')
  const res = await call('POST', '/console/session', { secret: input.value })
  input.value = '' // not kept anywhere
  if (!res.ok) {
    document.body.dataset.state = 'refused'
    status(t('wrongSecret'))
    return
  }
  status('')
  void refresh()
})
$('sign-out').addEventListener('click', async () => {
  await call('DELETE', '/console/session')
  signedOut()
})
void refresh()
