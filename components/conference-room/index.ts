// <conference-room>: a whole multi-party call, laid out as meeting apps are. A top bar (the room,
// opening its info sheet; the call's clock, head count and my network; speaker / earpiece and
// camera flip; 离开 with a confirmation sheet), the members by <member-grid>, and a control bar
// (静音 · 视频 · 成员 · 聊天, 举手 for the audience · 更多) or a `controls` slot. It joins with its
// properties, keeps the screen on, survives the page going to the background, and re-emits what
// happens as component events. 成员 and 聊天 open the meeting's panels (<member-panel>, with
// <hand-queue> for an admin; <chat-panel>) or the page's (`custom-panels`: slots); 举手 raises
// the hand through store.meeting; <meeting-prompts> is over the video.
import {
  Role,
  canPublish,
  type ConfrTypeValue,
  type RoleValue,
} from 'miniprogram-conference-protocol'
import { KitComponent } from '../common/component'
import { qualityLevel } from '../common/net-quality'
import {
  bindStore,
  localFields,
  mediaFields,
  meetingFields,
  screenFields,
  sessionFields,
  storeOf,
  type StoreHost,
} from '../common/store-fields'
import { onSystemTheme, themeFor } from '../common/theme'
import { formatElapsed } from './clock'
import { currentPagePath, inviteText, shareData, type RoomInfo, type ShareCard } from './invite'
import { openMediaSettings, requestMediaPermission } from '../common/permission'
import { saveSoundMode, savedSoundMode } from '../common/sound-route'

/** What each room has running: store subscriptions, the clock, WeChat's theme. */
const subscriptions = new WeakMap<object, Array<() => void>>()
const clocks = new WeakMap<object, ReturnType<typeof setInterval>>()
/** Rooms detached: a store binding's update may still land (the next tick), and starts no clock. */
const gone = new WeakSet<object>()

/** The room publishes once in: auto-publish on, and the role asked for may publish (0: the
 * server's default, talker or admin). */
function willPublish(autoPublish: boolean, role: number): boolean {
  return autoPublish && (role === 0 || canPublish(role as RoleValue))
}

