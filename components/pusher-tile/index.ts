// Our own camera: a live-pusher in RTC mode bound to the store's push URL. It feeds its events
// into the store and keeps the push alive: restart with backoff on -1307 / 3001–3005, re-create
// the native component when no media shows within STALL_TIMEOUT_MS, a fresh URL after that.
import { netInfoAlive, type NetInfo } from '../../store/media-policy'
import { defaultLocal } from '../../store/media'
import { KitComponent } from '../common/component'
import { qualityLevel } from '../common/net-quality'
import { startCameraPreview, stopCameraPreview } from '../common/preview'
import { Recovery } from '../common/recovery'
import {
  bindStore,
  localFields,
  screenFields,
  storeOf,
  tileFields,
  type StoreHost,
} from '../common/store-fields'

interface Runtime {
  recovery: Recovery
  /** WeChat stopped the push (5000/5001): restart once the page is visible. */
  suspended: boolean
  /** The page is hidden (last value seen of the store's `background`). */
  hidden: boolean
  /** start() was called on the current push URL. */
  started: boolean
  /** The camera previews with no push URL (the `preview` property). */
  previewing: boolean
  /**
   * Detached. The pusher context is the page's, not this tile's: a store update still queued
   * when the tile went must not stop or start the pusher of the room that replaced it.
   */
  gone: boolean
}
const runtimes = new WeakMap<object, Runtime>()

KitComponent({
  externalClasses: ['label-class'],
  properties: {
    /** Size in rpx: a native component with no explicit size renders black. */
    width: { type: Number, value: 375 },
    height: { type: Number, value: 500 },
    /** Before there is a push URL (the room joining): show my camera anyway, unpublished. */
    preview: { type: Boolean, value: false },
  },
  // Bound from the store (storeBindings below); the store's defaults for the first render.
  data: {
    ...defaultLocal(),
    name: '',
    speaking: false,
    /** The name tag's sound meter, 0–4 bars. */
    soundLevel: 0,
    /** Network-quality bars ('' until the first netstatus): qualityLevel of the store's score. */
    level: '',
    /** live-pusher local-mirror / remote-mirror: the screen store's choice. */
    localMirror: 'auto',
    remoteMirror: false,
  },
  storeBindings: bindStore(
    localFields([
      'pushUrl',
      'micOn',
      'cameraDenied',
      'devicePosition',
      'beauty',
      'whiteness',
      'minBitrate',
      'maxBitrate',
      'aspect',
      'waitingImage',
      'mountKey',
      'background',
    ]),
    tileFields(['name', 'speaking', 'soundLevel'], true),
    screenFields(['localMirror', 'remoteMirror']),
    {
      // The camera as it works: off when switched off or refused (the push goes on, audio only).
      cameraOn(this: StoreHost) {
        return storeOf(this).media.videoOn
      },
      // The bars shown for the store's 1–5 score of this tile's netstatus.
      level(this: StoreHost) {
        const store = storeOf(this)
        const id = store.session.self?.id
        return qualityLevel((id && store.tileOf(id)?.quality) || 0)
      },
    },
  ),
  observers: {
    'pushUrl, mountKey'(pushUrl: string) {
      const rt = this.runtime()
      if (rt.gone) return
      if (!pushUrl) {
        // Unpublished (or the conference ended): stop a push that was started.
        rt.recovery.stop()
        if (rt.started) wx.createLivePusherContext().stop({})
        rt.started = false
        return
      }
      // The native element of this key is rendered after this setData: start it next tick.
      wx.nextTick(() => this.start())
    },
    'preview, pushUrl, cameraOn, background'() {
      this.followPreview()
    },
    background(hidden: boolean) {
      const rt = this.runtime()
      // Observers also fire on the first binding: act on a change only.
      if (hidden === rt.hidden || rt.gone) return
      rt.hidden = hidden
      if (!this.data.pushUrl) return
      const ctx = wx.createLivePusherContext()
      if (hidden) {
        rt.recovery.stop()
        ctx.pause({})
      } else if (rt.suspended) {
        rt.suspended = false
        this.start()
      } else {
        ctx.resume({})
        rt.recovery.watch()
      }
    },
  },
  lifetimes: {
    detached() {
      const rt = this.runtime()
      rt.recovery.stop()
      if (rt.started) wx.createLivePusherContext().stop({})
      else if (rt.previewing) stopCameraPreview()
      rt.started = false
      rt.previewing = false
      rt.gone = true
    },
  },
  methods: {
    /** Made on first use: the store bindings set data (and fire observers) before attached. */
    runtime(): Runtime {
      let rt = runtimes.get(this)
      if (!rt) {
        rt = {
          suspended: false,
          hidden: false,
          started: false,
          previewing: false,
          gone: false,
          recovery: new Recovery(
            {
              retry: () => this.restart(),
              remount: () => this.store().media.remount(this.store().session.self?.id ?? ''),
              refresh: () => void this.store().media.refreshPushUrl(),
            },
            this.store().media.stallTimeoutMs,
          ),
        }
        runtimes.set(this, rt)
      }
      return rt
    },
    /** The preview runs while asked for, with no push URL and the camera on in the foreground;
     * a push URL's start() takes the camera over from it (no stop: the picture stays). */
    followPreview() {
      const rt = this.runtime()
      const d = this.data
      const wanted = d.preview && !d.pushUrl && d.cameraOn && !d.background && !rt.gone
      if (wanted === rt.previewing) return
      rt.previewing = wanted
      if (wanted) startCameraPreview(() => rt.previewing && !rt.gone)
      else if (!d.pushUrl && !rt.gone) stopCameraPreview()
    },
    start() {
      if (!this.data.pushUrl || this.data.background || this.runtime().gone) return
      wx.createLivePusherContext().start({})
      this.runtime().started = true
      this.runtime().recovery.watch()
    },
    restart() {
      if (this.runtime().gone) return
      const ctx = wx.createLivePusherContext()
      ctx.stop({ complete: () => ctx.start({}) })
    },
    onStateChange(e: WechatMiniprogram.CustomEvent<{ code: number; message?: string }>) {
      const rt = this.runtime()
      const action = this.store().media.onPusherState(Number(e.detail.code))
      if (action === 'pushing') rt.recovery.healthy()
      else if (action === 'restart') rt.recovery.failed()
      else if (action === 'suspended') {
        rt.recovery.stop()
        rt.suspended = true
        // Android 5001 can come while the page stays visible: restart then too.
        if (!this.data.background) rt.recovery.failed()
      }
    },
    onNetStatus(e: WechatMiniprogram.CustomEvent<{ info: NetInfo }>) {
      const info = e.detail.info || {}
      this.store().media.onPusherNetStatus(info)
      if (netInfoAlive(info)) this.runtime().recovery.healthy()
    },
    onError(e: WechatMiniprogram.CustomEvent<{ errCode: number; errMsg?: string }>) {
      this.store().media.onPusherError(Number(e.detail.errCode), e.detail.errMsg)
    },
    onVolume(e: WechatMiniprogram.CustomEvent<{ volume: number }>) {
      const store = this.store()
      const selfId = store.session.self?.id
      if (selfId) store.media.onVolume(selfId, Number(e.detail.volume))
    },
  },
})
