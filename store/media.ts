// Media: our publishing (the pusher, mic / camera, publish / unpublish) and the playback of each
// remote stream, as live-pusher and live-player report them. The membership is the session
// store's; it hands each stream it learns of to addPlayback / dropPlayback.
import { makeAutoObservable, observable } from 'mobx-miniprogram'
import { ErrorCode, type HostMute, type Stream } from 'miniprogram-conference-protocol'
import {
  LEVEL_INTERVAL_MS,
  PERMISSION_ERRORS,
  STALL_TIMEOUT_MS,
  netInfoAlive,
  netQuality,
  playerAction,
  pusherAction,
  soundLevel,
  type NetInfo,
  type PlayerAction,
  type PusherAction,
} from './media-policy'
import type { ConferenceStore } from './root'
import type {
  EmediaMgrLike,
  LocalMedia,
  NetQuality,
  PermissionDenied,
  Playback,
  PlayState,
  SoundLevel,
} from './types'

export type { NetInfo }

export interface PusherOptions {
  beauty?: number
  whiteness?: number
  minBitrate?: number
  maxBitrate?: number
  aspect?: '3:4' | '9:16'
  waitingImage?: string
}

const DEVICE_FAILURES: Record<number, string> = {
  [-1301]: 'the camera could not be opened',
  [-1302]: 'the microphone could not be opened',
  [-1305]: 'this device does not support the video resolution',
  [-1306]: 'this device does not support the audio sample rate',
}

/** A second tap on switch-camera within this is ignored (the camera is still switching). */
const SWITCH_GUARD_MS = 600

/** Local media before anything happened (also the pusher tile's first render). */
export function defaultLocal(): LocalMedia {
  return {
    pushUrl: '',
    streamId: '',
    wantPublish: false,
    pushState: 'idle',
    lastCode: 0,
    micOn: true,
    cameraOn: true,
    devicePosition: 'front',
    beauty: 0,
    whiteness: 0,
    minBitrate: 200,
    maxBitrate: 600,
    aspect: '3:4',
    waitingImage: '',
    mountKey: 0,
    background: false,
    cameraDenied: false,
  }
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(n)))
}

export class MediaStore {
  local: LocalMedia = defaultLocal()
  /** streamId → playback of that remote stream. */
  readonly plays = observable.map<string, Playback>({}, { deep: false })
  /** tile id → its sound meter's level (soundLevel of audiovolumenotify); absent or 0: silent,
   * more: speaking. */
  readonly levels = observable.map<string, SoundLevel>()
  /** tile id → network quality from its netstatus events (netQuality in media-policy.ts). */
  readonly quality = observable.map<string, NetQuality>()
  permissionDenied: PermissionDenied = ''
  /** How long a tile waits for media before it re-creates its native component. */
  stallTimeoutMs = STALL_TIMEOUT_MS
  /** Publish as soon as the role allows it (after join, after a promotion). */
  autoPublish = false
  /** A pubStream is on its way. */
  publishing = false

  private lastSwitchAt = -Infinity
  /** tile id → when its level last changed (the meter's rate bound, LEVEL_INTERVAL_MS). */
  private readonly levelAt = new Map<string, number>()

  constructor(private readonly root: ConferenceStore) {
    makeAutoObservable<MediaStore, 'root' | 'lastSwitchAt' | 'levelAt' | 'mgr'>(
      this,
      {
        root: false,
        lastSwitchAt: false,
        levelAt: false,
        stallTimeoutMs: false,
        mgr: false,
        // A read, not an action: tileOf's readers track it.
        isSpeaking: false,
      },
      { autoBind: true },
    )
  }

  private get mgr(): EmediaMgrLike {
    return this.root.sdk.mgr
  }

  // ---- options ----

  setAutoPublish(on: boolean): void {
    this.autoPublish = on
  }