type Sheet = '' | 'info' | 'leave' | 'more' | 'tile'
type Panel = '' | 'members' | 'chat'

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
    /** The room: a name (created when missing), or confrId + password, or confrId + ticket, or
     * an invitation credential (a shared card's `invite`: it names its conference). */
    roomName: { type: String, value: '' },
    confrId: { type: String, value: '' },
    password: { type: String, value: '' },
    ticket: { type: String, value: '' },
    invitation: { type: String, value: '' },
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
    /** grid | 1v1 | speaker: the layout to start with (更多 › 布局 changes it). */
    template: { type: String, value: 'grid' },
    autoJoin: { type: Boolean, value: true },
    autoPublish: { type: Boolean, value: true },
    /** The microphone and the camera as the call starts (a join screen's switches). */
    mic: { type: Boolean, value: true },
    camera: { type: Boolean, value: true },
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
    /** dark | light | auto (follows WeChat's dark mode): the room's palette. */
    theme: { type: String, value: 'dark' },
    /** true: render the `controls` slot instead of the built-in control bar. */
    customControls: { type: Boolean, value: false },
    /** false: no top bar (the page shows the room its own way). */
    topBar: { type: Boolean, value: true },
    /** true: the members and chat panels hold the `members` / `chat` slots instead of the
     * meeting's <member-panel> and <chat-panel>. */
    customPanels: { type: Boolean, value: false },
    /** 'speaker' | 'ear': where the others' sound comes out to start with; empty: what this phone
     * chose last time (the loudspeaker at first). */
    soundMode: { type: String, value: '' },
    /** The page a shared card opens (default: the room's own page). */
    sharePath: { type: String, value: '' },
  },
  data: {
    status: 'idle',
    canPublish: false,
    isAdmin: false,
    permissionDenied: '',
    micOn: true,
    cameraOn: true,
    /** The pusher's beauty level now (the `beauty` property is where it starts). */
    beautyLevel: 0,
    micBlocked: false,
    cameraBlocked: false,
    /** The permission card was closed ("not now"); the blocked control opens it again. */
    permissionDismissed: false,
    /** My role as granted (0 before the join: the asked-for `role` decides). */
    selfRole: 0,
    /** Without publishing rights: 举手 instead of 静音 and 视频. */
    audience: false,
    roomTitle: '',
    /** The conference joined (the `confr-id` property is the one asked for). */
    joinedConfrId: '',
    roomPassword: '',
    headCount: 0,
    since: 0,
    elapsed: '',
    /** My network bars ('' before any netstatus). */
    myLevel: '',
    activeSoundMode: 'speaker',
    localMirror: 'auto',
    remoteMirror: false,
    themeName: 'dark',
    /** The layout shown (starts as `template`; 更多 › 布局 changes it). */
    layout: 'grid',
    /** The sheet open over the room: room info, leave, more, one tile's. */
    sheet: '' as Sheet,
    /** The tile sheet's tile (a long press on it), its name, and whether this phone mutes it. */
    tileId: '',
    tileName: '',
    tileMuted: false,
    /** The panel open over the room: the members or the chat (the meeting's, or the page's slots). */
    panel: '' as Panel,
    /** My hand is up; chat messages arrived while the chat was closed (store.meeting). */
    handRaised: false,
    unread: 0,
    /** Joining, to publish with the camera on: my camera shows where my tile will be. */
    joinPreview: false,
    /** The server would issue us an invitation credential (store.meeting.canInvite). */
    canInvite: false,
  },
  storeBindings: bindStore(
    sessionFields(['status', 'canPublish', 'isAdmin']),
    mediaFields(['permissionDenied']),
    localFields(['micOn', 'cameraOn']),
    screenFields(['headCount', 'since', 'localMirror', 'remoteMirror']),
    meetingFields(['handRaised', 'unread', 'canInvite']),
    {
      beautyLevel(this: StoreHost) {
        return storeOf(this).media.local.beauty
      },
      activeSoundMode(this: StoreHost) {
        return storeOf(this).screen.soundMode
      },
      selfRole(this: StoreHost) {
        return storeOf(this).session.self?.role ?? 0
      },
      myLevel(this: StoreHost) {
        const store = storeOf(this)
        const id = store.session.self?.id
        return qualityLevel((id && store.tileOf(id)?.quality) || 0)
      },
      roomTitle(this: StoreHost & { data: { roomName?: string } }) {
        const conference = storeOf(this).session.conference
        return conference?.name || this.data.roomName || conference?.confrId || ''
      },
      joinedConfrId(this: StoreHost) {
        return storeOf(this).session.conference?.confrId ?? ''
      },
      roomPassword(this: StoreHost) {
        return storeOf(this).session.conference?.password ?? ''
      },
    },
  ),
  observers: {
    'selfRole, role'(selfRole: number, role: number) {
      const audience = selfRole ? !canPublish(selfRole as RoleValue) : role === Role.AUDIENCE
      if (audience !== this.data.audience) this.setData({ audience })
    },
    'status, cameraOn, cameraBlocked, role, autoPublish'(
      status: string,
      cameraOn: boolean,
      cameraBlocked: boolean,
      role: number,
      autoPublish: boolean,
    ) {
      const joinPreview =
        status === 'joining' && willPublish(autoPublish, role) && cameraOn && !cameraBlocked
      if (joinPreview !== this.data.joinPreview) this.setData({ joinPreview })
    },
    template(template: string) {
      this.setData({ layout: template })
    },
    theme(theme: string) {
      this.setData({ themeName: themeFor(theme) })
    },
    since(since: number) {
      this.runClock(since)
    },
    // The share card's credential is asked for as soon as we may have one (the join, an unlock, a
    // promotion to admin), not when the card is shared: the top-right menu's share asks the page's
    // onShareAppMessage synchronously, and a card shared then should already carry it. The store
    // renews the day-long credential at half its life, so a card always has half a day to run.
    canInvite(canInvite: boolean) {
      if (canInvite) void this.store().meeting.keepInvitation()
    },
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
      const d0 = this.data
      store.screen.setSoundMode(
        d0.soundMode === 'ear' || d0.soundMode === 'speaker' ? d0.soundMode : savedSoundMode(),
      )
      subscriptions.set(this, [
        onSystemTheme(() => {
          if (this.data.theme === 'auto') this.setData({ themeName: themeFor('auto') })
        }),
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
      gone.add(this)
      this.runClock(0)
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
      // Published as chosen before the call (the store reports a change once publishing).
      void store.media.toggleMic(d.mic)
      void store.media.toggleCamera(d.camera)
      // Only a room that will publish needs the camera.
      if (willPublish(d.autoPublish, d.role)) {
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
      if (d.invitation) return session.joinWithInvitation(d.invitation, { nickName, role })
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
        message: 'conference-room: set room-name, invitation, or confr-id with password or ticket',
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
    /** Leaves the meeting (it goes on for the others). */
    hangUp(): Promise<boolean> {
      this.setData({ sheet: '' })
      return this.store().session.leave()
    },
    /** Ends the meeting for everyone (the host; the server refuses anyone else). */
    async endMeeting(): Promise<boolean> {
      this.setData({ sheet: '' })
      return this.store().session.destroy()
    },
    /** Starts (since > 0) or stops the clock of the top bar: a tick a second, sent on change. */
    runClock(since: number) {
      const running = clocks.get(this)
      if (running) clearInterval(running)
      clocks.delete(this)
      if (gone.has(this)) return
      const tick = () => {
        const elapsed = since ? formatElapsed(Date.now() - since) : ''
        if (elapsed !== this.data.elapsed) this.setData({ elapsed })
      }
      tick()
      if (since) clocks.set(this, setInterval(tick, 1000))
    },
    // ---- the top bar ----
    openInfo() {
      this.setData({ sheet: 'info' })
    },
    openLeave() {
      this.setData({ sheet: 'leave' })
    },
    closeSheet() {
      this.setData({ sheet: '' })
    },
    toggleSoundMode() {
      saveSoundMode(this.store().screen.toggleSoundMode())
    },
    roomInfo(): RoomInfo {
      const d = this.data
      const conference = this.store().session.conference
      return {
        title: d.roomTitle,
        confrId: d.joinedConfrId,
        roomName: conference?.name || d.roomName,
        password: d.roomPassword,
      }
    },
    /**
     * For the page's onShareAppMessage: a card that opens this room (see README), carrying the
     * invitation credential when one is held. While it is still being created (or renewed) the
     * card names the room only, with a `promise` of the card with it: WeChat (base library
     * 2.12.0+) shares what that resolves to if it comes within 3 s, else the card itself.
     */
    shareData(): ShareCard {
      const { t, sharePath } = this.data
      const room = this.roomInfo()
      const path = sharePath || currentPagePath()
      const meeting = this.store().meeting
      const held = meeting.cardInvitation()
      const card = shareData(t, room, path, held)
      if (held || !meeting.canInvite) return card
      return {
        ...card,
        promise: meeting.keepInvitation().then((invite) => shareData(t, room, path, invite)),
      }
    },
    copyNumber() {
      wx.setClipboardData({ data: this.data.joinedConfrId, fail: () => {} })
    },
    copyInvite() {
      wx.setClipboardData({ data: inviteText(this.data.t, this.roomInfo()), fail: () => {} })
    },
    /** The share button (open-type="share") was tapped: WeChat now asks the page's
     * onShareAppMessage, which returns shareData(). */
    onShare() {
      const { title, path } = this.shareData()
      this.triggerEvent('share', { title, path })
      this.setData({ sheet: '' })
    },
    // ---- the control bar ----
    openMembers() {
      this.setData({ panel: 'members', sheet: '' })
      this.triggerEvent('open-members')
    },
    openChat() {
      this.setData({ panel: 'chat', sheet: '' })
      this.triggerEvent('open-chat')
    },
    closePanel() {
      this.setData({ panel: '' })
    },
    /** 举手 / 手放下 through the meeting store; the event tells the page which. */
    raiseHand(): Promise<boolean> {
      const raised = !this.data.handRaised
      this.triggerEvent('raise-hand', { raised })
      return this.store().meeting.toggleHand()
    },
    openMore() {
      this.setData({ sheet: 'more' })
    },
    // ---- a tile (long press) ----
    openTile(e: WechatMiniprogram.CustomEvent<{ tileId: string }>) {
      const { tileId } = e.detail
      const store = this.store()
      this.setData({
        sheet: 'tile',
        tileId,
        tileName: store.tileOf(tileId)?.name ?? '',
        tileMuted: store.screen.localMutes.has(tileId),
      })
    },
    /** Stops (or resumes) playing that tile on this phone only; nothing is sent. */
    toggleLocalMute() {
      const screen = this.store().screen
      screen.setLocalMute(this.data.tileId)
      this.setData({ tileMuted: screen.localMutes.has(this.data.tileId) })
    },
    invite() {
      this.setData({ sheet: 'info' })
    },
    toggleLayout() {
      const layout = this.data.layout === 'speaker' ? 'grid' : 'speaker'
      this.setData({ layout })
      this.triggerEvent('layout-change', { template: layout })
    },
    /** Beauty on (the `beauty` level asked for, 5 without one) or off. */
    toggleBeauty() {
      const level = this.data.beautyLevel ? 0 : this.data.beauty || 5
      this.store().media.setPusherOptions({ beauty: level })
    },
    /** My camera mirrored on my screen (the front camera's default) or not. */
    toggleMirror() {
      const screen = this.store().screen
      screen.setLocalMirror(screen.localMirror === 'disable' ? 'auto' : 'disable')
    },
    /** The others see my camera mirrored or not (live-pusher remote-mirror; off by default). */
    toggleRemoteMirror() {
      const screen = this.store().screen
      screen.setRemoteMirror(!screen.remoteMirror)
    },
    /** true when both camera and microphone are granted on return from the settings page. */
    async openSetting(): Promise<boolean> {
      const granted = await openMediaSettings()
      if (granted) this.store().media.clearPermissionDenied()
      return granted
    },
  },
})
