// <conference-room>: a whole multi-party call. It joins with its properties, lays the members out
// with <member-grid>, offers a control bar (or a `controls` slot), keeps the screen on, survives
// the page going to the background, and re-emits what happens as component events.
import { canPublish, type ConfrTypeValue, type RoleValue } from 'miniprogram-conference-protocol'
import { KitComponent } from '../common/component'
import { bindStore, localFields, mediaFields, sessionFields } from '../common/store-fields'
import { openMediaSettings, requestMediaPermission } from './permission'

const subscriptions = new WeakMap<object, Array<() => void>>()

/** What a room created by room-name is set up with: the properties that are set. */
function roomConfig(d: {
  nickName: string
  rec: boolean
  recMerge: boolean
  maxTalkerCount: number
  maxVideoCount: number
  maxAudienceCount: number
}) {
  const limits = (['maxTalkerCount', 'maxVideoCount', 'maxAudienceCount'] as const).filter(
    (k) => d[k] > 0,
  )
  return {
    ...(d.nickName ? { nickName: d.nickName } : {}),
    ...(d.rec ? { rec: true } : {}),
    ...(d.recMerge ? { recMerge: true } : {}),
    ...Object.fromEntries(limits.map((k) => [k, d[k]])),
  }
}

KitComponent({
  options: { multipleSlots: true },
  externalClasses: ['controls-class', 'banner-class'],
  properties: {
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
    /** When the room is created (room-name): 10 COMMUNICATION, 11 COMMUNICATION_MIX, 12 LIVE;
     * 0: the server's default (COMMUNICATION). */
    conferenceType: { type: Number, value: 0 },
    /** When the room is created: record each stream (rec) / one mixed file (rec-merge). */
    rec: { type: Boolean, value: false },
    recMerge: { type: Boolean, value: false },
    /** When the room is created: its limits; 0: the server's default. */
    maxTalkerCount: { type: Number, value: 0 },
    maxVideoCount: { type: Number, value: 0 },
    maxAudienceCount: { type: Number, value: 0 },
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
    /** Height of the video area in rpx; 0: what the control bar leaves of the room's height
     * (--ck-conference-room-height, default 100vh). */
    gridHeight: { type: Number, value: 0 },
    /** dark | light: the control bar's palette (CSS variables override either). */
    theme: { type: String, value: 'dark' },
    /** true: render the `controls` slot instead of the built-in control bar. */
    customControls: { type: Boolean, value: false },
  },
  data: {
    status: 'idle',
    canPublish: false,
    permissionDenied: '',
    micOn: true,
    cameraOn: true,
    micBlocked: false,
    cameraBlocked: false,
    /** The permission card was closed ("not now"); the blocked control opens it again. */
    permissionDismissed: false,
    /** The meeting panel showing: '' | 'members' | 'chat' (openPanel). */
    panel: '',
  },
  storeBindings: bindStore(
    sessionFields(['status', 'canPublish']),
    mediaFields(['permissionDenied']),
    localFields(['micOn', 'cameraOn']),
  ),
  observers: {
    permissionDenied(kind: '' | 'camera' | 'microphone') {
      const micBlocked = kind === 'microphone'
      const cameraBlocked = kind === 'camera'
      if (micBlocked !== this.data.micBlocked || cameraBlocked !== this.data.cameraBlocked) {
        this.setData({ micBlocked, cameraBlocked, permissionDismissed: false })
      }
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
      // A screen that cannot be kept on is no reason to fail the call.
      wx.setKeepScreenOn({ keepScreenOn: true, fail: () => {} })
      const d = this.data
      store.media.setPusherOptions({
        beauty: d.beauty,
        whiteness: d.whiteness,
        minBitrate: d.minBitrate,
        maxBitrate: d.maxBitrate,
        aspect: d.aspect === '9:16' ? '9:16' : '3:4',
        waitingImage: d.waitingImage,
      })
      store.media.setAutoPublish(d.autoPublish)
      if (d.autoJoin) void this.join()
    },
    detached() {
      for (const off of subscriptions.get(this) ?? []) off()
      subscriptions.delete(this)
      wx.setKeepScreenOn({ keepScreenOn: false, fail: () => {} })
      const store = this.store()
      store.media.setBackground(false)
      void store.session.leave()
    },
  },
  pageLifetimes: {
    hide() {
      this.store().media.setBackground(true)
    },
    show() {
      const store = this.store()
      store.media.setBackground(false)
      // The membership was lost while we were away (network, grace window): join again.
      if (store.session.needsRejoin) void store.session.rejoin()
    },
  },
  methods: {
    /** Joins with the properties (called on attach unless auto-join is false). */
    async join(): Promise<boolean> {
      const d = this.data
      const store = this.store()
      store.configure({ host: d.host, token: d.token, userId: d.userId })
      // Only a role that may publish needs the camera (0: the server's default, talker or admin).
      if (d.autoPublish && (d.role === 0 || canPublish(d.role))) {
        const denied = await requestMediaPermission()
        if (denied) store.media.setPermissionDenied(denied)
        // Publish what is allowed: without the mic, video only (a refused camera is the store's
        // own audio-only case).
        if (denied === 'microphone') void store.media.toggleMic(false)
      }
      const nickName = d.nickName || undefined
      const role = d.role ? (d.role as RoleValue) : undefined
      const { session } = store
      if (d.confrId && d.ticket)
        return session.joinWithTicket(d.confrId, d.ticket, { nickName, role })
      if (d.confrId) return session.joinById(d.confrId, d.password, { nickName, role })
      if (d.roomName) {
        return session.joinRoom({
          roomName: d.roomName,
          password: d.password,
          role,
          ...(d.conferenceType ? { type: d.conferenceType as ConfrTypeValue } : {}),
          config: roomConfig(d),
        })
      }
      this.triggerEvent('error', {
        code: -400,
        message: 'conference-room: set room-name, or confr-id with password or ticket',
        action: 'join',
      })
      return false
    },
    /** Blocked in settings: the card explains instead, and nothing is toggled (false). */
    async toggleMic(): Promise<boolean> {
      if (!this.data.micBlocked) return this.store().media.toggleMic()
      this.setData({ permissionDismissed: false })
      return false
    },
    async toggleCamera(): Promise<boolean> {
      if (!this.data.cameraBlocked) return this.store().media.toggleCamera()
      this.setData({ permissionDismissed: false })
      return false
    },
    dismissPermission() {
      this.setData({ permissionDismissed: true })
    },
    /** Taps inside the card stay there (catchtap). */
    noop() {},
    async switchCamera(): Promise<boolean> {
      return this.store().media.switchCamera()
    },
    hangUp(): Promise<boolean> {
      return this.store().session.leave()
    },
    /** Opens the members ('members') or chat ('chat') panel over the call; '' closes it. */
    openPanel(panel: '' | 'members' | 'chat') {
      this.setData({ panel })
    },
    closePanel() {
      this.setData({ panel: '' })
    },
    /** true when both camera and microphone are granted on return from the settings page. */
    async openSetting(): Promise<boolean> {
      const granted = await openMediaSettings()
      if (granted) this.store().media.clearPermissionDenied()
      return granted
    },
  },
})