  setPusherOptions(options: PusherOptions): void {
    const local = this.local
    if (options.beauty !== undefined) local.beauty = clamp(options.beauty, 0, 9)
    if (options.whiteness !== undefined) local.whiteness = clamp(options.whiteness, 0, 9)
    if (options.minBitrate !== undefined) local.minBitrate = options.minBitrate
    if (options.maxBitrate !== undefined) local.maxBitrate = options.maxBitrate
    if (options.aspect !== undefined) local.aspect = options.aspect
    if (options.waitingImage !== undefined) local.waitingImage = options.waitingImage
  }

  /** The page was hidden / shown (pageLifetimes): the pusher pauses and resumes. */
  setBackground(hidden: boolean): void {
    this.local.background = hidden
  }

  // ---- publishing ----

  /** The camera as the others see it: on, and not refused. */
  get videoOn(): boolean {
    return this.local.cameraOn && !this.local.cameraDenied
  }

  async publish(): Promise<boolean> {
    if (!this.root.session.canPublish) {
      return this.root.reject('publish', 'this role cannot publish', ErrorCode.NO_RIGHTS)
    }
    this.local.wantPublish = true
    if (this.local.streamId || this.publishing) return true
    this.publishing = true
    this.local.pushState = 'starting'
    // Published with the current mic / camera state, so that nobody sees a muted mic as live.
    const media = { voff: this.videoOn ? 0 : 1, aoff: this.local.micOn ? 0 : 1 } as const
    let published: { rtmp: string; streamId: string; stream: Stream }
    try {
      published = (await this.mgr.pubStream(this.root.sdk.util.getRtcId(), media)).data
    } catch (err) {
      this.publishFailed(err)
      return false
    }
    this.published(published.stream?.id ?? published.streamId, published.rtmp)
    // Toggled while pubStream was on its way: report the difference.
    let ok = true
    if (this.local.micOn !== (media.aoff === 0)) ok = (await this.report('audio')) && ok
    if (this.videoOn !== (media.voff === 0)) ok = (await this.report('video')) && ok
    return ok
  }

  async unpublish(): Promise<boolean> {
    const streamId = this.local.streamId
    this.stopped(false)
    if (!streamId) return true
    try {
      await this.mgr.unpubStream(streamId)
      return true
    } catch (err) {
      return this.root.fail('unpublish', err)
    }
  }

  /** A fresh push URL (the old one was refused or expired) for the same stream: the others keep
   * their tile (pubStream is idempotent). */
  async refreshPushUrl(): Promise<boolean> {
    const streamId = this.local.streamId
    const own = this.mgr.getPublished().find((p) => p.stream.id === streamId)
    if (!own) return this.publish()
    this.stopped(true)
    try {
      const { data } = await this.mgr.pubStream(own.stream.rtcId)
      this.published(data.streamId, data.rtmp)
      return true
    } catch (err) {
      this.publishFailed(err)
      return false
    }
  }

  /** Mic on/off; reported to the others (pauseAudio / resumeAudio) when publishing. Refused
   * (-527) while the host holds it off and does not allow self-unmute. */
  toggleMic(on: boolean = !this.local.micOn): Promise<boolean> {
    if (on && this.root.meeting.micLocked) return this.heldOff('toggleMic', 'microphone')
    this.local.micOn = on
    return this.report('audio')
  }

  /** Camera on/off; reported to the others (pauseVideo / resumeVideo) when publishing. Refused
   * (-527) while the host holds it off and does not allow self-unmute. */
  toggleCamera(on: boolean = !this.local.cameraOn): Promise<boolean> {
    if (on && this.root.meeting.cameraLocked) return this.heldOff('toggleCamera', 'camera')
    this.local.cameraOn = on
    return this.report('video')
  }

  /**
   * The host holds our microphone / camera off: the pusher stops sending it (the server has set
   * our stream's flags already, so the others' players are silent whatever we do).
   */
  applyHostHold(hold: HostMute): void {
    if (hold.audio) this.local.micOn = false
    if (hold.video) this.local.cameraOn = false
  }

  private heldOff(action: string, what: string): Promise<false> {
    return this.root.reject(action, `the host muted your ${what}`, ErrorCode.MUTED_BY_HOST)
  }

