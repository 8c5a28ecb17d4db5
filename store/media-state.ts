// Our publishing state and the playback state of each remote stream, as live-pusher and
// live-player report them. No SDK here: the conference store owns the membership and calls these
// actions; the tiles' events arrive through it.
import { makeAutoObservable, observable } from 'mobx-miniprogram'
import {
  PERMISSION_ERRORS,
  SPEAKING_VOLUME,
  STALL_TIMEOUT_MS,
  netInfoAlive,
  playerAction,
  pusherAction,
  type PlayerAction,
  type PusherAction,
} from './media-policy'
import type { KitError, LocalMedia, PermissionDenied, Playback, PlayState } from './types'

export interface PusherOptions {
  beauty?: number
  whiteness?: number
  minBitrate?: number
  maxBitrate?: number
  aspect?: '3:4' | '9:16'
  waitingImage?: string
}

/** The bitrates of a netstatus event (the kit reads only these). */
export interface NetInfo {
  videoBitrate?: number
  audioBitrate?: number
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
  }
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(n)))
}

type Report = (error: Omit<KitError, 'action'>, action: string) => void

export class MediaState {
  local: LocalMedia = defaultLocal()
  /** streamId → playback of that remote stream. */
  readonly plays = observable.map<string, Playback>({}, { deep: false })
  /** memberId → speaking (audiovolumenotify above SPEAKING_VOLUME). */
  readonly speaking = observable.map<string, boolean>()
  permissionDenied: PermissionDenied = ''
  /** How long a tile waits for media before it re-creates its native component. */
  stallTimeoutMs = STALL_TIMEOUT_MS

  private lastSwitchAt = -Infinity

  constructor(private readonly report: Report) {
    makeAutoObservable<MediaState, 'report' | 'lastSwitchAt'>(
      this,
      { report: false, lastSwitchAt: false, stallTimeoutMs: false },
      { autoBind: true },
    )
  }

  // ---- our pusher ----

  setPusherOptions(options: PusherOptions): void {
    const local = this.local
    if (options.beauty !== undefined) local.beauty = clamp(options.beauty, 0, 9)
    if (options.whiteness !== undefined) local.whiteness = clamp(options.whiteness, 0, 9)
    if (options.minBitrate !== undefined) local.minBitrate = options.minBitrate
    if (options.maxBitrate !== undefined) local.maxBitrate = options.maxBitrate
    if (options.aspect !== undefined) local.aspect = options.aspect
    if (options.waitingImage !== undefined) local.waitingImage = options.waitingImage
  }

  switchCamera(now: number): boolean {
    if (now - this.lastSwitchAt < SWITCH_GUARD_MS) return false
    this.lastSwitchAt = now
    this.local.devicePosition = this.local.devicePosition === 'front' ? 'back' : 'front'
    return true
  }

  setBackground(hidden: boolean): void {
    this.local.background = hidden
  }

  published(streamId: string, pushUrl: string, remount = false): void {
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

  remountPusher(): void {
    this.local.mountKey += 1
  }

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
      this.report({ code, message: DEVICE_FAILURES[code] ?? `live-pusher ${code}` }, 'pusher')
    }
    return action
  }

  /** netstatus with media flowing counts as pushing (state events can be missed). */
  onPusherNetStatus(info: NetInfo): void {
    if (this.local.pushUrl && this.local.pushState !== 'pushing' && netInfoAlive(info)) {
      this.local.pushState = 'pushing'
    }
  }

  onPusherError(errCode: number, errMsg = ''): void {
    const denied = PERMISSION_ERRORS[errCode]
    if (denied) this.permissionDenied = denied
    this.report({ code: errCode, message: errMsg || `live-pusher error ${errCode}` }, 'pusher')
  }

  setPermissionDenied(kind: PermissionDenied): void {
    this.permissionDenied = kind
  }

  // ---- remote players ----

  /** A stream to play (new, or announced again with another URL). */
  addPlayback(streamId: string, url: string): void {
    const play = this.plays.get(streamId)
    if (!play) this.plays.set(streamId, { url, state: 'loading', lastCode: 0, mountKey: 0 })
    else if (url && url !== play.url) this.setPlayUrl(streamId, url)
  }

  /** A fresh URL: the player is re-created on it. */
  setPlayUrl(streamId: string, url: string): void {
    const play = this.plays.get(streamId)
    if (play)
      this.plays.set(streamId, { url, state: 'loading', lastCode: 0, mountKey: play.mountKey + 1 })
  }

  dropPlayback(streamId: string): void {
    this.plays.delete(streamId)
  }

  remountPlayer(streamId: string): void {
    const play = this.plays.get(streamId)
    if (play) this.plays.set(streamId, { ...play, state: 'loading', mountKey: play.mountKey + 1 })
  }

  onPlayerState(streamId: string, code: number): PlayerAction {
    const action = playerAction(code)
    const play = this.plays.get(streamId)
    if (!play) return action
    const next: Partial<Record<PlayerAction, PlayState>> = {
      playing: 'playing',
      retrying: 'retrying',
      replay: 'failed',
    }
    const state = next[action] ?? play.state
    if (state !== play.state || code !== play.lastCode) {
      this.plays.set(streamId, { ...play, state, lastCode: code })
    }
    return action
  }

  /** netstatus with media flowing counts as playing (some devices never send 2003/2004 in RTC). */
  onPlayerNetStatus(streamId: string, info: NetInfo): void {
    const play = this.plays.get(streamId)
    if (play && play.state !== 'playing' && netInfoAlive(info)) {
      this.plays.set(streamId, { ...play, state: 'playing' })
    }
  }

  /** Only a change between speaking and silent is stored (the events come every few 100 ms). */
  onVolume(memberId: string, volume: number): void {
    const speaking = volume >= SPEAKING_VOLUME
    if ((this.speaking.get(memberId) ?? false) !== speaking) this.speaking.set(memberId, speaking)
  }

  forgetMember(memberId: string): void {
    this.speaking.delete(memberId)
  }

  /** The conference ended: no stream to push or play. */
  clear(): void {
    this.plays.clear()
    this.speaking.clear()
    this.local.pushUrl = ''
    this.local.streamId = ''
    this.local.pushState = 'idle'
  }
}
