// A tile's network-quality bars, as TRTC and ZEGO show them. The store scores each tile's
// live-pusher / live-player netstatus 1 (bad) to 5 (excellent) (netQuality in
// store/media-policy.ts, the one home of that rule); a tile shows three levels of it.

export type NetQuality = '' | 'good' | 'fair' | 'poor'

/** The bars for a store score: '' before any netstatus (0), then poor (1–2), fair (3), good (4–5). */
export function qualityLevel(score: number): NetQuality {
  if (!score) return ''
  return score >= 4 ? 'good' : score === 3 ? 'fair' : 'poor'
}