  /** Front/back camera. A second tap within 600 ms is ignored (the camera is still switching). */
  switchCamera(now: number = Date.now()): boolean {
    if (now - this.lastSwitchAt < SWITCH_GUARD_MS) return false
    this.lastSwitchAt = now
    this.local.devicePosition = this.local.devicePosition === 'front' ? 'back' : 'front'
    return true
  }

  /** Tells the others the mic / camera state (pause / resume) while we publish. */
  private async report(kind: 'audio' | 'video'): Promise<boolean> {
    const streamId = this.local.streamId
    if (!streamId) return true
    const on = kind === 'audio' ? this.local.micOn : this.videoOn
    const mgr = this.mgr
    try {
      if (kind === 'audio') await (on ? mgr.resumeAudio(streamId) : mgr.pauseAudio(streamId))
      else await (on ? mgr.resumeVideo(streamId) : mgr.pauseVideo(streamId))
      return true
    } catch (err) {
      // Held by the host (its news may still be on the way): the pusher stays off.
      if ((err as { code?: number })?.code === ErrorCode.MUTED_BY_HOST)
        this.applyHostHold({
          audio: kind === 'audio',
          video: kind === 'video',
          allowSelfUnmute: false,
        })
      return this.root.fail(kind === 'audio' ? 'toggleMic' : 'toggleCamera', err)
    }
  }

  private publishFailed(err: unknown): void {
    this.publishing = false
    this.local.pushState = 'failed'
    this.root.fail('publish', err)
  }

  /** Our stream is published (or republished after a reconnect, `remount`: a new pusher). */
  published(streamId: string, pushUrl: string, remount = false): void {
    this.publishing = false
    this.local.streamId = streamId
    this.local.pushUrl = pushUrl
    this.local.pushState = 'starting'
    if (remount) this.local.mountKey += 1
  }

  stopped(keepWanting: boolean): void {
    this.local.wantPublish = keepWanting
    this.local.pushUrl = ''
    this.local.streamId = ''
    this.local.pushState = 'idle'
  }

  // ---- what our live-pusher reports (pusher-tile) ----

  onPusherState(code: number): PusherAction {
    const action = pusherAction(code)
    const local = this.local
    local.lastCode = code
    if (action === 'pushing') local.pushState = 'pushing'
    else if (action === 'progress' && local.pushState !== 'pushing') local.pushState = 'starting'
    else if (action === 'retrying') local.pushState = 'retrying'
    else if (action === 'restart') local.pushState = 'failed'
    else if (action === 'suspended') local.pushState = 'suspended'
    else if (action === 'device') {
      local.pushState = 'failed'
      const message = DEVICE_FAILURES[code] ?? `live-pusher ${code}`
      this.root.fail('pusher', { code, message })
    }
    return action
  }

  /** netstatus: its quality, and media flowing counts as pushing (state events can be missed). */
  onPusherNetStatus(info: NetInfo): void {
    const selfId = this.root.session.self?.id
    if (selfId) this.setQuality(selfId, netQuality(info))
    if (this.local.pushUrl && this.local.pushState !== 'pushing' && netInfoAlive(info)) {
      this.local.pushState = 'pushing'
    }
  }

  /** binderror. A refused camera (10001) leaves the microphone: we go on with audio only. */
  onPusherError(errCode: number, errMsg = ''): void {
    const denied = PERMISSION_ERRORS[errCode]
    if (denied) this.setPermissionDenied(denied)
    this.root.fail('pusher', { code: errCode, message: errMsg || `live-pusher error ${errCode}` })
  }

  /** A permission was refused (live-pusher, or wx.authorize before publishing). */
  setPermissionDenied(kind: PermissionDenied): void {
    this.permissionDenied = kind
    if (kind === 'camera' && !this.local.cameraDenied) {
      this.local.cameraDenied = true
      void this.report('video')
    }
  }

  /** The user granted what was refused (after wx.openSetting): re-create the pusher. */
  clearPermissionDenied(): void {
    this.permissionDenied = ''
    this.local.mountKey += 1
    if (this.local.cameraDenied) {
      this.local.cameraDenied = false
      void this.report('video')
    }
  }

