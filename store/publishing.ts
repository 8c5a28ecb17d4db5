// Our own stream: publishing it, and the mic / camera state the others are told about. The
// pusher's state itself is in media-state.ts.
import { action } from 'mobx-miniprogram'
import { ErrorCode, type Stream } from '../sdk/protocol'
import type { ConferenceStore } from './conference'
import { coreOf, type Core } from './core'
import { fail, reject } from './errors'

/** Methods of ConferenceStore (mixed in by conference.ts). */
export class PublishActions {
  async publish(this: ConferenceStore): Promise<boolean> {
    const c = coreOf(this)
    if (!this.canPublish) {
      return reject(c, 'publish', 'this role cannot publish', ErrorCode.NO_RIGHTS)
    }
    this.local.wantPublish = true
    if (this.local.streamId || c.publishing) return true
    c.publishing = true
    this.local.pushState = 'starting'
    // Published with the current mic / camera state, so that nobody sees a muted mic as live.
    const media = { voff: this.local.cameraOn ? 0 : 1, aoff: this.local.micOn ? 0 : 1 } as const
    let published: { rtmp: string; streamId: string; stream: Stream }
    try {
      published = (await c.emedia.mgr.pubStream(c.emedia.util.getRtcId(), media)).data
    } catch (err) {
      publishFailed(c, err)
      return false
    }
    applyPublished(c, published.stream?.id ?? published.streamId, published.rtmp)
    // Toggled while pubStream was on its way: report the difference.
    const { micOn, cameraOn } = this.local
    let ok = true
    if (micOn !== (media.aoff === 0)) ok = (await reportMedia(c, 'audio', micOn)) && ok
    if (cameraOn !== (media.voff === 0)) ok = (await reportMedia(c, 'video', cameraOn)) && ok
    return ok
  }

  async unpublish(this: ConferenceStore): Promise<boolean> {
    const c = coreOf(this)
    const streamId = this.local.streamId
    this.media.stopped(false)
    if (!streamId) return true
    try {
      await c.emedia.mgr.unpubStream(streamId)
      return true
    } catch (err) {
      return fail(c, 'unpublish', err)
    }
  }

  /** A fresh push URL (the old one was refused or expired) for the same stream: the others keep
   * their tile (pubStream is idempotent). */
  async refreshPushUrl(this: ConferenceStore): Promise<boolean> {
    const c = coreOf(this)
    const streamId = this.local.streamId
    const own = c.emedia.mgr.getPublished().find((p) => p.stream.id === streamId)
    if (!own) return this.publish()
    this.media.stopped(true)
    try {
      const { data } = await c.emedia.mgr.pubStream(own.stream.rtcId)
      applyPublished(c, data.streamId, data.rtmp)
      return true
    } catch (err) {
      publishFailed(c, err)
      return false
    }
  }

  /** Mic on/off; reported to the others (pauseAudio / resumeAudio) when publishing. */
  toggleMic(this: ConferenceStore, on: boolean = !this.local.micOn): Promise<boolean> {
    this.local.micOn = on
    return reportMedia(coreOf(this), 'audio', on)
  }

  /** Camera on/off; reported to the others (pauseVideo / resumeVideo) when publishing. */
  toggleCamera(this: ConferenceStore, on: boolean = !this.local.cameraOn): Promise<boolean> {
    this.local.cameraOn = on
    return reportMedia(coreOf(this), 'video', on)
  }

  /** Front/back camera. A second tap within 600 ms is ignored (the camera is still switching). */
  switchCamera(this: ConferenceStore, now: number = Date.now()): boolean {
    return this.media.switchCamera(now)
  }
}

// The helpers below run after an await, outside the action that started the call: each is an
// action of its own, one batch for the components' bindings (as when they were store methods).

const publishFailed = action('publishFailed', (c: Core, err: unknown): void => {
  c.publishing = false
  c.store.local.pushState = 'failed'
  fail(c, 'publish', err)
})

const applyPublished = action('applyPublished', (c: Core, streamId: string, rtmp: string) => {
  c.publishing = false
  c.store.media.published(streamId, rtmp)
})

/** Tells the others (pause / resume) while we publish; nothing to tell otherwise. */
const reportMedia = action(
  'reportMedia',
  async (c: Core, kind: 'audio' | 'video', on: boolean): Promise<boolean> => {
    const streamId = c.store.local.streamId
    if (!streamId) return true
    const mgr = c.emedia.mgr
    try {
      if (kind === 'audio') await (on ? mgr.resumeAudio(streamId) : mgr.pauseAudio(streamId))
      else await (on ? mgr.resumeVideo(streamId) : mgr.pauseVideo(streamId))
      return true
    } catch (err) {
      return fail(c, kind === 'audio' ? 'toggleMic' : 'toggleCamera', err)
    }
  },
)
