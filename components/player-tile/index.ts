// One remote member: a live-player in RTC mode bound to that member's play URL. It feeds its
// events into the store and keeps playback alive: replay with backoff on -2301, re-create the
// native component when no media shows within STALL_TIMEOUT_MS, a fresh play URL after that.
import { ComponentWithStore } from 'mobx-miniprogram-bindings'
import { netInfoAlive } from '../../store/media-policy'
import { storeOf, tileFields, storeHub } from '../common/store'
import { Recovery } from '../common/recovery'

const recoveries = new WeakMap<object, Recovery>()

ComponentWithStore({
  options: { styleIsolation: 'isolated' },
  properties: {
    storeKey: { type: String, value: 'default' },
    memberId: { type: String, value: '' },
    /** Size in rpx: a native component with no explicit size renders black. */
    width: { type: Number, value: 375 },
    height: { type: Number, value: 500 },
    /** false: keep the tile but no live-player (off-page tiles: decoders are scarce). */
    active: { type: Boolean, value: true },
  },
  // Bound from the store, one reaction per field: a mute sends { aoff } and nothing else.
  data: {
    name: '',
    url: '',
    voff: 1,
    aoff: 1,
    speaking: false,
    key: '',
  },
  storeBindings: {
    store: storeHub,
    fields: tileFields(['name', 'url', 'voff', 'aoff', 'speaking', 'key']),
    actions: [],
  },
  observers: {
    'url, key, active'(url: string, _key: string, active: boolean) {
      if (url && active) this.recovery().watch()
      else this.recovery().stop()
    },
  },
  lifetimes: {
    detached() {
      recoveries.get(this)?.stop()
    },
  },
  methods: {
    store() {
      return storeOf(this, storeHub)
    },
    /** Made on first use: the store bindings set data (and fire observers) before attached. */
    recovery(): Recovery {
      let recovery = recoveries.get(this)
      if (!recovery) {
        recovery = new Recovery(
          {
            retry: () => this.replay(),
            remount: () => this.store().remount(this.data.memberId),
            refresh: () => void this.store().refreshPlayUrl(this.data.memberId),
          },
          this.store().stallTimeoutMs,
        )
        recoveries.set(this, recovery)
      }
      return recovery
    },
    replay() {
      if (!this.data.url || !this.data.active) return
      const ctx = wx.createLivePlayerContext('player', this)
      ctx.stop({ complete: () => ctx.play({}) })
    },
    onStateChange(e: WechatMiniprogram.CustomEvent<{ code: number; message?: string }>) {
      const action = this.store().onPlayerState(this.data.memberId, Number(e.detail.code))
      if (action === 'playing') this.recovery().healthy()
      else if (action === 'replay') this.recovery().failed()
    },
    onNetStatus(
      e: WechatMiniprogram.CustomEvent<{ info: { videoBitrate?: number; audioBitrate?: number } }>,
    ) {
      const info = e.detail.info || {}
      this.store().onPlayerNetStatus(this.data.memberId, info)
      if (netInfoAlive(info)) this.recovery().healthy()
    },
    onVolume(e: WechatMiniprogram.CustomEvent<{ volume: number }>) {
      this.store().onVolume(this.data.memberId, Number(e.detail.volume))
    },
  },
})
