// The call: little more than <conference-room>, with what the join screen chose. It turns the
// room's exit and error events into words a user understands, and shares a card that opens the
// join screen on the same meeting (and this demo's server).
const app = getApp()
const { lang, words } = require('../../i18n')

function back() {
  if (getCurrentPages().length > 1) wx.navigateBack()
  else wx.reLaunch({ url: '/pages/index/index' })
}

/** Why the room was left (emedia onConferenceExit reason, and the failure's code). */
function exitText(t, reason, code) {
  if (reason === 2) return t.removed
  if (reason === 10) return t.otherDevice
  if (reason === 11) return t.ended
  if (reason === 4 && code === -9527) return t.networkLost
  return t.failed
}

/** Why a join was refused (the server's code). */
function joinText(t, code) {
  if (code === -9527) return t.serverUnreachable
  if (code === -508) return t.wrongPassword
  if (code === -301 || code === -302) return t.noSuchMeeting
  if (code === -522 || code === -523) return t.meetingFull
  if (code === -100 || code === -101) return t.notAllowed
  return t.failed + ' (' + code + ')'
}

Page({
  data: {
    ready: false,
    lang: 'zh',
    host: '',
    userId: '',
    roomName: '',
    confrId: '',
    password: '',
    nickName: '',
    mic: true,
    camera: true,
    soundMode: '',
    template: 'grid',
    beauty: 0,
    minBitrate: 200,
    maxBitrate: 600,
    theme: 'auto',
  },

  onLoad(options) {
    const decoded = (k) => (options[k] ? decodeURIComponent(options[k]) : '')
    const roomName = decoded('roomName')
    const confrId = decoded('confrId')
    this.t = words()
    this.setData(
      Object.assign(app.roomOptions(), {
        ready: !!(roomName || confrId),
        lang: lang(),
        userId: app.userId(),
        roomName,
        confrId,
        password: decoded('password'),
        nickName: decoded('nickName') || app.loadSettings().nickName,
        mic: options.mic !== '0',
        camera: options.camera !== '0',
        soundMode: decoded('soundMode'),
      }),
    )
    wx.setNavigationBarTitle({ title: roomName || this.t.appName })
  },

  onExit(e) {
    const detail = e.detail || {}
    if (detail.reason === 0) return back()
    wx.showModal({
      title: this.t.left,
      content: exitText(this.t, detail.reason, detail.code),
      showCancel: false,
      complete: back,
    })
  },

  onError(e) {
    const detail = e.detail || {}
    if (detail.action !== 'join' && detail.action !== 'configure') return
    // A wrong password: back to the join screen, which asks for it.
    if (detail.code === -508) {
      wx.redirectTo({
        url:
          '/pages/index/index?askPassword=1&' +
          (this.data.roomName
            ? 'roomName=' + encodeURIComponent(this.data.roomName)
            : 'confrId=' + encodeURIComponent(this.data.confrId)),
      })
      return
    }
    wx.showModal({
      title: this.t.cannotJoin,
      content: joinText(this.t, detail.code),
      showCancel: false,
      complete: back,
    })
  },

  // The room's card (its id and name, never the password), opening the join screen, and this
  // demo's server.
  onShareAppMessage() {
    const card = this.selectComponent('#room').shareData()
    return {
      title: card.title,
      path: card.path + '&server=' + encodeURIComponent(this.data.host),
    }
  },
})
