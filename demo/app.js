// Demo app: settings live in storage (wx.setStorageSync) so that every page reads the same. They
// are in users' words; each maps to what the kit takes.
const DEFAULTS = {
  server: '',
  nickName: '',
  quality: 1,
  layout: 0,
  beauty: 0,
  appearance: 0,
}

/** 流畅 / 标准 / 高清 → live-pusher bitrates (kbps). */
const QUALITY = [
  { minBitrate: 150, maxBitrate: 400 },
  { minBitrate: 200, maxBitrate: 600 },
  { minBitrate: 400, maxBitrate: 1200 },
]
const LAYOUT = ['grid', 'speaker']
const BEAUTY = [0, 3, 5, 8]
const THEME = ['auto', 'dark', 'light']

function loadSettings() {
  const saved = wx.getStorageSync('settings')
  return Object.assign({}, DEFAULTS, saved && typeof saved === 'object' ? saved : {})
}

function saveSettings(changes) {
  const next = Object.assign(loadSettings(), changes)
  wx.setStorageSync('settings', next)
  return next
}

/** The settings as the room takes them. */
function roomOptions() {
  const s = loadSettings()
  const quality = QUALITY[s.quality] || QUALITY[1]
  return {
    host: s.server,
    template: LAYOUT[s.layout] || 'grid',
    beauty: BEAUTY[s.beauty] || 0,
    theme: THEME[s.appearance] || 'auto',
    minBitrate: quality.minBitrate,
    maxBitrate: quality.maxBitrate,
  }
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
  roomOptions,
  userId,
})