  // ---- remote players, by tile id (a remote tile's id is its stream id) ----

  /** A stream to play (new, or announced again with another URL); one with no URL asks for it. */
  addPlayback(stream: Stream): void {
    const url = stream.rtmp ?? ''
    const play = this.plays.get(stream.id)
    if (!play) this.plays.set(stream.id, { url, state: 'loading', lastCode: 0, mountKey: 0 })
    else if (url && url !== play.url) this.setPlayUrl(stream.id, url)
    if (!url) void this.refreshPlayUrl(stream.id)
  }

  dropPlayback(streamId: string): void {
    this.plays.delete(streamId)
    this.levels.delete(streamId)
    this.levelAt.delete(streamId)
    this.quality.delete(streamId)
  }

  /** A fresh URL: the player is re-created on it. */
  private setPlayUrl(streamId: string, url: string): void {
    const play = this.plays.get(streamId)
    if (play) {
      this.plays.set(streamId, { url, state: 'loading', lastCode: 0, mountKey: play.mountKey + 1 })
    }
  }

  /** A fresh play URL for a stream (the one held was refused or expired). */
  async refreshPlayUrl(tileId: string): Promise<boolean> {
    if (!this.plays.has(tileId)) return false
    try {
      const { data } = await this.mgr.subStream(tileId, { refresh: true })
      this.setPlayUrl(tileId, data.rtmp)
      return true
    } catch (err) {
      return this.root.fail('subscribe', err)
    }
  }

  /** Re-create a tile's native component (it is black or stuck). */
  remount(tileId: string): void {
    if (tileId === this.root.session.self?.id) {
      this.local.mountKey += 1
      return
    }
    const play = this.plays.get(tileId)
    if (play) this.plays.set(tileId, { ...play, state: 'loading', mountKey: play.mountKey + 1 })
  }

  onPlayerState(tileId: string, code: number): PlayerAction {
    const action = playerAction(code)
    const play = this.plays.get(tileId)
    if (!play) return 'none'
    const next: Partial<Record<PlayerAction, PlayState>> = {
      playing: 'playing',
      retrying: 'retrying',
      replay: 'failed',
    }
    const state = next[action] ?? play.state
    if (state !== play.state || code !== play.lastCode) {
      this.plays.set(tileId, { ...play, state, lastCode: code })
    }
    return action
  }

  /** netstatus: its quality, and media flowing counts as playing (some devices never send
   * 2003/2004 in RTC). */
  onPlayerNetStatus(tileId: string, info: NetInfo): void {
    const play = this.plays.get(tileId)
    if (!play) return
    this.setQuality(tileId, netQuality(info))
    if (play.state !== 'playing' && netInfoAlive(info)) {
      this.plays.set(tileId, { ...play, state: 'playing' })
    }
  }

  /** audiovolumenotify of a pusher or a player. Only a change of the meter's level is stored,
   * and one between lit levels at most every LEVEL_INTERVAL_MS (why: media-policy.ts). */
  onVolume(tileId: string, volume: number, now: number = Date.now()): void {
    const level = soundLevel(volume)
    const was = this.levels.get(tileId) ?? 0
    if (level === was) return
    const lit = level > 0 && was > 0
    if (lit && now - (this.levelAt.get(tileId) ?? -Infinity) < LEVEL_INTERVAL_MS) return
    this.levels.set(tileId, level)
    this.levelAt.set(tileId, now)
  }

  /** The tile's member is speaking (its meter is lit). */
  isSpeaking(tileId: string): boolean {
    return (this.levels.get(tileId) ?? 0) > 0
  }

  /** Stored only on a change: netstatus comes every second or two. */
  private setQuality(tileId: string, quality: NetQuality): void {
    if (this.quality.get(tileId) !== quality) this.quality.set(tileId, quality)
  }

  /** The conference ended: no stream to push or play. */
  clear(): void {
    this.plays.clear()
    this.levels.clear()
    this.levelAt.clear()
    this.quality.clear()
    this.publishing = false
    this.local.pushUrl = ''
    this.local.streamId = ''
    this.local.pushState = 'idle'
  }
}
