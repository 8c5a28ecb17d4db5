// <conference-room>: a whole multi-party call. It joins with its properties, lays the members out
// with <member-grid>, offers a control bar (or a `controls` slot), keeps the screen on, survives
// the page going to the background, and re-emits what happens as component events.
import { ComponentWithStore } from 'mobx-miniprogram-bindings'
import { Role, type RoleValue } from '../../sdk/protocol'
import { localFields, storeFields, storeOf, storeHub } from '../common/store'
import { PERMISSION_TEXT, openMediaSettings, requestMediaPermission } from './permission'

const subscriptions = new WeakMap<object, Array<() => void>>()

ComponentWithStore({
  options: { styleIsolation: 'isolated', multipleSlots: true },
  properties: {
    /** Which registered store to use (registerStore); 'default' is the store on the default emedia. */
    storeKey: { type: String, value: 'default' },
    /** Signalling server, e.g. wss://meet.example.com (emedia.config host). */
    host: { type: String, value: '' },
    /** User token minted by your backend; or userId alone with a development-mode server. */
    token: { type: String, value: '' },
    userId: { type: String, value: '' },
    /** The room: a name (created when missing), or confrId + password, or confrId + ticket. */
    roomName: { type: String, value: '' },
    confrId: { type: String, value: '' },
    password: { type: String, value: '' },
    ticket: { type: String, value: '' },
    /** The role to ask for: 7 admin, 3 talker, 1 audience; 0: the server's default (talker, or
     * admin for the creator). The server may grant less. */
    role: { type: Number, value: 0 },
    nickName: { type: String, value: '' },
    /** grid | 1v1 | speaker */
    template: { type: String, value: 'grid' },
    autoJoin: { type: Boolean, value: true },
    autoPublish: { type: Boolean, value: true },
    beauty: { type: Number, value: 0 },
    whiteness: { type: Number, value: 0 },
    minBitrate: { type: Number, value: 200 },
    maxBitrate: { type: Number, value: 600 },
    aspect: { type: String, value: '3:4' },
    /** Image shown to the others while this phone is in the background. */
    waitingImage: { type: String, value: '' },
    /** Height of the video area in rpx. */
    gridHeight: { type: Number, value: 1000 },
    /** true: render the `controls` slot instead of the built-in control bar. */
    customControls: { type: Boolean, value: false },
  },
  data: {
    status: 'idle',
    canPublish: false,
    permissionDenied: '',
    micOn: true,
    cameraOn: true,
    permissionText: '',
  },
  storeBindings: {
    store: storeHub,
    fields: {
      ...storeFields(['status', 'canPublish', 'permissionDenied']),
      ...localFields(['micOn', 'cameraOn']),
    },
    actions: [],
  },
  observers: {
    permissionDenied(kind: '' | 'camera' | 'microphone') {
      const text = kind ? PERMISSION_TEXT[kind] : ''
      if (text !== this.data.permissionText) this.setData({ permissionText: text })
    },
  },
  lifetimes: {
    attached() {
      const store = this.store()
      subscriptions.set(this, [
        store.on('join', ({ conference, self }) =>
          this.triggerEvent('join', {
            confrId: conference.confrId,
            memberId: self?.id ?? '',
            role: self?.role,
          }),
        ),
        store.on('exit', (detail) => this.triggerEvent('exit', detail)),
        store.on('memberjoin', (detail) => this.triggerEvent('memberjoin', detail)),
        store.on('memberexit', (detail) => this.triggerEvent('memberexit', detail)),
        store.on('error', (detail) => this.triggerEvent('error', detail)),
      ])
      wx.setKeepScreenOn({ keepScreenOn: true })
      const d = this.data
      store.setPusherOptions({
        beauty: d.beauty,
        whiteness: d.whiteness,
        minBitrate: d.minBitrate,
        maxBitrate: d.maxBitrate,
        aspect: d.aspect === '9:16' ? '9:16' : '3:4',
        waitingImage: d.waitingImage,
      })
      store.setAutoPublish(d.autoPublish)
      if (d.autoJoin) void this.join()
    },
    detached() {
      for (const off of subscriptions.get(this) ?? []) off()
      subscriptions.delete(this)
      wx.setKeepScreenOn({ keepScreenOn: false })
      const store = this.store()
      store.setBackground(false)
      void store.leave()
    },
  },
  pageLifetimes: {
    hide() {
      this.store().setBackground(true)
    },
    show() {
      const store = this.store()
      store.setBackground(false)
      // The membership was lost while we were away (network, grace window): join again.
      if (store.needsRejoin) void store.rejoin()
    },
  },
  methods: {
    store() {
      return storeOf(this, storeHub)
    },
    /** Joins with the properties (called on attach unless auto-join is false). */
    async join(): Promise<boolean> {
      const d = this.data
      const store = this.store()
      store.configure({ host: d.host, token: d.token, userId: d.userId })
      if (d.autoPublish && d.role !== Role.AUDIENCE) {
        const denied = await requestMediaPermission()
        if (denied) store.setPermissionDenied(denied)
      }
      const nickName = d.nickName || undefined
      const role = d.role ? (d.role as RoleValue) : undefined
      if (d.confrId && d.ticket)
        return store.joinWithTicket(d.confrId, d.ticket, { nickName, role })
      if (d.confrId) return store.joinById(d.confrId, d.password, { nickName, role })
      if (d.roomName) {
        return store.joinRoom({
          roomName: d.roomName,
          password: d.password,
          role,
          config: nickName ? { nickName } : {},
        })
      }
      this.triggerEvent('error', {
        code: -400,
        message: 'conference-room: set room-name, or confr-id with password or ticket',
        action: 'join',
      })
      return false
    },
    toggleMic() {
      return this.store().toggleMic()
    },
    toggleCamera() {
      return this.store().toggleCamera()
    },
    switchCamera() {
      return this.store().switchCamera()
    },
    hangUp() {
      return this.store().leave()
    },
    async openSetting() {
      if (await openMediaSettings()) this.store().clearPermissionDenied()
    },
  },
})
