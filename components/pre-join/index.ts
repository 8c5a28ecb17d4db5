// <pre-join>: the screen before the call, as meeting apps show it — my camera's preview (a
// live-pusher with no URL: it previews, it does not push), my name, and the microphone, camera
// and speaker switches; 加入会议 hands the choices to the page (`join`), which opens the room with
// them (<conference-room mic camera sound-mode nick-name>). The camera and the microphone are
// asked for when switched on (WeChat's privacy step first, <privacy-sheet>); a refusal shows on
// its switch, and the switch then opens the settings page.
import { KitComponent } from '../common/component'
import { authorize, openMediaSettings } from '../common/permission'
import { startCameraPreview, stopCameraPreview } from '../common/preview'
import { onSystemTheme, themeFor } from '../common/theme'
import { saveSoundMode, savedSoundMode } from '../common/sound-route'

const stops = new WeakMap<object, () => void>()

KitComponent({
  properties: {
    /** The meeting being joined, shown above the name. */
    roomTitle: { type: String, value: '' },
    /** The name to start with. */
    nickName: { type: String, value: '' },
    /** The switches to start with. */
    mic: { type: Boolean, value: true },
    camera: { type: Boolean, value: true },
    /** dark | light | auto (WeChat's dark mode). */
    theme: { type: String, value: 'dark' },
    /** The page is joining: the button waits. */
    busy: { type: Boolean, value: false },
    /** Ask for the meeting too (a meeting ID or a room name), as a 加入会议 screen does; `room`
     * is where it starts. */
    askRoom: { type: Boolean, value: false },
    room: { type: String, value: '' },
    /** Ask for the meeting's password (the page knows one is needed, e.g. after -508). */
    askPassword: { type: Boolean, value: false },
  },
  data: {
    name: '',
    roomText: '',
    passwordText: '',
    /** 加入会议 with no meeting (ask-room): say so under the field. */
    roomMissing: false,
    micOn: true,
    cameraOn: true,
    speakerOn: true,
    /** The live-pusher is mounted and previewing. */
    previewing: false,
    devicePosition: 'front',
    /** Refused in WeChat's settings: the switch opens them. */
    micDenied: false,
    cameraDenied: false,
    themeName: 'dark',
    /** 加入会议 with no name: say so under the field. */
    nameMissing: false,
  },
  observers: {
    theme(theme: string) {
      this.setData({ themeName: themeFor(theme) })
    },
  },
  lifetimes: {
    attached() {
      const d = this.data
      this.setData({
        name: d.nickName,
        roomText: d.room,
        micOn: d.mic,
        cameraOn: d.camera,
        speakerOn: savedSoundMode() !== 'ear',
      })
      stops.set(
        this,
        onSystemTheme(() => {
          if (this.data.theme === 'auto') this.setData({ themeName: themeFor('auto') })
        }),
      )
      if (d.camera) void this.startPreview()
      if (d.mic) void this.askMic()
    },
    detached() {
      stops.get(this)?.()
      this.stopPreview()
    },
  },
  methods: {
    /** Camera allowed: mount the live-pusher, then preview on it (the next tick: it exists). */
    async startPreview(): Promise<boolean> {
      if (!(await authorize('scope.camera'))) {
        this.setData({ cameraOn: false, cameraDenied: true, previewing: false })
        return false
      }
      if (!this.data.cameraOn) return false
      this.setData({ cameraDenied: false, previewing: true })
      startCameraPreview(() => this.data.previewing)
      return true
    },
    stopPreview() {
      if (!this.data.previewing) return
      stopCameraPreview()
      this.setData({ previewing: false })
    },
    async askMic(): Promise<boolean> {
      const granted = await authorize('scope.record')
      this.setData(granted ? { micDenied: false } : { micOn: false, micDenied: true })
      return granted
    },
    async openSettings() {
      if (await openMediaSettings()) {
        this.setData({ micDenied: false, cameraDenied: false })
      }
    },
    onName(e: WechatMiniprogram.Input) {
      this.setData({ name: e.detail.value, nameMissing: false })
    },
    onRoom(e: WechatMiniprogram.Input) {
      this.setData({ roomText: e.detail.value, roomMissing: false })
    },
    onPassword(e: WechatMiniprogram.Input) {
      this.setData({ passwordText: e.detail.value })
    },
    toggleMic() {
      if (this.data.micDenied) return void this.openSettings()
      const micOn = !this.data.micOn
      this.setData({ micOn })
      if (micOn) void this.askMic()
    },
    toggleCamera() {
      if (this.data.cameraDenied) return void this.openSettings()
      const cameraOn = !this.data.cameraOn
      this.setData({ cameraOn })
      if (cameraOn) void this.startPreview()
      else this.stopPreview()
    },
    toggleSpeaker() {
      const speakerOn = !this.data.speakerOn
      this.setData({ speakerOn })
      const mode = speakerOn ? 'speaker' : 'ear'
      this.store().screen.setSoundMode(mode)
      saveSoundMode(mode)
    },
    switchCamera() {
      if (!this.data.previewing) return
      this.setData({
        devicePosition: this.data.devicePosition === 'front' ? 'back' : 'front',
      })
    },
    /** Hands the choices to the page; the preview stops (the room's pusher takes the camera). */
    join() {
      const d = this.data
      const nickName = d.name.trim()
      const room = d.roomText.trim()
      const roomMissing = d.askRoom && !room
      if (!nickName || roomMissing) {
        this.setData({ nameMissing: !nickName, roomMissing })
        return
      }
      if (d.busy) return
      this.stopPreview()
      this.triggerEvent('join', {
        nickName,
        mic: d.micOn,
        camera: d.cameraOn,
        soundMode: d.speakerOn ? 'speaker' : 'ear',
        ...(d.askRoom ? { room } : {}),
        ...(d.askPassword ? { password: d.passwordText } : {}),
      })
    },
  },
})
