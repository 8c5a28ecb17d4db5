// The web participant's meeting side (protocol revision 6): the roster's marks (role,
// microphone / camera and raised hand), our own hand, the chat (the kept history after the join,
// then what arrives), the host's mute of us and an invitation to speak. Everything shown that
// comes from users (names, messages) is set with textContent only.
import type { Manager } from '../../sdk/manager'
import type { MutedByHost } from '../../sdk/events'
import type { ChatMessage } from 'miniprogram-conference-protocol'
import { t } from './i18n'

const ROLE_NAMES: Record<number, string> = { 7: 'ADMIN', 3: 'TALKER', 1: 'AUDIENCE', 9: 'HIDING' }

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

function el(tag: string, cls: string, text = ''): HTMLElement {
  const e = document.createElement(tag)
  if (cls) e.className = cls
  e.textContent = text
  return e
}

export interface MeetingHooks {
  /** The host's hold on us changed: the page's own tracks follow it. */
  held(hold: MutedByHost): void
  /** A line for the status bar. */
  status(text: string): void
}

export function meetingPanel(mgr: Manager, hooks: MeetingHooks) {
  let inRoom = false

  /**
   * The roster (participant.ts keeps its items, one per member in join order) marked with each
   * member's role, microphone / camera as the server flags them and a raised hand: data
   * attributes, which the page's CSS shows. Once per task, after the roster's own listeners.
   */
  let pending = false
  function renderMembers() {
    if (!inRoom || pending) return
    pending = true
    queueMicrotask(() => {
      pending = false
      if (inRoom) markMembers()
    })
  }

  function markMembers() {
    const hands = new Set(mgr.getHands().map((h) => h.memberId))
    const cams = new Map<string, { aoff: number; voff: number }>()
    for (const s of mgr.getStreams()) if (s.type !== 'desktop') cams.set(s.memId, s)
    const self = mgr.getSelf()
    const own = mgr.getPublished().find((p) => p.stream.type !== 'desktop')?.stream
    if (self && own) cams.set(self.id, own)
    const roles = new Map([...mgr.getMembers(), ...(self ? [self] : [])].map((m) => [m.id, m.role]))
    for (const li of $('people').querySelectorAll<HTMLElement>('li[data-member-id]')) {
      const id = li.dataset.memberId ?? ''
      const cam = cams.get(id)
      const role = roles.get(id)
      li.dataset.role = role === undefined ? '' : String(role)
      li.dataset.roleName = role === undefined ? '' : (ROLE_NAMES[role] ?? String(role))
      li.dataset.hand = hands.has(id) ? '1' : '0'
      li.dataset.aoff = cam ? String(cam.aoff) : ''
      li.dataset.media = (
        cam
          ? [cam.aoff ? t('aoff') : t('micLive'), cam.voff ? t('voff') : '']
          : [t('notPublishing')]
      )
        .filter(Boolean)
        .join(' · ')
    }
    $('hand').textContent = t(self && hands.has(self.id) ? 'lowerHand' : 'raiseHand')
  }

  function addMessage(m: ChatMessage) {
    if (m.text === undefined || $('messages').querySelector(`[data-id="${m.id}"]`)) return
    const li = el('li', 'message')
    li.dataset.id = String(m.id)
    li.append(el('b', 'from', m.from.nickName || m.from.name), el('span', 'text', m.text))
    if (m.to) li.classList.add('private')
    // Kept history comes oldest first and before what arrived meanwhile.
    const after = [...$('messages').children].find(
      (c) => Number((c as HTMLElement).dataset.id) > m.id,
    )
    $('messages').insertBefore(li, after ?? null)
    li.scrollIntoView({ block: 'nearest' })
  }

  function showHold(hold: MutedByHost) {
    document.body.dataset.mutedByHost = hold.audio || hold.video ? '1' : '0'
    const notice = $('notice')
    notice.hidden = !(hold.audio || hold.video)
    notice.textContent =
      hold.audio || hold.video ? t(hold.allowSelfUnmute ? 'mutedMayUnmute' : 'mutedByHost') : ''
    hooks.held(hold)
  }

  function showInvitation(from: { nickName: string; name: string } | null) {
    $('invite').hidden = !from
    $('inviter').textContent = from ? from.nickName || from.name : ''
  }

  async function answer(accept: boolean) {
    showInvitation(null)
    try {
      await mgr.answerSpeakInvitation(accept)
    } catch (e) {
      hooks.status(`${t('failed')}: ${(e as { message: string }).message}`)
    }
  }

  async function send(ev: Event) {
    ev.preventDefault()
    const input = $<HTMLInputElement>('chat-text')
    const text = input.value.trim()
    if (!text) return
    try {
      addMessage(await mgr.sendMessage({ text }))
      input.value = ''
    } catch (e) {
      const err = e as { code: number; message: string }
      document.body.dataset.lastError = String(err.code)
      hooks.status(`${t('failed')}: ${err.code} ${err.message}`)
    }
  }

  async function toggleHand() {
    const self = mgr.getSelf()
    const up = !!self && mgr.getHands().some((h) => h.memberId === self.id)
    await (up ? mgr.lowerHand() : mgr.raiseHand()).catch((e: { message: string }) =>
      hooks.status(`${t('failed')}: ${e.message}`),
    )
  }

  for (const name of [
    'memberJoined',
    'memberExited',
    'memberUpdated',
    'streamAdded',
    'streamRemoved',
    'mediaChanged',
    'handsChanged',
  ] as const)
    mgr.on(name, renderMembers)
  mgr.on('message', addMessage)
  mgr.on('mutedByHost', showHold)
  mgr.on('speakInvitation', (from) => showInvitation(from))
  $('hand').addEventListener('click', () => void toggleHand())
  $('chat-form').addEventListener('submit', (ev) => void send(ev))
  $('accept').addEventListener('click', () => void answer(true))
  $('decline').addEventListener('click', () => void answer(false))

  return {
    /** In the room: the list, the kept chat, and a hold or invitation the join brought. */
    async joined() {
      inRoom = true
      renderMembers()
      showHold(mgr.getMutedByHost())
      showInvitation(mgr.getSpeakInvitation())
      try {
        const { messages } = await mgr.getMessages({ limit: 50 })
        messages.forEach(addMessage)
      } catch {
        // A server without a chat (before revision 6): nothing to show.
      }
    },
    /** Our own stream changed (published, toggled): our row follows. */
    refresh: renderMembers,
    reset() {
      inRoom = false
      $('messages').replaceChildren()
      showInvitation(null)
      $('notice').hidden = true
      document.body.dataset.mutedByHost = '0'
    },
  }
}
