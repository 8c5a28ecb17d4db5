// One remote stream: a live-player in RTC mode bound to that stream's play URL. It feeds its
// events into the store and keeps playback alive: replay with backoff on -2301, re-create the
// native component when no media shows within STALL_TIMEOUT_MS, a fresh play URL after that.
import { netInfoAlive, type NetInfo } from '../../store/media-policy'
import { KitComponent } from '../common/component'
import { qualityLevel } from '../common/net-quality'
import { Recovery } from '../common/recovery'
import { bindStore, storeOf, tileFields, type StoreHost } from '../common/store-fields'

const recoveries = new WeakMap<object, Recovery>()

KitComponent({
  externalClasses: ['label-class'],
  properties: {
    /** The tile (store.tileIds): a remote stream's id, or a member's with no stream yet. */
    tileId: { type: String, value: '' },
    /** Size in rpx: a native component with no explicit size renders black. */
    width: { type: Number, value: 375 },
    height: { type: Number, value: 500 },
    /** false: keep the tile but no live-player (off-page tiles: decoders are scarce). */
    active: { type: Boolean, value: true },
  },
  // Bound from the store, one reaction per field: a mute sends { aoff } and nothing else.
  data: {
    memberId: '',
    kind: 'camera',
    name: '',
    url: '',
    voff: 1,
    aoff: 1,
    speaking: false,
    /** The name tag's sound meter, 0–4 bars. */
    soundLevel: 0,
    key: '',
    /** Network-quality bars ('' until the first netstatus): qualityLevel of the store's score. */
    level: '',
    /** live-player sound-mode (speaker | ear) and this tile muted on this phone only. */
    soundMode: 'speaker',
    localMute: false,
  },
  storeBindings: bindStore(
    tileFields([
      'memberId',
      'kind',
      'name',
      'url',
      'voff',
      'aoff',
      'speaking',
      'soundLevel',
      'key',
    ]),
    {
      level(this: StoreHost) {
        return qualityLevel(storeOf(this).tileOf(this.data.tileId ?? '')?.quality || 0)
      },
      soundMode(this: StoreHost) {
        return storeOf(this).screen.soundMode
      },
      localMute(this: StoreHost) {
        return storeOf(this).screen.localMutes.has(this.data.tileId ?? '')
      },
    },
  ),
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
    /** Our store's media part (players report there). */
    media() {
      return this.store().media
    },
    /** Made on first use: the store bindings set data (and fire observers) before attached. */
    recovery(): Recovery {
      let recovery = recoveries.get(this)
      if (!recovery) {
        recovery = new Recovery(
          {
            retry: () => this.replay(),
            remount: () => this.media().remount(this.data.tileId),
            refresh: () => void this.media().refreshPlayUrl(this.data.tileId),
          },
          this.media().stallTimeoutMs,
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
      const action = this.media().onPlayerState(this.data.tileId, Number(e.detail.code))
      if (action === 'playing') this.recovery().healthy()
      else if (action === 'replay') this.recovery().failed()
    },
    onNetStatus(e: WechatMiniprogram.CustomEvent<{ info: NetInfo }>) {
      const info = e.detail.info || {}
      this.media().onPlayerNetStatus(this.data.tileId, info)
      if (netInfoAlive(info)) this.recovery().healthy()
    },
    onVolume(e: WechatMiniprogram.CustomEvent<{ volume: number }>) {
      this.media().onVolume(this.data.tileId, Number(e.detail.volume))
    },
  },
})
