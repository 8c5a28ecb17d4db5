// The host's controls (revision 6): muting members or everyone, and the lock. A member the host
// holds muted has its streams' flags set off by the server — every receiver's player follows the
// server's flags, so a client that ignores the order is still not heard — and its own attempt to
// turn them on (setMedia) is refused with -527 unless the host allows self-unmute.
import {
  ErrorCode,
  type HostMute,
  type MemberRef,
  type MuteKinds,
  type Refusal,
  Role,
} from 'miniprogram-conference-protocol'
import { RpcError } from '../rpc-error'
import { type Caller, type P, type R, type ServiceContext } from './context'
import { allRefused, mayActOn, seatOf, targetsOf } from './lookups'
import { type Hold, KINDS } from './meeting-state'
import { broadcastAll, send } from './sending'
import { type ConferenceState, type MemberState, type StreamState } from './state'

const isAdmin = (m: MemberState) => m.role === Role.ADMIN

/** What the host holds `m` to now. */
export const holdOf = (conf: ConferenceState, m: MemberState): HostMute =>
  conf.meeting.holdOf(m.id, isAdmin(m))

const sameHold = (a: HostMute, b: HostMute) =>
  a.audio === b.audio && a.video === b.video && a.allowSelfUnmute === b.allowSelfUnmute

/** The kinds a request names, and its self-unmute: given, else false when it turns a hold on. */
function requested(p: Partial<MuteKinds> & { allowSelfUnmute?: boolean }) {
  const kinds: Partial<MuteKinds> = {}
  for (const k of KINDS) if (p[k] !== undefined) kinds[k] = p[k]
  const holding = KINDS.some((k) => kinds[k] === true)
  return { kinds, allowSelfUnmute: p.allowSelfUnmute ?? (holding ? false : undefined) }
}

export function muteMembers(
  ctx: ServiceContext,
  caller: Caller,
  p: P<'muteMembers'>,
): R<'muteMembers'> {
  const { conf, member: admin } = seatOf(ctx, caller, p.confrId)
  const may = mayActOn(conf, admin)
  const { targets, refused } = targetsOf(conf, p.memberNames, (m) =>
    m === admin ? 'yourself' : may(m) ? null : "the conference's creator",
  )
  return hold(conf, targets, refused, p, admin && conf.memberRef(admin))
}

/** The operator's mute (console, HTTP API): as an admin's, of anyone. */
export function muteAsOperator(
  conf: ConferenceState,
  p: Omit<P<'muteMembers'>, 'confrId'>,
): R<'muteMembers'> {
  const { targets, refused } = targetsOf(conf, p.memberNames, () => null)
  return hold(conf, targets, refused, p)
}

function hold(
  conf: ConferenceState,
  targets: MemberState[],
  refused: Refusal[],
  p: Omit<P<'muteMembers'>, 'confrId' | 'memberNames'>,
  by?: MemberRef,
): R<'muteMembers'> {
  if (targets.length === 0) throw allRefused(refused, ErrorCode.NO_RIGHTS)
  const { kinds, allowSelfUnmute } = requested(p)
  for (const m of targets) {
    const before = holdOf(conf, m)
    const change: Hold = { ...kinds }
    if (allowSelfUnmute !== undefined) change.allowSelfUnmute = allowSelfUnmute
    conf.meeting.setHold(m.id, change)
    holdChanged(conf, m, before, by, true)
  }
  return { muted: targets.map((m) => m.id), ...(refused.length ? { refused } : {}) }
}

