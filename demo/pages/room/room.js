// The call: little more than <conference-room>, with what the join screen chose (an invitation
// credential from a shared card among it). It turns the room's exit and error events into words a
// user understands, and shares a card that opens the join screen on the same meeting, with the
// meeting's invitation credential and this demo's server.
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
    case ErrorCode.CONFERENCE_LOCKED:
      return t.meetingLocked
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
    invitation: '',
    sharePath: '/pages/index/index',
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
    const invitation = decoded('invite')
    this.t = words()
    const chosen = app.roomOptions()
    this.setData(
      Object.assign(chosen, {
        ready: !!(roomName || confrId || invitation),
        lang: lang(),
        userId: app.userId(),
        roomName,
        confrId,
        password: decoded('password'),
        invitation,
        // The card opens the join screen, and this demo's server with it.
        sharePath: '/pages/index/index?server=' + encodeURIComponent(chosen.host),
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
    // The card's credential refused (expired, or not this server's): say so, then the join
    // screen on the same meeting without it (its ID may still let us in).
    const refusedInvite =
      detail.code === ErrorCode.TICKET_EXPIRED || detail.code === ErrorCode.TICKET_INVALID
    if (this.data.invitation && refusedInvite) {
      wx.showModal({
        title: this.t.cannotJoin,
        content:
          detail.code === ErrorCode.TICKET_EXPIRED ? this.t.inviteExpired : this.t.inviteInvalid,
        showCancel: false,
        complete: () => wx.redirectTo({ url: this.joinScreen() }),
      })
      return
    }
    // A wrong password: back to the join screen, which asks for it.
    if (detail.code === ErrorCode.WRONG_PASSWORD) {
      wx.redirectTo({ url: this.joinScreen() + '&askPassword=1' })
      return
    }
    wx.showModal({
      title: this.t.cannotJoin,
      content: joinText(this.t, detail.code),
      showCancel: false,
      complete: back,
    })
  },

  /** The join screen on this meeting (by name, else by ID). */
  joinScreen() {
    return (
      '/pages/index/index?' +
      (this.data.roomName
        ? 'roomName=' + encodeURIComponent(this.data.roomName)
        : 'confrId=' + encodeURIComponent(this.data.confrId))
    )
  },

  // The room's card (share-path: the join screen and this demo's server; then the meeting's id,
  // name and invitation credential, never the password). While the credential is still coming,
  // the card carries WeChat's `promise` of the card with it.
  onShareAppMessage() {
    return this.selectComponent('#room').shareData()
  },
})
