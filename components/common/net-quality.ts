// A tile's network quality from its live-pusher / live-player `netstatus` (every ~2 s), shown as
// three bars as TRTC and ZEGO do. WeChat reports no loss or RTT there: frame rate, jitter and
// whether media flows at all are what the phone can tell.

export type NetQuality = '' | 'good' | 'fair' | 'poor'

export interface NetStatusInfo {
  videoBitrate?: number
  audioBitrate?: number
  videoFPS?: number
  netJitter?: number
  netSpeed?: number
}

/** `video`: the member's camera is on (no frames are expected otherwise). */
export function netQuality(info: NetStatusInfo, video: boolean): NetQuality {
  const flowing = (info.videoBitrate ?? 0) + (info.audioBitrate ?? 0) > 0
  const fps = info.videoFPS ?? 0
  const jitter = info.netJitter ?? 0
  if (!flowing || jitter >= 300 || (video && fps < 5)) return 'poor'
  if (jitter >= 100 || (video && fps < 10)) return 'fair'
  return 'good'
}
