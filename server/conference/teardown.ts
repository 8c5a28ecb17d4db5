// How members and conferences end: one member with everything it owns, a whole conference, and
// the timer that ends a conference left empty. Together because each leads to the other.
import { ErrorCode, ExitReason, type MemberExitCause } from 'miniprogram-conference-protocol'
import { announceExited, stopCounting } from './announce'
import { handsChanged } from './hands-news'
import { type ConferenceState, type MemberState } from './state'
import { type ExitNotice, type ServiceContext } from './context'
import { send } from './sending'
import { removeStream } from './streams'

/**
 * Remove a member and everything it owns. `notice` goes to the member itself; the others get
 * memberExited, unless the whole conference is ending (cause 'destroyed': they all go).
 */
export function removeMember(
  ctx: ServiceContext,
  conf: ConferenceState,
  member: MemberState,
  cause: MemberExitCause,
  notice?: ExitNotice,
) {
  const tellOthers = cause !== 'destroyed'
  if (conf.members.get(member.id) !== member) return
  if (member.graceTimer) clearTimeout(member.graceTimer)
  for (const s of conf.streamsOf(member.id)) removeStream(ctx, conf, s, tellOthers)
  for (const sessionId of member.playSessions.keys()) ctx.media.closeSession(sessionId)
  const handUp = conf.meeting.hands.has(member.id)
  conf.deleteMember(member)
  if (handUp && tellOthers) handsChanged(conf, member.id)
  if (notice) send(member, 'conferenceExit', { confrId: conf.id, ...notice })
  member.peer?.left(conf.id)
  member.peer = null
  if (tellOthers) announceExited(conf, conf.memberView(member), cause)
  ctx.log.info({ confrId: conf.id, memberId: member.id, cause }, 'member left')
  ctx.emit('member-left', conf, member)
  scheduleEndIfEmpty(ctx, conf)
}

/** End a conference: everyone still in it gets conferenceExit(11). */
export function endConference(ctx: ServiceContext, conf: ConferenceState, why: string) {
  if (ctx.conferences.get(conf.id) !== conf) return
  const notice = {
    reason: ExitReason.CLOSED,
    failed: ErrorCode.CONFERENCE_DISBANDED,
    message: why,
  }
  for (const m of [...conf.members.values()]) removeMember(ctx, conf, m, 'destroyed', notice)
  forget(ctx, conf)
  ctx.log.info({ confrId: conf.id, why }, 'conference ended')
  ctx.emit('conference-end', conf)
}

export function scheduleEndIfEmpty(ctx: ServiceContext, conf: ConferenceState) {
  if (conf.members.size > 0 || conf.emptyTimer) return
  conf.emptyTimer = setTimeout(() => {
    conf.emptyTimer = null
    if (conf.members.size === 0) endConference(ctx, conf, 'empty')
  }, ctx.config.graceMs)
  conf.emptyTimer.unref()
}

/**
 * Cluster: stop hosting a conference here, as it is (another node hosts it from now on): timers
 * stop, its media on this engine is cut, and nobody is told; members resume on the new host.
 */
export function releaseConference(ctx: ServiceContext, conf: ConferenceState) {
  if (ctx.conferences.get(conf.id) !== conf) return
  for (const m of conf.members.values()) {
    if (m.graceTimer) clearTimeout(m.graceTimer)
    m.graceTimer = null
    for (const sessionId of m.playSessions.keys()) ctx.media.closeSession(sessionId)
    m.playSessions.clear()
    m.peer = null
  }
  for (const s of conf.streams.values()) {
    if (s.publishSession) ctx.media.closeSession(s.publishSession)
    s.publishSession = null
  }
  forget(ctx, conf)
  ctx.log.info({ confrId: conf.id }, 'conference handed over')
  ctx.emit('conference-released', conf)
}

/** This node holds the conference no more: its timers stop, its names are dropped. */
function forget(ctx: ServiceContext, conf: ConferenceState) {
  if (conf.emptyTimer) clearTimeout(conf.emptyTimer)
  conf.emptyTimer = null
  stopCounting(conf)
  ctx.conferences.delete(conf.id)
  if (conf.name !== undefined && ctx.byRoom.get(conf.name) === conf.id) ctx.byRoom.delete(conf.name)
}
