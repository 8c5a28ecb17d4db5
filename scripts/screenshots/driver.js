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
  document.body.appendChild(phone)
  const content = phone.querySelector('#content')

  const kit = window.require('kit/store/index')
  const { FakeEmedia, makeMember, makeStream } = window.require('kit/testkit/fake-emedia')
  // <image>: j-component's built-in drops `src`. This stand-in draws the kit's SVG from the file
  // map (src is relative to a component folder: every kit component sits at components/<name>/).
  const imageId = simulate.load({
    template: '<view class="shim-image" style="{{css}}"></view>',
    properties: { src: { type: String, value: '' }, mode: { type: String, value: '' } },
    observers: {
      src(src) {
        const file = window.__FILE_MAP__[resolve('kit/components/any/', src)] || ''
        const url = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(file)
        this.setData({
          css: file ? `background:url("${url}") center / contain no-repeat` : '',
        })
      },
    },
  })
  function resolve(base, rel) {
    const parts = (base + rel).split('/')
    const out = []
    for (const p of parts) {
      if (p === '..') out.pop()
      else if (p !== '.') out.push(p)
    }
    return out.join('/')
  }
  const roomId = simulate.load('kit/components/conference-room/index', 'conference-room', {
    rootPath: 'kit/components',
    compiler: 'simulate',
    usingComponents: { image: imageId },
  })

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

  /** name → { members: remote members, template, props, deny, lang, theme, after(ctx) }. */
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
    joining: { members: range(2), joining: true },
    reconnecting: {
      members: range(3),
      after: (ctx) => ctx.fake.emit('reconnecting'),
    },
    audience: { members: range(3), role: 1 },
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
    const deny = scene.deny || []
    wx.authorize = (o) =>
      setTimeout(() => {
        if (deny.includes(o.scope)) o.fail && o.fail({ errMsg: 'authorize:fail auth deny' })
        else o.success && o.success({ errMsg: 'authorize:ok' })
        o.complete && o.complete({})
      }, 0)
    wx.openSetting = (o) => setTimeout(() => o.fail && o.fail({ errMsg: 'cancel' }), 0)

    const fake = new FakeEmedia()
    for (const m of scene.members) {
      const member = makeMember('MS_' + m.name, m.name)
      fake.members.push(member)
      fake.streams.push(makeStream(member, { voff: m.voff || 0, aoff: m.aoff || 0 }))
    }
    if (scene.joining) fake.mgr.joinRoom = () => new Promise(() => {})
    const store = kit.createConferenceStore(fake)
    const storeKey = 'shot-' + Math.random().toString(36).slice(2)
    kit.registerStore(storeKey, store)
    const errors = []
    const rendered = simulate.render(roomId, {
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
