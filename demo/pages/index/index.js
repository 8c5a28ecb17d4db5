// Start page: server, nickname, then create a conference, join a room by name, or join by id +
// password. Creating goes through the SDK (createConference); joining happens on the room page.
const app = getApp()
const emedia = require('miniprogram-conference-kit')

function roomUrl(params) {
  const query = Object.keys(params)
    .filter((k) => params[k] !== undefined && params[k] !== '')
    .map((k) => k + '=' + encodeURIComponent(params[k]))
    .join('&')
  return '/pages/room/room?' + query
}

Page({
  data: {
    server: '',
    nickName: '',
    roomName: '',
    confrId: '',
    password: '',
    creating: false,
  },

  onLoad(options) {
    const settings = app.loadSettings()
    this.setData({
      server: options.server ? decodeURIComponent(options.server) : settings.server,
      nickName: settings.nickName,
      roomName: options.roomName ? decodeURIComponent(options.roomName) : '',
    })
  },

  onInput(e) {
    this.setData({ [e.currentTarget.dataset.field]: e.detail.value.trim() })
  },

  // A bad server address is the commonest reason for "cannot join": say so before trying.
  ready() {
    if (!/^wss?:\/\/[^/]+/.test(this.data.server)) {
      wx.showModal({
        title: '服务器地址 Server',
        content:
          '请填写 ws://<局域网IP>:8080/ws 或 wss://你的域名/ws\nEnter ws://<LAN IP>:8080/ws or wss://your.domain/ws',
        showCancel: false,
      })
      return false
    }
    app.saveSettings({ server: this.data.server, nickName: this.data.nickName })
    return true
  },

  joinRoom() {
    if (!this.ready()) return
    if (!this.data.roomName) return wx.showToast({ title: '请输入房间名 Room name', icon: 'none' })
    wx.navigateTo({
      url: roomUrl({ roomName: this.data.roomName, password: this.data.password }),
    })
  },

  joinById() {
    if (!this.ready()) return
    if (!this.data.confrId) return wx.showToast({ title: '请输入会议 ID', icon: 'none' })
    wx.navigateTo({ url: roomUrl({ confrId: this.data.confrId, password: this.data.password }) })
  },

  create() {
    if (!this.ready() || this.data.creating) return
    const settings = app.loadSettings()
    this.setData({ creating: true })
    Promise.resolve()
      .then(() => emedia.config({ host: this.data.server, userId: app.userId() }))
      .then(() =>
        emedia.mgr.createConference(
          emedia.ConfrType.COMMUNICATION,
          this.data.password,
          settings.rec,
          settings.recMerge,
        ),
      )
      .then((confr) => {
        this.setData({ confrId: confr.confrId })
        wx.navigateTo({ url: roomUrl({ confrId: confr.confrId, password: this.data.password }) })
      })
      .catch((err) => {
        wx.showModal({
          title: '创建失败 Create failed',
          content: (err && err.message) + ' (' + (err && err.code) + ')',
          showCancel: false,
        })
      })
      .then(() => this.setData({ creating: false }))
  },

  openSettings() {
    wx.navigateTo({ url: '/pages/settings/settings' })
  },

  // The invite carries the room and the server, so a friend lands in the same room.
  onShareAppMessage() {
    const d = this.data
    const room = d.roomName
      ? { roomName: d.roomName }
      : d.confrId
        ? { confrId: d.confrId, password: d.password }
        : null
    if (!room) return { title: '多人音视频 Conference', path: '/pages/index/index' }
    return {
      title: '邀请你加入会议 ' + (d.roomName || d.confrId),
      path: roomUrl(Object.assign({ server: d.server }, room)),
    }
  },
})
