// Who hears that hands went up or down, and when: the whole queue after a change, the changes of
// one short window merged into one frame (a room where fifty hands go up at once sends a few
// frames, not fifty). COMMUNICATION types: everyone. LIVE: the stage (ADMIN, TALKER), who run the
// queue, and each member whose own hand changed — the audience is not told of each other.
import { ConfrType } from 'miniprogram-conference-protocol'
import { broadcastAll, broadcastStage, send } from './sending'
import { type ConferenceState } from './state'

/** At most one handsChanged per conference in this many ms. */
export const HANDS_WINDOW_MS = 100

interface Pending {
  timer: NodeJS.Timeout | null
  /** Members whose hand changed in this window. */
  changed: Set<string>
}

const pendingOf = new WeakMap<ConferenceState, Pending>()

/** `memberId`'s hand went up or down: the queue goes out at the end of the window. */
export function handsChanged(conf: ConferenceState, memberId: string) {
  let pending = pendingOf.get(conf)
  if (!pending) pendingOf.set(conf, (pending = { timer: null, changed: new Set() }))
  pending.changed.add(memberId)
  if (pending.timer) return
  const p = pending
  p.timer = setTimeout(() => flush(conf, p), HANDS_WINDOW_MS)
  p.timer.unref()
}

function flush(conf: ConferenceState, pending: Pending) {
  pending.timer = null
  const changed = [...pending.changed]
  pending.changed.clear()
  // Read when sent: the last frame of a burst carries the queue as it is.
  const data = { confrId: conf.id, hands: conf.meeting.handList() }
  if (conf.type !== ConfrType.LIVE) return broadcastAll(conf, 'handsChanged', data)
  broadcastStage(conf, 'handsChanged', data)
  for (const id of changed) {
    const m = conf.members.get(id)
    if (m && !conf.stage.has(m)) send(m, 'handsChanged', data)
  }
}
