/** @jest-environment jsdom */
// The meeting's components on the built kit, inside <conference-room> (a fake emedia through the
// store, see mount.ts): the member panel with its admin actions and the hand queue, the chat
// panel with unread and history, the "host muted you" and "invited to speak" prompts, and the
// room's properties for a room it creates.
import { ConfrType, Role, type ChatMessage } from 'miniprogram-conference-protocol'
import { FakeEmedia, makeMember } from '../../testkit/fake-emedia'
import { flush, mount, unmountAll } from './mount'
import { type Node } from './rendered'

const message = (id: number, text: string, from = 'alice'): ChatMessage => ({
  id,
  from: { id: `MS_${from}`, name: from, nickName: from },
  text,
  at: Date.UTC(2026, 0, 1, 9, id),
})

const tap = async (node: Node | undefined) => {
  if (!node) throw new Error('nothing to tap')
  node.dispatchEvent('tap')
  await flush()
}

const panelOf = (room: Node, id: string) => room.querySelector(`#${id}`)!
/** The texts of `selector` in the panel, in order. */
const texts = (panel: Node, selector: string) => panel.querySelectorAll(selector).map(text)
/** An element of a member's row. */
const inRow = (panel: Node, memberId: string, selector: string) =>
  panel.querySelector(`#member-${memberId} ${selector}`)
const text = (node: Node | undefined) => node?.dom.textContent?.replace(/\s+/g, ' ').trim() ?? ''

async function joined(role: number, setup?: (fake: FakeEmedia) => void) {
  const fake = new FakeEmedia()
  setup?.(fake)
  const mounted = mount(fake, { roomName: 'standup', role, lang: 'en' })
  await flush()
  return { fake, ...mounted }
}

