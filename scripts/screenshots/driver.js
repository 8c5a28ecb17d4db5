// Runs in the page: loads the built kit into miniprogram-simulate's browser build and renders
// <conference-room> on the real store over the scripted SDK (testkit/fake-emedia), one scene at
// a time. Scenes only call the SDK's callbacks (emit) and the native components' events, as a
// phone would; nothing writes store internals.
/* global simulate, wx */
;(function () {
  // The browser build's require has no module cache and no npm resolution: add both (WeChat
  // resolves npm names to miniprogram_npm and runs each module once).
  const load = window.require
  const cache = {}
  window.require = function (p) {
    let key = p.replace(/\.js$/, '')
    const npm = /(?:^|\/)(mobx-miniprogram(?:-bindings)?)$/.exec(key)
    if (npm) key = 'npm/' + npm[1]
    // The scripted SDK (testkit/fake-emedia) names the protocol package; the kit ships it as kit/protocol.
    if (/(?:^|\/)miniprogram-conference-protocol$/.test(key)) key = 'kit/protocol'
    if (!(key in cache)) cache[key] = load(key)
    return cache[key]
  }

  const phone = document.createElement('div')
  phone.className = 'phone'
  phone.innerHTML =
    '<div class="status-bar"><span>9:41</span><span class="dots">●●● ▮</span></div>' +
    '<div class="nav-bar"><span class="back">‹</span><span class="title">会议</span>' +
    '<span class="capsule"></span></div>' +
    '<div class="content" id="content"></div><div class="home-indicator"></div>'

  /** Sizes the frame to a phone (browser.js DEVICES; the viewport and the insets are set there). */
  function fitPhone(device) {
    const root = document.documentElement.style
    root.setProperty('--rpx', device.width / 750 + 'px')
    root.setProperty('--phone-width', device.width + 'px')
    root.setProperty('--phone-height', device.height + 'px')
    root.setProperty('--phone-top', device.top + 'px')
    root.setProperty('--phone-window', device.height - device.top - 44 + 'px')
  }
  document.body.appendChild(phone)
  const content = phone.querySelector('#content')

  const kit = window.require('kit/store/index')
  const { FakeEmedia, makeMember, makeStream } = window.require('kit/testkit/fake-emedia')
  // <input> (page.js renames it shim-input): j-component renders the built-in as an empty HTML
  // input. This stand-in shows what a phone shows: the value (dots for a password), or the
  // placeholder — in the colour the kit's placeholder-class gives it (frame.css: j-component does
  // not pass a stand-in's external class).
  const inputId = simulate.load({
    template:
      '<view class="shim-input"><text wx:if="{{value}}">{{password ? dots : value}}</text>' +
      '<text wx:else class="placeholder">{{placeholder}}</text></view>',
    properties: {
      value: { type: String, value: '' },
      placeholder: { type: String, value: '' },
      password: { type: Boolean, value: false },
      maxlength: { type: Number, value: 140 },
    },
    data: { dots: '' },
    observers: {
      value(value) {
        this.setData({ dots: '•'.repeat(value.length) })
      },
    },
  })
  const loadKit = (name) =>
    simulate.load(`kit/components/${name}/index`, name, {
      rootPath: 'kit/components',
      compiler: 'simulate',
      usingComponents: { 'shim-input': inputId },
    })
  const components = {
    'conference-room': loadKit('conference-room'),
    'pre-join': loadKit('pre-join'),
  }
  // WeChat's LivePusherContext previews (startPreview, 2.7.0); the simulator's has no such call.
  const createPusherContext = wx.createLivePusherContext
  wx.createLivePusherContext = (...args) =>
    Object.assign(createPusherContext(...args), { startPreview() {}, stopPreview() {} })

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
  async function flush(rounds = 8) {
    for (let i = 0; i < rounds; i++) await sleep(0)
  }

  const NAMES = [
    'Alice',
    'Bob',
    'Carol',
    'Dave',
    'Erin',
    'Frank',
    'Grace',
    'Heidi',
    'Ivan',
    'Judy',
    'Mallory',
  ]
  const LONG = 'Maximilian Alexander von Hohenzollern-Sigmaringen'
  const CJK = '欧阳司马诸葛长孙宇文慕容令狐'

  const range = (n, over = {}) => NAMES.slice(0, n).map((name) => ({ name, ...over }))

  /** name → { members: remote members, template, props, deny, lang, theme, after(ctx) }; or
   * { component: 'pre-join', props } for the screen before the call. */
  const scenes = {
    'grid-1': { members: [] },
    'grid-2': { members: range(1) },
    'grid-4': { members: range(3) },
    'grid-5': { members: range(4) },
    'grid-9': { members: range(8) },
    'grid-12': { members: range(11) },
    '1v1': { members: range(1), template: '1v1' },
    'speaker-7': { members: range(6), template: 'speaker' },
    'camera-off': { members: range(3, { voff: 1 }) },
    muted: { members: range(3, { aoff: 1 }) },
    'camera-off-muted': { members: range(3, { voff: 1, aoff: 1 }) },
    speaking: {
      members: range(3),
      after: (ctx) => ctx.volume('Bob', 80),
    },
    // The name tags' sound meters: me and three others at 1–4 bars, one muted (its icon, no meter).
    'sound-levels': {
      members: [...range(3), { name: 'Dave', aoff: 1 }],
      after: (ctx) => {
        ctx.volume(null, 90)
        ctx.volume('Alice', 25)
        ctx.volume('Bob', 40)
        ctx.volume('Carol', 55)
      },
    },
    'long-names': {
      members: [
        { name: LONG },
        { name: LONG, voff: 1 },
        { name: LONG, voff: 1, aoff: 1 },
        { name: LONG + ' II', aoff: 1 },
        { name: LONG + ' III', voff: 1, aoff: 1 },
        { name: LONG + ' IV' },
        { name: LONG + ' V', voff: 1 },
        { name: LONG + ' VI', aoff: 1 },
        { name: LONG + ' VII', voff: 1, aoff: 1 },
        { name: LONG + ' VIII' },
      ],
      nickName: LONG,
    },
    'cjk-names': {
      members: [
        { name: CJK, voff: 1 },
        { name: '王小明' },
        { name: CJK + '二', aoff: 1 },
        { name: '李雷', voff: 1, aoff: 1 },
      ],
      nickName: '韩梅梅',
    },
    'camera-refused': { members: range(2), deny: ['scope.camera'] },
    'mic-refused': { members: range(2), deny: ['scope.record'] },
    // Joining: my camera's preview where my tile will be, under the banner.
    joining: { members: range(2), joining: true },
    reconnecting: {
      members: range(3),
      after: (ctx) => ctx.fake.emit('reconnecting'),
    },
    audience: { members: range(3), role: 1 },
    // The room's own screens: its info sheet, leaving (a member, the host), 更多.
    'room-info': {
      members: range(3),
      password: '2468',
      after: (ctx) => ctx.tap('#room-title'),
    },
    leave: { members: range(3), after: (ctx) => ctx.tap('#leave') },
    'leave-host': { members: range(3), role: 7, after: (ctx) => ctx.tap('#leave') },
    more: { members: range(3), after: (ctx) => ctx.tap('#more') },
    // Page 2 of 12: laid out for its three.
    'grid-12-page-2': { members: range(11), after: (ctx) => ctx.gridTap('.page-btn.next') },
    // A long press on Bob's tile: mute him on this phone only.
    'tile-sheet': { members: range(3), after: (ctx) => ctx.longPress('Bob') },
    // The meeting's panels in the screen's sheets: 12 people (long and CJK names, the audience
    // with hands up) as the host sees them; the chat with long messages in both scripts.
    'member-panel': {
      members: [
        { name: LONG },
        { name: CJK, aoff: 1 },
        { name: '王小明', voff: 1 },
        ...range(5),
        { name: LONG + ' II', role: 1 },
        { name: CJK + '二', role: 1 },
        { name: 'Mallory', role: 1 },
      ],
      hands: [CJK + '二', 'Mallory'],
      role: 7,
      after: (ctx) => ctx.tap('#members'),
    },
    'chat-panel': {
      members: range(3),
      history: [
        ['Alice', 'Agenda: the release, then questions.'],
        [CJK, '这是一条很长的消息，'.repeat(12)],
        [LONG, 'A long message that goes on and on, '.repeat(8)],
        ['Bob', 'https://example.com/a/very/long/link/that/does/not/break/anywhere/at/all/x'],
      ],
      after: (ctx) => ctx.tap('#chat'),
    },
    // The meeting's prompts over the video: the host muted me; the host invites me (audience) to
    // speak. And a locked room's member panel as its host sees it, with mute-all on.
    'muted-by-host': {
      members: range(3),
      after: (ctx) =>
        ctx.fake.emit('mutedByHost', {
          audio: true,
          video: false,
          allowSelfUnmute: false,
          by: { id: 'MS_Alice', name: 'Alice', nickName: 'Alice' },
        }),
    },
    'speak-invitation': {
      members: range(3),
      role: 1,
      after: (ctx) => ctx.fake.emit('speakInvitation', ctx.fake.members[0]),
    },
    locked: {
      members: range(3),
      role: 7,
      after: async (ctx) => {
        const muteAll = { audio: true, video: false, allowSelfUnmute: false }
        ctx.fake.emit('controlsChanged', { locked: true, muteAll })
        await ctx.tap('#members')
      },
    },
    // The screen before the call: the preview, the name, the switches; as a 加入会议 screen.
    'pre-join': {
      component: 'pre-join',
      props: { roomTitle: '周会 Weekly', nickName: '我 Me' },
    },
    'join-screen': {
      component: 'pre-join',
      props: { askRoom: true, camera: false },
    },
    'network-quality': {
      members: range(3),
      after: (ctx) => {
        ctx.net(null, { videoBitrate: 580, audioBitrate: 48, videoFPS: 15, netSpeed: 700 })
        ctx.net('Alice', { videoBitrate: 550, audioBitrate: 48, videoFPS: 15, netSpeed: 650 })
        ctx.net('Bob', {
          videoBitrate: 180,
          audioBitrate: 32,
          videoFPS: 8,
          netSpeed: 220,
          netJitter: 120,
        })
        ctx.net('Carol', {
          videoBitrate: 20,
          audioBitrate: 0,
          videoFPS: 1,
          netSpeed: 30,
          netJitter: 400,
        })
      },
    },
  }
  // Themes: every scene renders dark (default) and light; the lists below name what is shot.
  window.sceneNames = Object.keys(scenes)

  let current = null
  let lastErrors = []

  /** Renders one scene; resolves when the view has settled. */
  window.renderScene = async function (name, opts = {}) {
    const scene = scenes[name]
    if (!scene) throw new Error('no scene ' + name)
    if (current) {
      current.detach()
      current = null
      await flush()
    }
    const theme = opts.theme || 'dark'
    const lang = opts.lang || 'zh'
    phone.className = 'phone ' + theme
    fitPhone(opts.device)
    const deny = scene.deny || []
    wx.authorize = (o) =>
      setTimeout(() => {
        if (deny.includes(o.scope)) o.fail && o.fail({ errMsg: 'authorize:fail auth deny' })
        else o.success && o.success({ errMsg: 'authorize:ok' })
        o.complete && o.complete({})
      }, 0)
    wx.openSetting = (o) => setTimeout(() => o.fail && o.fail({ errMsg: 'cancel' }), 0)

    const fake = new FakeEmedia()
    for (const m of scene.members || []) {
      const member = makeMember('MS_' + m.name, m.name, m.role)
      fake.members.push(member)
      if (m.role !== 1)
        fake.streams.push(makeStream(member, { voff: m.voff || 0, aoff: m.aoff || 0 }))
    }
    fake.hands = (scene.hands || []).map((name, at) => ({
      memberId: 'MS_' + name,
      name,
      nickName: name,
      at,
    }))
    fake.history = (scene.history || []).map(([name, text], i) => ({
      id: i + 1,
      from: { id: 'MS_' + name, name, nickName: name },
      text,
      at: Date.UTC(2026, 0, 1, 9, i),
    }))
    if (scene.joining) fake.mgr.joinRoom = () => new Promise(() => {})
    if (scene.password) {
      const joinRoom = fake.mgr.joinRoom
      fake.mgr.joinRoom = (o) =>
        joinRoom(o).then((conference) => Object.assign(conference, { password: scene.password }))
    }
    const store = kit.createConferenceStore(fake)
    const storeKey = 'shot-' + Math.random().toString(36).slice(2)
    kit.registerStore(storeKey, store)
    const errors = []
    if (scene.component) {
      const rendered = simulate.render(components[scene.component], {
        storeKey,
        lang,
        theme,
        ...scene.props,
      })
      rendered.attach(content)
      current = rendered
      lastErrors = errors
      await flush(20)
      return { errors: [], pubStreams: [], controls: [] }
    }
    const rendered = simulate.render(components['conference-room'], {
      storeKey,
      host: 'wss://meet.example.com',
      userId: 'me',
      roomName: 'demo',
      nickName: scene.nickName || '我 Me',
      template: scene.template || 'grid',
      role: scene.role || 0,
      lang,
      theme,
      ...(opts.props || {}),
    })
    rendered.addEventListener('error', (e) => errors.push(e.detail))
    rendered.attach(content)
    current = rendered
    lastErrors = errors
    await flush(20)
    const grid = () => rendered.querySelector('#grid')
    const tileOf = (memberName) => {
      if (memberName === null) return grid().querySelector('#self')
      return grid()
        .querySelectorAll('.player')
        .find((t) => t.data && t.data.memberId === 'MS_' + memberName)
    }
    const ctx = {
      fake,
      store,
      tap(selector) {
        rendered.querySelector(selector).dispatchEvent('tap')
      },
      gridTap(selector) {
        grid().querySelector(selector).dispatchEvent('tap')
      },
      longPress(memberName) {
        const id = tileOf(memberName).data.tileId
        const index = grid().data.cells.findIndex((c) => c.id === id)
        grid().querySelectorAll('.cell')[index].dispatchEvent('longpress')
      },
      volume(memberName, volume) {
        const tile = tileOf(memberName)
        const native = tile.querySelector(memberName === null ? '#pusher' : '#player')
        native.dispatchEvent('audiovolumenotify', { detail: { volume } })
      },
      net(memberName, info) {
        const tile = tileOf(memberName)
        const native = tile.querySelector(memberName === null ? '#pusher' : '#player')
        native.dispatchEvent('netstatus', { detail: { info } })
      },
    }
    if (scene.after) scene.after(ctx)
    await flush(20)
    return {
      errors: errors.map((e) => ({ code: e.code, message: e.message })),
      pubStreams: fake.called('pubStream'),
      controls: [...content.querySelectorAll('.conference-room--btn')].map((b) => ({
        className: b.className,
        caption: b.textContent.trim(),
      })),
    }
  }

  window.sceneErrors = () => lastErrors
})()
