// The call: little more than <conference-room>. It turns the room's exit and error events into
// words a user understands, and shares an invite to the same room.
const app = getApp()

const EXIT_TEXT = {
  2: '你已被移出会议 You were removed from the conference',
  3: '对方忙 Busy',
  5: '不支持 Not supported',
  10: '你的账号在其他设备加入了会议 You joined from another device',
  11: '会议已结束 The conference was closed',
}

const FAILED_TEXT = {
  '-9527': '网络中断 The network was lost',
  '-500': '票据无效 Invalid ticket',
  '-502': '票据过期 Ticket expired',
  '-504': '成员身份已失效 Membership no longer valid',
  '-508': '会议无效或密码错误 Invalid conference or wrong password',
  '-510': '服务器限制 Server limit',
}

const JOIN_HINT = {
  '-100': '身份令牌无效，检查服务器的令牌配置 Token refused: check the server token setup',
  '-101': '没有权限 No rights',
  '-301': '会议不存在 No such conference',
  '-302': '会议已解散 The conference was disbanded',
  '-508': '密码错误 Wrong password',
  '-522': '会议人数已满 The conference is full',
  '-523': '发言人数已满 Too many talkers',
  '-9527':
    '连不上服务器：检查服务器地址、手机与电脑在同一局域网、开发者工具已勾选「不校验合法域名」。Cannot reach the server: check the address, the LAN, and "do not verify domain" in DevTools.',
}

function back() {
  if (getCurrentPages().length > 1) wx.navigateBack()
  else wx.reLaunch({ url: '/pages/index/index' })
}

function exitText(reason, code) {
  if (reason === 4) return FAILED_TEXT[String(code)] || '失败 Failed (' + code + ')'
  return EXIT_TEXT[reason] || '已离开会议 You left (' + reason + ')'
}

Page({
  data: {
    ready: false,
    host: '',
    userId: '',
    roomName: '',
    confrId: '',
    password: '',
    nickName: '',
    template: 'grid',
    beauty: 0,
    minBitrate: 200,
    maxBitrate: 600,
  },

  onLoad(options) {
    const settings = app.loadSettings()
    const server = options.server ? decodeURIComponent(options.server) : settings.server
    if (options.server) app.saveSettings({ server })
    const roomName = options.roomName ? decodeURIComponent(options.roomName) : ''
    const confrId = options.confrId ? decodeURIComponent(options.confrId) : ''
    this.setData({
      ready: !!(roomName || confrId),
      host: server,
      userId: app.userId(),
      roomName,
      confrId,
      password: options.password ? decodeURIComponent(options.password) : '',
      nickName: settings.nickName,
      template: settings.template,
      beauty: settings.beauty,
      minBitrate: settings.minBitrate,
      maxBitrate: settings.maxBitrate,
    })
    wx.setNavigationBarTitle({ title: roomName || confrId || '会议 Conference' })
    if (!roomName && !confrId) wx.showToast({ title: '缺少房间 No room given', icon: 'none' })
  },

  onJoin(e) {
    // Kept for the invite when we came in by room name.
    this.joinedConfrId = e.detail.confrId
  },

  onExit(e) {
    const detail = e.detail || {}
    if (detail.reason === 0) return back()
    wx.showModal({
      title: '已离开会议 Left the conference',
      content: exitText(detail.reason, detail.code),
      showCancel: false,
      complete: back,
    })
  },

  onError(e) {
    const detail = e.detail || {}
    if (detail.action === 'join' || detail.action === 'configure') {
      wx.showModal({
        title: '无法加入 Cannot join',
        content: (JOIN_HINT[String(detail.code)] || detail.message) + ' (' + detail.code + ')',
        showCancel: false,
        complete: back,
      })
      return
    }
    wx.showToast({ title: detail.message || 'error ' + detail.code, icon: 'none' })
  },

  // The room's card (its id and name, never the password), and this demo's server.
  onShareAppMessage() {
    const card = this.selectComponent('#room').shareData()
    return { title: card.title, path: card.path + '&server=' + encodeURIComponent(this.data.host) }
  },
})