describe('the meeting components', () => {
  afterEach(unmountAll)

  test('<conference-room> creates its room as its properties say: type, rec / recMerge, limits, role', async () => {
    const fake = new FakeEmedia()
    mount(fake, {
      roomName: 'townhall',
      role: Role.ADMIN,
      conferenceType: ConfrType.LIVE,
      rec: true,
      recMerge: true,
      maxTalkerCount: 4,
      maxAudienceCount: 500,
    })
    await flush()
    expect(fake.called('joinRoom')).toEqual([
      [
        {
          roomName: 'townhall',
          password: '',
          role: Role.ADMIN,
          type: ConfrType.LIVE,
          config: { rec: true, recMerge: true, maxTalkerCount: 4, maxAudienceCount: 500 },
        },
      ],
    ])
  })

  test('member panel for an admin: everyone with role, mic, camera and hand; per-member actions; mute-all and the lock', async () => {
    const { fake, room, store } = await joined(Role.ADMIN, (f) => {
      f.members = [makeMember('MS_bob', 'bob'), makeMember('MS_eve', 'eve', Role.AUDIENCE)]
      f.hands = [{ memberId: 'MS_eve', name: 'eve', nickName: 'eve', at: 1 }]
    })
    fake.addRemote('carl')
    await tap(room.querySelector('#members'))
    const panel = panelOf(room, 'member-panel')
    expect(texts(panel, '.member .name')).toEqual(['me (me)', 'bob', 'eve', 'carl'])
    expect(texts(panel, '.member .role')).toEqual(['Host', 'Speaker', 'Audience', 'Speaker'])
    // eve's hand is up: in her row and in the queue, which offers to invite her.
    expect(inRow(panel, 'MS_eve', '.hand-up')).toBeDefined()
    expect(inRow(panel, 'MS_bob', '.hand-up')).toBeUndefined()
    const queue = panel.querySelector('#hand-queue')!
    expect(texts(queue, '.hand .name')).toEqual(['eve'])
    await tap(queue.querySelector('.invite'))
    expect(fake.called('inviteToSpeak')).toEqual([['C_standup', 'MS_eve']])
    // carl publishes with his microphone on: the admin mutes him; bob has nothing to mute.
    expect(inRow(panel, 'MS_bob', '.mic-action')).toBeUndefined()
    await tap(inRow(panel, 'MS_carl', '.mic-action'))
    expect(fake.called('muteMembers')).toEqual([['C_standup', ['MS_carl'], { audio: true }]])
    await tap(inRow(panel, 'MS_carl', '.video-action'))
    expect(fake.called('muteMembers')[1]).toEqual(['C_standup', ['MS_carl'], { video: true }])
    // The server's aoff comes back: his row says so and the action lets him unmute.
    const carlStream = fake.streams.find((s) => s.memId === 'MS_carl')!
    fake.emit('mediaChanged', { ...carlStream, aoff: 1 }, { aoff: 1 })
    await flush()
    expect(text(inRow(panel, 'MS_carl', '.mic'))).toBe('Mic off')
    expect(text(inRow(panel, 'MS_carl', '.mic-action'))).toBe('Allow unmute')
    await tap(inRow(panel, 'MS_carl', '.mic-action'))
    expect(fake.called('muteMembers')[2]).toEqual([
      'C_standup',
      ['MS_carl'],
      { audio: false, video: false },
    ])
    // Mute all, then the lock: the buttons say what a tap would do next.
    await tap(panel.querySelector('#mute-all'))
    expect(fake.called('muteAll')).toEqual([['C_standup', { audio: true }]])
    expect(text(panel.querySelector('#mute-all'))).toBe('Unmute all')
    await tap(panel.querySelector('#lock'))
    expect(fake.called('lockConference')).toEqual([['C_standup', true]])
    expect(store.meeting.locked).toBe(true)
    expect(text(panel.querySelector('.locked'))).toContain('locked')
    expect(text(panel.querySelector('#lock'))).toBe('Unlock meeting')
    // No admin actions on our own row.
    expect(inRow(panel, 'MS_self', '.action')).toBeUndefined()
  })

  test('member panel for an audience member: no admin actions, its own hand', async () => {
    const { fake, room, store } = await joined(Role.AUDIENCE, (f) => {
      f.members = [makeMember('MS_host', 'host', Role.ADMIN)]
    })
    await tap(room.querySelector('#members'))
    const panel = panelOf(room, 'member-panel')
    expect(panel.querySelector('#hand-queue')).toBeUndefined()
    expect(panel.querySelector('#mute-all')).toBeUndefined()
    expect(panel.querySelectorAll('.action')).toHaveLength(0)
    expect(text(panel.querySelector('#my-hand'))).toBe('Raise hand')
    await tap(panel.querySelector('#my-hand'))
    expect(fake.called('raiseHand')).toHaveLength(1)
    expect(store.meeting.handRaised).toBe(true)
    expect(text(panel.querySelector('#my-hand'))).toBe('Lower hand')
    expect(inRow(panel, 'MS_self', '.hand-up')).toBeDefined()
    // The control bar's 举手 reads the same store: it now lowers the hand, and says so.
    await tap(room.querySelector('#close-panel'))
    expect(room.querySelector('#member-panel')).toBeUndefined()
    const raised: Array<{ name: string; detail: unknown }> = []
    room.addEventListener('raise-hand', (e) =>
      raised.push({ name: 'raise-hand', detail: e.detail }),
    )
    expect(text(room.querySelector('#hand .caption'))).toBe('Lower hand')
    await tap(room.querySelector('#hand'))
    expect(raised).toEqual([{ name: 'raise-hand', detail: { raised: false } }])
    expect(fake.called('lowerHand')).toHaveLength(1)
    expect(store.meeting.handRaised).toBe(false)
    expect(text(room.querySelector('#hand .caption'))).toBe('Raise hand')
  })

  test('chat panel: the kept history, long messages as text, unread while closed, sending', async () => {
    const long = `${'很长的消息'.repeat(40)} <b>not markup</b>`
    const { fake, room, store } = await joined(Role.TALKER, (f) => {
      f.history = [message(1, 'agenda first'), message(2, long, '一个很长很长的中文名字的成员')]
    })
    // Closed: what arrives counts as unread.
    fake.emit('message', message(3, 'are we starting?', 'bob'))
    await flush()
    expect(store.meeting.unread).toBe(1)
    // The control bar's 聊天 shows the count, and opening the chat reads them.
    expect(text(room.querySelector('#chat-unread'))).toBe('1')
    await tap(room.querySelector('#chat'))
    expect(store.meeting.unread).toBe(0)
    expect(room.querySelector('#chat-unread')).toBeUndefined()
    const chat = panelOf(room, 'chat-panel')
    expect(texts(chat, '.message .text')).toEqual([
      'agenda first',
      long.replace(/\s+/g, ' '),
      'are we starting?',
    ])
    expect(chat.querySelector('.text b')).toBeUndefined()
    expect(texts(chat, '.message .from')[1]).toBe('一个很长很长的中文名字的成员')
    // Open: a new message is read at once, and the list follows it.
    fake.emit('message', message(4, 'yes', 'bob'))
    await flush()
    expect(store.meeting.unread).toBe(0)
    expect((chat.instance as { data: { bottom: string } }).data.bottom).toBe('m4')
    // Sending: the draft goes out and is cleared; our line is marked as ours.
    chat.querySelector('#draft')!.dispatchEvent('input', { detail: { value: 'on my way' } })
    await flush()
    await tap(chat.querySelector('#send'))
    expect(fake.called('sendMessage')).toEqual([[{ text: 'on my way' }, {}]])
    expect(texts(chat, '.own .text')).toEqual(['on my way'])
    expect((chat.instance as { data: { draft: string } }).data.draft).toBe('')
    // Closed again: unread counts anew.
    await tap(room.querySelector('#close-panel'))
    fake.emit('message', message(9, 'later', 'bob'))
    await flush()
    expect(store.meeting.unread).toBe(1)
  })

  test('prompts: the host muted you (dismissed, or gone when let go); an invitation to speak, accepted', async () => {
    const { fake, room, store } = await joined(Role.AUDIENCE)
    const prompts = panelOf(room, 'prompts')
    const host = makeMember('MS_host', 'Host Li', Role.ADMIN)
    fake.emit('mutedByHost', { audio: true, video: false, allowSelfUnmute: false, by: host })
    await flush()
    expect(text(prompts.querySelector('#muted .prompt-text'))).toBe('The host muted you')
    await tap(prompts.querySelector('#dismiss'))
    expect(prompts.querySelector('#muted')).toBeUndefined()
    expect(store.meeting.micLocked).toBe(true)
    fake.emit('mutedByHost', { audio: true, video: false, allowSelfUnmute: true, by: host })
    await flush()
    expect(text(prompts.querySelector('#muted .prompt-text'))).toBe(
      'The host muted you; you may unmute yourself',
    )
    fake.emit('mutedByHost', { audio: false, video: false, allowSelfUnmute: true, by: host })
    await flush()
    expect(prompts.querySelector('#muted')).toBeUndefined()

    fake.emit('speakInvitation', host)
    await flush()
    expect(text(prompts.querySelector('#invitation .prompt-text'))).toBe(
      'Host Li invites you to speak',
    )
    await tap(prompts.querySelector('#accept'))
    expect(fake.called('answerSpeakInvitation')).toEqual([[true]])
    expect(prompts.querySelector('#invitation')).toBeUndefined()
  })
})
