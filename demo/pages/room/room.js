// The call: little more than <conference-room>, with what the join screen chose. It turns the
// room's exit and error events into words a user understands, and shares a card that opens the
// join screen on the same meeting (and this demo's server).
const app = getApp()
const { lang, words } = require('../../i18n')
const { ErrorCode, ExitReason } = require('miniprogram-conference-kit')

function back() {
  if (getCurrentPages().length > 1) wx.navigateBack()
  else wx.reLaunch({ url: '/pages/index/index' })
}

/** Why the room was left (emedia onConferenceExit reason, and the failure's code). */
function exitText(t, reason, code) {
  if (reason === ExitReason.REFUSED) return t.removed
  if (reason === ExitReason.OTHER_DEVICE) return t.otherDevice
  if (reason === ExitReason.CLOSED) return t.ended
  if (reason === ExitReason.FAILED && code === ErrorCode.NETWORK) return t.networkLost
  return t.failed
}

/** Why a join was refused (the server's code). */
function joinText(t, code) {
  switch (code) {
    case ErrorCode.NETWORK:
      return t.serverUnreachable
    case ErrorCode.WRONG_PASSWORD:
      return t.wrongPassword
    case ErrorCode.NO_SUCH_CONFERENCE:
    case ErrorCode.CONFERENCE_DISBANDED:
      return t.noSuchMeeting
    case ErrorCode.TOO_MANY_MEMBERS:
    case ErrorCode.TOO_MANY_TALKERS:
      return t.meetingFull
    case ErrorCode.TOKEN:
    case ErrorCode.NO_RIGHTS:
      return t.notAllowed
    default:
      return t.failed + ' (' + code + ')'
  }
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
    if (detail.reason === ExitReason.HANGUP) return back()
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
    if (detail.code === ErrorCode.WRONG_PASSWORD) {
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
