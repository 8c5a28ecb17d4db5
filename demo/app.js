// Demo app: settings live in storage (wx.setStorageSync) so that every page reads the same.
const DEFAULTS = {
  server: 'ws://192.168.1.23:8080/ws',
  nickName: '',
  rec: false,
  recMerge: false,
  minBitrate: 200,
  maxBitrate: 600,
  template: 'grid',
  beauty: 0,
}

function loadSettings() {
  const saved = wx.getStorageSync('settings')
  return Object.assign({}, DEFAULTS, saved && typeof saved === 'object' ? saved : {})
}

function saveSettings(changes) {
  const next = Object.assign(loadSettings(), changes)
  wx.setStorageSync('settings', next)
  return next
}

// A stable user id per phone: the server's development mode mints a token for it.
function userId() {
  let id = wx.getStorageSync('userId')
  if (!id) {
    id = 'u' + Date.now().toString(36) + Math.random().toString(36).slice(2, 6)
    wx.setStorageSync('userId', id)
  }
  return id
}

App({
  loadSettings,
  saveSettings,
  userId,
})
