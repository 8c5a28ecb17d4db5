// Settings in users' words, kept with wx.setStorageSync: the server, how sharp the video is, the
// layout, beauty, and the appearance. app.js turns them into what the room takes.
const app = getApp()
const { words } = require('../../i18n')

Page({
  data: {
    t: {},
    server: '',
    quality: 1,
    layout: 0,
    beauty: 0,
    appearance: 0,
  },

  onLoad() {
    const t = words()
    wx.setNavigationBarTitle({ title: t.settings })
    const s = app.loadSettings()
    this.setData({
      t,
      server: s.server,
      quality: s.quality,
      layout: s.layout,
      beauty: s.beauty,
      appearance: s.appearance,
    })
  },

  save(changes) {
    this.setData(changes)
    app.saveSettings(changes)
  },

  onServer(e) {
    this.save({ server: e.detail.value.trim() })
  },

  onPick(e) {
    this.save({ [e.currentTarget.dataset.field]: Number(e.detail.value) })
  },
})
