/** @jest-environment jsdom */
// The in-call screen around the video, on the built kit: the top bar (room info sheet, clock,
// head count, my network, audio route, camera flip, 离开 and its sheet), the control bar (静音 ·
// 视频 · 成员 · 聊天, 举手 for the audience · 更多), the more sheet (invite, layout, beauty,
// mirror), the members / chat panels and the theme. Each control is tapped as a user would, and
// what it changed is read where it shows: the store, the native components' attributes, the
// room's events, wx calls.
import { Role } from 'miniprogram-conference-protocol'
import { FakeEmedia } from '../../testkit/fake-emedia'
import { flush, mount, simulate, restoreWx, unmountAll, w } from './mount'
import { attrs, attrsOf, grid, playerTiles, selfTile, tap, text, type Node } from './rendered'

/** Records the calls of a wx API (its options), answering success. */
function spyWx(name: string): Array<Record<string, unknown>> {
  const calls: Array<Record<string, unknown>> = []
  w[name] = (o: Record<string, unknown> = {}) => {
    calls.push(o)
    ;(o.success as (() => void) | undefined)?.()
    ;(o.complete as (() => void) | undefined)?.()
  }
  return calls
}

/** A storage of its own (simulate's wx keeps nothing). */
function memoryStorage(): Map<string, unknown> {
  const map = new Map<string, unknown>()
  w.setStorageSync = (k: string, v: unknown) => map.set(k, v)
  w.getStorageSync = (k: string) => (map.has(k) ? map.get(k) : '')
  return map
}

function listen(room: Node, names: string[]) {
  const events: Array<{ name: string; detail: unknown }> = []
  for (const name of names) {
    room.addEventListener(name, (e: { detail: unknown }) => events.push({ name, detail: e.detail }))
  }
  return events
}

const classOf = (room: Node, selector: string) => String(attrs(room.querySelector(selector)!).class)

