// What the tiles report from their live-pusher / live-player (the state is kept in
// media-state.ts), and what they ask for when a native component is stuck.
import type { ConferenceStore } from './conference'
import { coreOf } from './core'
import type { PlayerAction, PusherAction } from './media-policy'
import type { NetInfo } from './media-state'
import { refreshPlayUrl } from './roster'
import type { PermissionDenied } from './types'

/** Methods of ConferenceStore (mixed in by conference.ts). */
export class ComponentEvents {
  onPusherState(this: ConferenceStore, code: number): PusherAction {
    return this.media.onPusherState(code)
  }

  onPusherNetStatus(this: ConferenceStore, info: NetInfo): void {
    this.media.onPusherNetStatus(info)
  }

  onPusherError(this: ConferenceStore, errCode: number, errMsg = ''): void {
    this.media.onPusherError(errCode, errMsg)
  }

  /** A permission check outside the pusher (wx.authorize before publishing) was refused. */
  setPermissionDenied(this: ConferenceStore, kind: PermissionDenied): void {
    this.media.setPermissionDenied(kind)
  }

  /** The user granted what was refused (after wx.openSetting): re-create the pusher. */
  clearPermissionDenied(this: ConferenceStore): void {
    this.media.setPermissionDenied('')
    this.media.remountPusher()
  }

  onPlayerState(this: ConferenceStore, memberId: string, code: number): PlayerAction {
    const streamId = this.streamIdByMember.get(memberId)
    return streamId ? this.media.onPlayerState(streamId, code) : 'none'
  }

  onPlayerNetStatus(this: ConferenceStore, memberId: string, info: NetInfo): void {
    const streamId = this.streamIdByMember.get(memberId)
    if (streamId) this.media.onPlayerNetStatus(streamId, info)
  }

  /** audiovolumenotify of a pusher or a player. */
  onVolume(this: ConferenceStore, memberId: string, volume: number): void {
    this.media.onVolume(memberId, volume)
  }

  /** Re-create a tile's native component (it is black or stuck). */
  remount(this: ConferenceStore, memberId: string): void {
    if (this.self && memberId === this.self.id) return this.media.remountPusher()
    const streamId = this.streamIdByMember.get(memberId)
    if (streamId) this.media.remountPlayer(streamId)
  }

  /** A fresh play URL for a member's stream (the one held was refused or expired). */
  refreshPlayUrl(this: ConferenceStore, memberId: string): Promise<boolean> {
    return refreshPlayUrl(coreOf(this), memberId)
  }

  /** The page was hidden / shown (pageLifetimes): the pusher pauses and resumes. */
  setBackground(this: ConferenceStore, hidden: boolean): void {
    this.media.setBackground(hidden)
  }
}
