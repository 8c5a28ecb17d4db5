// Who hears of a member arriving or leaving. COMMUNICATION types: everyone, the arrivals of one
// turn in one batch (arrivals.ts). LIVE: an AUDIENCE member's arrival or departure goes to the
// stage (ADMIN, TALKER) only, and everyone gets the member count instead, at most once a second
// (slower past 2,500 members) — so a 10,000-member audience does not cost 10,000 frames per
// arrival. HIDING members are announced to nobody.
import {
  ConfrType,
  type Member,
  type MemberExitCause,
  Role,
  type RoleValue,
} from 'miniprogram-conference-protocol'
import { queueArrival } from './arrivals'
import { canPublish, type ConferenceState, type MemberState } from './state'
import { broadcastAll, broadcastOffStage, broadcastStage } from './sending'

/** At most one memberCount frame per conference in this many ms… */
export const COUNT_INTERVAL_MS = 1000
/**
 * …and one more second per this many members: a count is one socket write per member (20–50 µs
 * each on a loaded 2-core box), so a 10,000-member room gets one every 4 s, not a quarter of a
 * core's time spent on counts.
 */
export const COUNT_MEMBERS_PER_SECOND = 2500

function countInterval(conf: ConferenceState): number {
  return COUNT_INTERVAL_MS * Math.max(1, Math.ceil(conf.members.size / COUNT_MEMBERS_PER_SECOND))
}

/** Whether every member hears of a member with `role` coming and going. */
export function toEveryone(conf: ConferenceState, role: RoleValue): boolean {
  return conf.type !== ConfrType.LIVE || canPublish(role)
}

export function announceJoined(conf: ConferenceState, m: MemberState) {
  if (m.role !== Role.HIDING && conf.type !== ConfrType.LIVE) queueArrival(conf, m)
  else if (m.role !== Role.HIDING) {
    const data = { confrId: conf.id, member: conf.memberView(m) }
    if (toEveryone(conf, m.role)) broadcastAll(conf, 'memberJoined', data, m.id)
    else broadcastStage(conf, 'memberJoined', data, m.id)
  }
  countChanged(conf)
}

/** `m` has left (it is no longer in conf.members); `view` as it was. */
export function announceExited(
  conf: ConferenceState,
  view: Member,
  cause: MemberExitCause,
  except?: string,
) {
  if (view.role !== Role.HIDING) {
    const data = { confrId: conf.id, member: view, cause }
    if (toEveryone(conf, view.role)) broadcastAll(conf, 'memberExited', data, except)
    else broadcastStage(conf, 'memberExited', data, except)
  }
  countChanged(conf)
}

/**
 * `m`'s role changed from `before` (neither HIDING): in LIVE, an audience member taken to the
 * stage is now told to everyone, so those who were not told of its arrival hear it now.
 */
export function roleWidened(conf: ConferenceState, m: MemberState, before: RoleValue) {
  if (!toEveryone(conf, before) && toEveryone(conf, m.role)) {
    const data = { confrId: conf.id, member: conf.memberView(m) }
    broadcastOffStage(conf, 'memberJoined', data, m.id)
  }
  countChanged(conf)
}

/** LIVE: the count changed; everyone gets it now or, within the interval of the last, then. */
export function countChanged(conf: ConferenceState) {
  if (conf.type !== ConfrType.LIVE || conf.countTimer) return
  const wait = conf.countSentAt + countInterval(conf) - Date.now()
  if (wait <= 0) return sendCount(conf)
  conf.countTimer = setTimeout(() => {
    conf.countTimer = null
    sendCount(conf)
  }, wait)
  conf.countTimer.unref()
}

/** The conference ended: no count is due any more. */
export function stopCounting(conf: ConferenceState) {
  if (conf.countTimer) clearTimeout(conf.countTimer)
  conf.countTimer = null
}

function sendCount(conf: ConferenceState) {
  conf.countSentAt = Date.now()
  // Read when sent, not when scheduled: the last frame of a burst carries the final figures.
  const data = { confrId: conf.id, members: conf.visibleCount, audience: conf.audienceCount }
  broadcastAll(conf, 'memberCount', data)
}