describe('<conference-room>: the top bar', () => {
  afterEach(() => {
    unmountAll()
    restoreWx()
  })

  test('the room name, the clock, the head count and my network', async () => {
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, { roomName: 'weekly', lang: 'en' })
    await flush()
    expect(text(room, '.title-text')).toBe('weekly')
    expect(text(room, '.elapsed')).toBe('00:00')
    expect(text(room, '.head-count')).toBe('1')
    expect(text(room, '#members .caption')).toBe('People (1)')
    fake.addRemote('bob')
    await flush()
    expect(text(room, '.head-count')).toBe('2')
    expect(text(room, '#members .caption')).toBe('People (2)')

    // No netstatus yet: no bars. Then my push's score, as the tiles show theirs.
    expect(room.querySelector('.net')).toBeUndefined()
    selfTile(room)
      .querySelector('#pusher')!
      .dispatchEvent('netstatus', {
        detail: { info: { videoBitrate: 500, audioBitrate: 48, videoFPS: 15, netSpeed: 600 } },
      })
    await flush()
    expect(classOf(room, '.net')).toMatch(/\bgood\b/)
    expect(attrs(room.querySelector('.net')!)['ariaLabel']).toBe('Good network')

    // The clock runs from the join: a second later it reads 00:01.
    store.screen.since -= 60_000
    await simulate.sleep(1100)
    expect(text(room, '.elapsed')).toMatch(/^01:0[12]$/)
  })

  test('the room name opens the info sheet: number, password, copy, copy invitation, share', async () => {
    const clipboard = spyWx('setClipboardData')
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, {
      roomName: 'weekly',
      lang: 'zh',
      sharePath: '/pages/join/join',
    })
    await flush()
    expect(room.querySelector('.sheet')).toBeUndefined()
    await tap(room, '#room-title')
    expect(room.querySelector('.sheet-info')).toBeDefined()
    expect(room.querySelectorAll('.info-value').map((n) => n.dom.textContent)).toEqual([
      'C_weekly',
      '无',
    ])

    await tap(room, '#copy-number')
    await tap(room, '#copy-invite')
    expect(clipboard.map((c) => c.data)).toEqual([
      'C_weekly',
      '邀请你参加会议: weekly\n会议号: C_weekly',
    ])

    // The share button: WeChat asks the page's onShareAppMessage, which returns shareData().
    // The card carries the invitation credential the room asked for on joining.
    const events = listen(room, ['share'])
    expect(attrs(room.querySelector('#share')!).openType).toBe('share')
    await tap(room, '#share')
    const invite = store.meeting.invitationLink!.invitation
    expect(fake.called('createInvitation')).toEqual([['C_weekly', { ttlSec: 86400 }]])
    const card = {
      title: '邀请你参加会议: weekly',
      path: `/pages/join/join?confrId=C_weekly&roomName=weekly&invite=${encodeURIComponent(invite)}`,
    }
    expect(events).toEqual([{ name: 'share', detail: card }])
    expect((room.instance as { shareData(): unknown }).shareData()).toEqual(card)
    expect(room.querySelector('.sheet')).toBeUndefined()
  })

  test('a password shows in the sheet and the copied invitation, never in the shared path', async () => {
    const clipboard = spyWx('setClipboardData')
    const fake = new FakeEmedia()
    const original = fake.mgr.joinConference
    fake.mgr.joinConference = async (...args: Parameters<typeof original>) => {
      const conference = await original(...args)
      conference.password = args[1] ?? ''
      return conference
    }
    const { room } = mount(fake, { confrId: 'C_42', password: 'pw-9', sharePath: '/p/room' })
    await flush()
    await tap(room, '#room-title')
    expect(room.querySelectorAll('.info-value').map((n) => n.dom.textContent)).toEqual([
      'C_42',
      'pw-9',
    ])
    await tap(room, '#copy-invite')
    expect(String(clipboard[0].data)).toMatch(/pw-9/)
    // A member who is no admin gets no credential where there is a password (the server would
    // refuse): the card names the room only, and promises nothing.
    expect((room.instance as { shareData(): unknown }).shareData()).toEqual({
      title: '邀请你参加会议: C_42',
      path: '/p/room?confrId=C_42',
    })
    expect(fake.called('createInvitation')).toEqual([])
  })

  test('shared before the credential came: the room-only card, and the promise of the card with it', async () => {
    const fake = new FakeEmedia()
    const create = fake.mgr.createInvitation
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    fake.mgr.createInvitation = async (...args: Parameters<typeof create>) => {
      await held
      return create(...args)
    }
    const { room, store } = mount(fake, {
      roomName: 'weekly',
      lang: 'en',
      sharePath: '/pages/index/index?server=wss%3A%2F%2Fmeet.test',
    })
    await flush()
    type Card = { title: string; path: string; promise?: Promise<{ title: string; path: string }> }
    const card = (room.instance as { shareData(): Card }).shareData()
    // After the share path's own query; WeChat shares this one if the promise takes over 3 s.
    expect(card.title).toBe('You are invited to a meeting: weekly')
    expect(card.path).toBe(
      '/pages/index/index?server=wss%3A%2F%2Fmeet.test&confrId=C_weekly&roomName=weekly',
    )
    release()
    const later = await card.promise!
    const invite = store.meeting.invitationLink!.invitation
    expect(invite).toMatch(/^C_weekly\./)
    expect(later).toEqual({
      title: card.title,
      path: `${card.path}&invite=${encodeURIComponent(invite)}`,
    })
    // One request, the join's: the share waited for it rather than asking again.
    expect(fake.called('createInvitation')).toHaveLength(1)
    // Now held: the card carries it at once, and promises nothing.
    expect((room.instance as { shareData(): Card }).shareData()).toEqual(later)
  })

  test("the invitation property joins with the credential; a refused one is the error event with the server's code", async () => {
    const fake = new FakeEmedia()
    const invitation = 'C_77.zzzzzz.fake-signature-0000000'
    const { room, store } = mount(fake, { invitation, confrId: 'C_77', nickName: 'Ben' })
    await flush()
    expect(fake.called('joinConferenceWithInvitation')).toEqual([
      [invitation, undefined, { nickName: 'Ben' }],
    ])
    expect(fake.called('joinConference')).toEqual([])
    expect(store.session.conference?.confrId).toBe('C_77')
    expect(text(room, '.title-text')).toBe('C_77')

    const refused = new FakeEmedia()
    refused.failNext.set('joinConferenceWithInvitation', {
      code: -502,
      message: 'invitation expired',
    })
    const other = mount(refused, { invitation, autoJoin: false })
    const events = listen(other.room, ['error'])
    expect(await (other.room.instance as { join(): Promise<boolean> }).join()).toBe(false)
    expect(events).toEqual([
      { name: 'error', detail: { code: -502, message: 'invitation expired', action: 'join' } },
    ])
  })

  test('speaker / earpiece: the players follow, the choice is remembered on this phone', async () => {
    const storage = memoryStorage()
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, { roomName: 'weekly', lang: 'en' })
    await flush()
    fake.addRemote('bob')
    await flush()
    const soundMode = () => attrsOf(playerTiles(room)[0], '#player').soundMode
    expect(soundMode()).toBe('speaker')
    expect(attrs(room.querySelector('#sound-route')!)['ariaLabel']).toBe(
      'Speaker, Use the earpiece',
    )

    await tap(room, '#sound-route')
    expect(store.screen.soundMode).toBe('ear')
    expect(soundMode()).toBe('ear')
    expect(room.querySelector('.ck-icon-earpiece')).toBeDefined()
    expect([...storage.values()]).toEqual(['ear'])

    // The next call on this phone starts on the earpiece; a page may say otherwise.
    const next = mount(new FakeEmedia(), { roomName: 'other' })
    await flush()
    expect(next.store.screen.soundMode).toBe('ear')
    const told = mount(new FakeEmedia(), { roomName: 'third', soundMode: 'speaker' })
    await flush()
    expect(told.store.screen.soundMode).toBe('speaker')
  })

  test('camera flip: front to back; off while the camera is off', async () => {
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, { roomName: 'weekly' })
    await flush()
    await tap(room, '#flip')
    expect(store.media.local.devicePosition).toBe('back')
    expect(attrsOf(selfTile(room), '#pusher').devicePosition).toBe('back')
    await tap(room, '#camera')
    expect(classOf(room, '#flip')).toMatch(/\bdisabled\b/)
    expect(attrs(room.querySelector('#flip')!)['ariaDisabled']).toBe(true)
  })

  test('离开 asks first: leave, or cancel; a host may also end the meeting for all', async () => {
    const fake = new FakeEmedia()
    const { room } = mount(fake, { roomName: 'weekly' })
    await flush()
    await tap(room, '#leave')
    expect(text(room, '.sheet-text')).toBe('确定要离开会议吗？')
    expect(room.querySelector('#end-meeting')).toBeUndefined()
    await tap(room, '#cancel-leave')
    expect(room.querySelector('.sheet')).toBeUndefined()
    expect(fake.called('exitConference')).toEqual([])

    // The host (the creator of a room is its admin).
    const host = new FakeEmedia()
    const hosted = mount(host, { roomName: 'mine', role: Role.ADMIN })
    const events = listen(hosted.room, ['exit'])
    await flush()
    expect(hosted.store.session.isAdmin).toBe(true)
    await tap(hosted.room, '#leave')
    expect(text(hosted.room, '.sheet-text')).toMatch(/主持人/)
    await tap(hosted.room, '#end-meeting')
    expect(host.called('destroyConference')).toEqual([['C_mine']])
    expect(hosted.room.querySelector('.sheet')).toBeUndefined()
    // The server ends it for everyone; our exit comes from it.
    host.emit('conferenceExit', 11, 0)
    await flush()
    expect(events).toEqual([{ name: 'exit', detail: { reason: 11, code: 0 } }])
  })
})