export function muteAll(ctx: ServiceContext, caller: Caller, p: P<'muteAll'>): R<'muteAll'> {
  const { conf, member: admin } = seatOf(ctx, caller, p.confrId)
  const { kinds, allowSelfUnmute } = requested(p)
  // Those who may publish are told now; the others when they get the stage (their join reply
  // says it too): a LIVE mute-all costs the audience one frame each, controlsChanged.
  const stage = [...conf.stage]
  const before = stage.map((m) => holdOf(conf, m))
  conf.meeting.setMuteAll(kinds, allowSelfUnmute ?? conf.meeting.muteAll.allowSelfUnmute)
  controlsChanged(conf)
  const by = admin && conf.memberRef(admin)
  stage.forEach((m, i) => holdChanged(conf, m, before[i], by))
  return { muteAll: { ...conf.meeting.muteAll } }
}

export function lockConference(
  ctx: ServiceContext,
  caller: Caller,
  p: P<'lockConference'>,
): R<'lockConference'> {
  const { conf } = seatOf(ctx, caller, p.confrId)
  if (conf.meeting.locked !== p.locked) {
    conf.meeting.locked = p.locked
    controlsChanged(conf)
  }
  return { locked: p.locked }
}

/** -526 for a join into a locked conference, unless the joiner is to be an admin or is in. */
export function checkUnlocked(conf: ConferenceState, role: number, alreadyIn: boolean) {
  if (conf.meeting.locked && role !== Role.ADMIN && !alreadyIn)
    throw new RpcError(
      ErrorCode.CONFERENCE_LOCKED,
      'this conference is locked: only admins may join',
    )
}

function controlsChanged(conf: ConferenceState) {
  const { locked, muteAll } = conf.meeting
  broadcastAll(conf, 'controlsChanged', { confrId: conf.id, locked, muteAll: { ...muteAll } })
}

/**
 * `m`'s hold may have changed from `before` (a mute, mute-all, a new role): its streams follow
 * it, and it is told when it changed (or always, for the host's act on it).
 */
export function holdChanged(
  conf: ConferenceState,
  m: MemberState,
  before: HostMute,
  by?: MemberRef,
  always = false,
) {
  const now = holdOf(conf, m)
  for (const s of conf.streamsOf(m.id)) if (enforce(now, s)) mediaChanged(conf, s)
  if (!always && sameHold(before, now)) return
  send(m, 'mutedByHost', { confrId: conf.id, ...now, ...(by ? { by } : {}) })
}

/** Turns off what `hold` holds on stream `s`; true when a flag changed. Audio: every stream of
 * the member; video: its camera (a screen share is not a camera). */
function enforce(hold: HostMute, s: StreamState): boolean {
  let changed = false
  if (hold.audio && s.aoff === 0) {
    s.aoff = 1
    changed = true
  }
  if (hold.video && s.type === 'normal' && s.voff === 0) {
    s.voff = 1
    changed = true
  }
  return changed
}

/** A stream of `m` before it is announced (publish): its flags as the host holds them. */
export function holdStream(conf: ConferenceState, m: MemberState, s: StreamState) {
  enforce(holdOf(conf, m), s)
}

function mediaChanged(conf: ConferenceState, s: StreamState) {
  if (!s.publishSession || !conf.announces(s)) return
  broadcastAll(conf, 'mediaChanged', { confrId: conf.id, stream: conf.streamView(s) }, s.memberId)
}

/**
 * setMedia turning audio or video on: -527 while the host holds it and does not allow
 * self-unmute; where it does, the member's own act ends the hold.
 */
export function checkSelfUnmute(
  conf: ConferenceState,
  m: MemberState,
  s: StreamState,
  p: { aoff?: 0 | 1; voff?: 0 | 1 },
) {
  const hold = holdOf(conf, m)
  const wants: Hold = {}
  if (p.aoff === 0 && hold.audio) wants.audio = false
  if (p.voff === 0 && hold.video && s.type === 'normal') wants.video = false
  if (wants.audio === undefined && wants.video === undefined) return
  if (!hold.allowSelfUnmute)
    throw new RpcError(
      ErrorCode.MUTED_BY_HOST,
      `the host muted your ${wants.audio === false ? 'microphone' : 'camera'}; only the host can lift it`,
    )
  conf.meeting.setHold(m.id, wants)
}
