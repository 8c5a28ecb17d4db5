// Settings kept with wx.setStorageSync: recording, bitrate, layout, beauty. Read by the other
// pages when they open.
const app = getApp()

const TEMPLATES = ['grid', '1v1', 'speaker']

Page({
  data: {
    rec: false,
    recMerge: false,
    minBitrate: 200,
    maxBitrate: 600,
    beauty: 0,
    template: 'grid',
    templates: TEMPLATES,
    templateIndex: 0,
  },

  onLoad() {
    const s = app.loadSettings()
    this.setData({
      rec: s.rec,
      recMerge: s.recMerge,
      minBitrate: s.minBitrate,
      maxBitrate: s.maxBitrate,
      beauty: s.beauty,
      template: s.template,
      templateIndex: Math.max(0, TEMPLATES.indexOf(s.template)),
    })
  },

  save(changes) {
    this.setData(changes)
    app.saveSettings(changes)
  },

  onSwitch(e) {
    this.save({ [e.currentTarget.dataset.field]: e.detail.value })
  },

  onSlider(e) {
    const field = e.currentTarget.dataset.field
    const value = Number(e.detail.value)
    const changes = { [field]: value }
    // Keep min ≤ max.
    if (field === 'minBitrate' && value > this.data.maxBitrate) changes.maxBitrate = value
    if (field === 'maxBitrate' && value < this.data.minBitrate) changes.minBitrate = value
    this.save(changes)
  },

  onTemplate(e) {
    const index = Number(e.detail.value)
    this.save({ template: TEMPLATES[index], templateIndex: index })
  },
})