describe('<conference-room>: the control bar and its sheets', () => {
  afterEach(() => {
    unmountAll()
    restoreWx()
  })

  test('静音 · 视频 · 成员 · 聊天 · 更多, in one language at a time', async () => {
    const { room } = mount(new FakeEmedia(), { roomName: 'weekly', lang: 'zh' })
    await flush()
    const captions = () => room.querySelectorAll('.caption').map((c) => c.dom.textContent)
    expect(captions()).toEqual(['静音', '停止视频', '成员 (1)', '聊天', '更多'])
    await tap(room, '#mic')
    expect(captions()[0]).toBe('解除静音')
    expect(classOf(room, '#mic')).toMatch(/\boff\b/)
    expect(room.querySelector('#mic .ck-icon-mic-off')).toBeDefined()
  })

  test('成员 and 聊天 open the meeting panels and tell the page', async () => {
    const { room } = mount(new FakeEmedia(), { roomName: 'weekly', lang: 'en' })
    const events = listen(room, ['open-members', 'open-chat'])
    await flush()
    await tap(room, '#members')
    expect(room.querySelector('.panel-members #member-panel')).toBeDefined()
    expect(text(room, '.panel .sheet-title')).toBe('People (1)')
    await tap(room, '#close-panel')
    expect(room.querySelector('.panel')).toBeUndefined()
    await tap(room, '#chat')
    expect(room.querySelector('.panel-chat #chat-panel')).toBeDefined()
    // The backdrop closes it too.
    await tap(room, '.mask')
    expect(room.querySelector('.panel')).toBeUndefined()
    expect(events.map((e) => e.name)).toEqual(['open-members', 'open-chat'])
  })

  test('custom-panels: the page slots instead of the meeting panels', async () => {
    const { room } = mount(new FakeEmedia(), { roomName: 'weekly', customPanels: true })
    await flush()
    await tap(room, '#members')
    expect(room.querySelector('.panel-members')).toBeDefined()
    expect(room.querySelector('#member-panel')).toBeUndefined()
    await tap(room, '#close-panel')
    await tap(room, '#chat')
    expect(room.querySelector('.panel-chat')).toBeDefined()
    expect(room.querySelector('#chat-panel')).toBeUndefined()
  })

  test('the audience: 举手 instead of 静音 and 视频, and no camera flip', async () => {
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, { roomName: 'talk', role: Role.AUDIENCE })
    const events = listen(room, ['raise-hand'])
    await flush()
    expect(room.querySelector('#mic')).toBeUndefined()
    expect(room.querySelector('#camera')).toBeUndefined()
    expect(room.querySelector('#flip')).toBeUndefined()
    expect(text(room, '#hand .caption')).toBe('举手')
    await tap(room, '#hand')
    expect(events).toEqual([{ name: 'raise-hand', detail: { raised: true } }])

    // The hand is up in the meeting store: the button lowers it, through the store.
    expect(store.meeting.handRaised).toBe(true)
    expect(text(room, '#hand .caption')).toBe('手放下')
    await tap(room, '#hand')
    expect(events[1]).toEqual({ name: 'raise-hand', detail: { raised: false } })
    expect(fake.called('raiseHand')).toHaveLength(1)
    expect(fake.called('lowerHand')).toHaveLength(1)
    expect(store.meeting.handRaised).toBe(false)
  })

  test('更多: invite opens the info sheet; layout switches the grid and tells the page', async () => {
    const { room } = mount(new FakeEmedia(), { roomName: 'weekly', lang: 'en' })
    const events = listen(room, ['layout-change'])
    await flush()
    await tap(room, '#more')
    expect(room.querySelector('.sheet-more')).toBeDefined()
    expect(text(room, '#layout .action-state')).toBe('Grid')
    await tap(room, '#layout')
    expect(grid(room).data.template).toBe('speaker')
    expect(text(room, '#layout .action-state')).toBe('Speaker')
    expect(events).toEqual([{ name: 'layout-change', detail: { template: 'speaker' } }])
    await tap(room, '#invite')
    expect(room.querySelector('.sheet-info')).toBeDefined()
  })

  test('更多: beauty and mirror switch the pusher', async () => {
    const { room, store } = mount(new FakeEmedia(), { roomName: 'weekly', beauty: 3 })
    await flush()
    await tap(room, '#more')
    const pusher = () => attrsOf(selfTile(room), '#pusher')
    expect(pusher()).toMatchObject({ beauty: 3, localMirror: 'auto' })
    expect(attrs(room.querySelector('#beauty')!)['ariaChecked']).toBe(true)
    await tap(room, '#beauty')
    expect(store.media.local.beauty).toBe(0)
    expect(pusher().beauty).toBe(0)
    expect(attrs(room.querySelector('#beauty')!)['ariaChecked']).toBe(false)
    await tap(room, '#beauty')
    expect(pusher().beauty).toBe(3)

    await tap(room, '#mirror')
    expect(pusher().localMirror).toBe('disable')
    expect(text(room, '#mirror .action-state')).toBe('关')
    await tap(room, '#mirror')
    expect(pusher().localMirror).toBe('auto')
  })

  test('更多: mirror out switches the pushed picture, not my view; a switch in words', async () => {
    const { room, store } = mount(new FakeEmedia(), { roomName: 'weekly', lang: 'en' })
    await flush()
    await tap(room, '#more')
    const pusher = () => attrsOf(selfTile(room), '#pusher')
    const control = () => attrs(room.querySelector('#remote-mirror')!)
    expect(pusher()).toMatchObject({ remoteMirror: false, localMirror: 'auto' })
    expect(control()).toMatchObject({
      ariaRole: 'switch',
      ariaChecked: false,
      ariaLabel: 'Mirror the video others see',
    })
    expect(text(room, '#remote-mirror .action-caption')).toBe('Mirror out')
    expect(text(room, '#remote-mirror .action-state')).toBe('Off')

    await tap(room, '#remote-mirror')
    expect(store.screen.remoteMirror).toBe(true)
    expect(pusher()).toMatchObject({ remoteMirror: true, localMirror: 'auto' })
    expect(control().ariaChecked).toBe(true)
    expect(classOf(room, '#remote-mirror')).toMatch(/\bon\b/)
    expect(text(room, '#remote-mirror .action-state')).toBe('On')
    // The sheet stays open for the next switch; a second tap turns it back.
    await tap(room, '#remote-mirror')
    expect(pusher().remoteMirror).toBe(false)
    expect(text(room, '#remote-mirror .action-state')).toBe('Off')
  })

  test('更多 in Chinese: 对方镜像 beside 镜像; the audience has neither', async () => {
    const { room } = mount(new FakeEmedia(), { roomName: 'weekly', lang: 'zh' })
    await flush()
    await tap(room, '#more')
    expect(room.querySelectorAll('.action-caption').map((n) => n.dom.textContent)).toEqual([
      '邀请',
      '布局',
      '美颜',
      '镜像',
      '对方镜像',
    ])
    const { room: audience } = mount(new FakeEmedia(), { roomName: 'weekly', role: Role.AUDIENCE })
    await flush()
    await tap(audience, '#more')
    expect(audience.querySelector('#mirror')).toBeUndefined()
    expect(audience.querySelector('#remote-mirror')).toBeUndefined()
  })

  test('a mute on this phone only: the player is muted here, nothing is sent', async () => {
    const fake = new FakeEmedia()
    const { room, store } = mount(fake, { roomName: 'weekly' })
    await flush()
    const { stream } = fake.addRemote('bob')
    await flush()
    store.screen.setLocalMute(stream!.id)
    await flush()
    expect(attrsOf(playerTiles(room)[0], '#player').muted).toBe(true)
    expect(fake.calls.map((c) => c.method)).not.toContain('pauseAudio')
    store.screen.setLocalMute(stream!.id)
    await flush()
    expect(attrsOf(playerTiles(room)[0], '#player').muted).toBe(false)
  })
})

