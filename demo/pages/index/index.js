// The join screen: <pre-join ask-room> — the meeting, my name, the preview and the switches. It
// opens from the app's icon, and from a shared card (its path: server, confrId, roomName and the
// invitation credential `invite`), with the card's meeting filled in and no password asked: the
// credential lets us in. 加入会议 opens the room page with the choices (and the credential, unless
// another meeting was typed in).
const app = getApp()
const { lang, words } = require('../../i18n')

/** What the meeting field holds: a meeting ID (the server's ids begin CF_) or a room name. */
function meetingOf(text) {
  return /^CF_/.test(text) ? { confrId: text } : { roomName: text }
}

function roomUrl(params) {
  const query = Object.keys(params)
    .filter((k) => params[k] !== undefined && params[k] !== '')
    .map((k) => k + '=' + encodeURIComponent(params[k]))
    .join('&')
  return '/pages/room/room?' + query
}

Page({
  data: {
    lang: 'zh',
    t: {},
    theme: 'auto',
    room: '',
    /** The card's invitation credential, for the card's meeting (`room` as it came). */
    invite: '',
    nickName: '',
    hasServer: false,
    askPassword: false,
  },

  onLoad(options) {
    // A card's values come encoded; a server in it is the one the room is on.
    const decoded = (k) => (options[k] ? decodeURIComponent(options[k]) : '')
    if (options.server) app.saveSettings({ server: decoded('server') })
    const settings = app.loadSettings()
    const t = words()
    const invite = decoded('invite')
    wx.setNavigationBarTitle({ title: t.join })
    this.setData({
      lang: lang(),
      t,
      theme: app.roomOptions().theme,
      room: decoded('roomName') || decoded('confrId'),
      invite,
      nickName: settings.nickName,
      hasServer: !!settings.server,
      askPassword: options.askPassword === '1' && !invite,
    })
  },

  onShow() {
    this.setData({ hasServer: !!app.loadSettings().server })
  },

  onJoin(e) {
    const choice = e.detail
    if (!this.data.hasServer) return this.openSettings()
    app.saveSettings({ nickName: choice.nickName })
    wx.navigateTo({
      url: roomUrl(
        Object.assign(meetingOf(choice.room), {
          invite: choice.room === this.data.room ? this.data.invite : '',
          password: choice.password,
          nickName: choice.nickName,
          mic: choice.mic ? '1' : '0',
          camera: choice.camera ? '1' : '0',
          soundMode: choice.soundMode,
        }),
      ),
    })
  },

  openSettings() {
    wx.navigateTo({ url: '/pages/settings/settings' })
  },
})
