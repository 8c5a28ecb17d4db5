// Our own camera: a live-pusher in RTC mode bound to the store's push URL. It feeds its events
// into the store and keeps the push alive: restart with backoff on -1307 / 3001–3005, re-create
// the native component when no media shows within STALL_TIMEOUT_MS, a fresh URL after that.
import { ComponentWithStore } from 'mobx-miniprogram-bindings'
import { localFields, storeOf, tileFields, storeHub } from '../common/store'
import { netInfoAlive } from '../../store/media-policy'
import { defaultLocal } from '../../store/media-state'
import { Recovery } from '../common/recovery'

interface Runtime {
  recovery: Recovery
  /** WeChat stopped the push (5000/5001): restart once the page is visible. */
  suspended: boolean
  /** The page is hidden (last value seen of the store's `background`). */
  hidden: boolean
  /** start() was called on the current push URL. */
  started: boolean
}
const runtimes = new WeakMap<object, Runtime>()

ComponentWithStore({
  options: { styleIsolation: 'isolated' },
  properties: {
    storeKey: { type: String, value: 'default' },
    /** Size in rpx: a native component with no explicit size renders black. */
    width: { type: Number, value: 375 },
    height: { type: Number, value: 500 },
  },
  // Bound from the store (storeBindings below); the store's defaults for the first render.
  data: { ...defaultLocal(), name: '', speaking: false },
  storeBindings: {
    store: storeHub,
    fields: {
      ...localFields([
        'pushUrl',
        'micOn',
        'cameraOn',
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
      ...tileFields(['name', 'speaking'], true),
    },
    actions: [],
  },
  observers: {
    'pushUrl, mountKey'(pushUrl: string) {
      const rt = this.runtime()
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
    background(hidden: boolean) {
      const rt = this.runtime()
      // Observers also fire on the first binding: act on a change only.
      if (hidden === rt.hidden) return
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
      const rt = runtimes.get(this)
      rt?.recovery.stop()
      if (rt?.started) wx.createLivePusherContext().stop({})
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
          recovery: new Recovery(
            {
              retry: () => this.restart(),
              remount: () => this.store().remount(this.store().self?.id ?? ''),
              refresh: () => void this.store().refreshPushUrl(),
            },
            this.store().stallTimeoutMs,
          ),
        }
        runtimes.set(this, rt)
      }
      return rt
    },
    store() {
      return storeOf(this, storeHub)
    },
    start() {
      if (!this.data.pushUrl || this.data.background) return
      wx.createLivePusherContext().start({})
      this.runtime().started = true
      this.runtime().recovery.watch()
    },
    restart() {
      const ctx = wx.createLivePusherContext()
      ctx.stop({ complete: () => ctx.start({}) })
    },
    onStateChange(e: WechatMiniprogram.CustomEvent<{ code: number; message?: string }>) {
      const rt = this.runtime()
      const action = this.store().onPusherState(Number(e.detail.code))
      if (action === 'pushing') rt.recovery.healthy()
      else if (action === 'restart') rt.recovery.failed()
      else if (action === 'suspended') {
        rt.recovery.stop()
        rt.suspended = true
        // Android 5001 can come while the page stays visible: restart then too.
        if (!this.data.background) rt.recovery.failed()
      }
    },
    onNetStatus(
      e: WechatMiniprogram.CustomEvent<{ info: { videoBitrate?: number; audioBitrate?: number } }>,
    ) {
      const info = e.detail.info || {}
      this.store().onPusherNetStatus(info)
      if (netInfoAlive(info)) this.runtime().recovery.healthy()
    },
    onError(e: WechatMiniprogram.CustomEvent<{ errCode: number; errMsg?: string }>) {
      this.store().onPusherError(Number(e.detail.errCode), e.detail.errMsg)
    },
    onVolume(e: WechatMiniprogram.CustomEvent<{ volume: number }>) {
      const selfId = this.store().self?.id
      if (selfId) this.store().onVolume(selfId, Number(e.detail.volume))
    },
  },
})