describe("<conference-room>: WeChat's privacy step", () => {
  afterEach(() => {
    unmountAll()
    restoreWx()
  })

  test('the room holds a privacy sheet: the last one attached answers WeChat', async () => {
    type Resolve = (r: { event: string; buttonId?: string }) => void
    let listener: ((resolve: Resolve) => void) | undefined
    w.onNeedPrivacyAuthorization = (fn: typeof listener) => (listener = fn)
    w.getPrivacySetting = (o: { success(r: object): void }) =>
      o.success({ needAuthorization: true, privacyContractName: '' })
    const first = mount(new FakeEmedia(), { roomName: 'a', lang: 'en', autoJoin: false })
    const second = mount(new FakeEmedia(), { roomName: 'b', lang: 'en', autoJoin: false })
    await flush()
    const sheetOf = (room: Node) => room.querySelector('#privacy')!
    const answers: Array<{ event: string; buttonId?: string }> = []
    listener!((r) => answers.push(r))
    await flush()
    expect(sheetOf(second.room).querySelector('.sheet')).toBeDefined()
    expect(sheetOf(first.room).querySelector('.sheet')).toBeUndefined()
    // No name given by the app: the words for it.
    expect(text(sheetOf(second.room), '.contract-text')).toBe('the privacy guide')
    sheetOf(second.room).querySelector('#agree-privacy')!.dispatchEvent('agreeprivacyauthorization')
    await flush()
    expect(answers).toEqual([
      { event: 'exposureAuthorization' },
      { event: 'agree', buttonId: 'agree-privacy' },
    ])

    // The second room gone, the first answers the next request.
    second.room.detach()
    listener!(() => undefined)
    await flush()
    expect(sheetOf(first.room).querySelector('.sheet')).toBeDefined()
  })
})

describe('<conference-room>: the theme', () => {
  afterEach(() => {
    unmountAll()
    restoreWx()
  })

  test('dark by default; light; auto follows WeChat and its changes', async () => {
    const root = (room: Node) => String(attrs(room.querySelector('.room')!).class)
    const dark = mount(new FakeEmedia(), { roomName: 'a' })
    const light = mount(new FakeEmedia(), { roomName: 'b', theme: 'light' })
    let listener: ((res: { theme: string }) => void) | undefined
    w.getAppBaseInfo = () => ({ language: 'zh_CN', theme: 'light' })
    w.onThemeChange = (fn: typeof listener) => (listener = fn)
    const auto = mount(new FakeEmedia(), { roomName: 'c', theme: 'auto' })
    await flush()
    expect(root(dark.room)).toMatch(/\btheme-dark\b/)
    expect(root(light.room)).toMatch(/\btheme-light\b/)
    expect(root(auto.room)).toMatch(/\btheme-light\b/)
    w.getAppBaseInfo = () => ({ language: 'zh_CN', theme: 'dark' })
    listener!({ theme: 'dark' })
    await flush()
    expect(root(auto.room)).toMatch(/\btheme-dark\b/)
    expect(root(light.room)).toMatch(/\btheme-light\b/)
  })
})
