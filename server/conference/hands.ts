// Raised hands and invitations to speak (revision 6): a member raises its hand, an admin lowers
// it or invites the member to speak, and the member answers. In LIVE an accepted invitation takes
// an audience member to the stage (TALKER, within maxTalkerCount); in every type it lifts the
// host's hold on the member's microphone.
import { canPublish, ErrorCode, MAX_HANDS, Role, roleName } from 'miniprogram-conference-protocol'
import { RpcError } from '../rpc-error'
import { type Caller, type P, type R, type ServiceContext } from './context'
import { holdChanged, holdOf } from './controls'
import { handsChanged } from './hands-news'
import { conferenceOf, membershipOf, requireAdmin, seatOf } from './lookups'
import { roleRefusal } from './membership'
import { setRoles } from './moderation'
import { notifyAdmins, send } from './sending'
import { type ConferenceState, type MemberState } from './state'

export function raiseHand(ctx: ServiceContext, caller: Caller, p: P<'raiseHand'>): R<'raiseHand'> {
  const { conf, member } = membershipOf(ctx, caller, p.confrId)
  if (member.role === Role.HIDING)
    throw new RpcError(ErrorCode.NO_RIGHTS, 'a hidden member has no hand to raise')
  const hands = conf.meeting.hands
  if (!hands.has(member.id)) {
    if (hands.size >= MAX_HANDS)
      throw new RpcError(ErrorCode.SERVER_LIMIT, `at most ${MAX_HANDS} hands up at once`)
    hands.set(member.id, {
      memberId: member.id,
      name: member.userId,
      nickName: member.nickName,
      at: Date.now(),
    })
    handsChanged(conf, member.id)
  }
  return { hands: conf.meeting.handList() }
}

export function lowerHand(ctx: ServiceContext, caller: Caller, p: P<'lowerHand'>): R<'lowerHand'> {
  const conf = conferenceOf(ctx, p.confrId)
  const own = conf.members.get(caller.memberships.get(conf.id) ?? '')
  let target = own
  if (p.memberName !== undefined && p.memberName !== own?.id && p.memberName !== own?.userId) {
    // Another's hand: an admin's act.
    requireAdmin(ctx, caller, p.confrId)
    target = named(conf, p.memberName)
  }
  if (!target) throw new RpcError(ErrorCode.MEMBER_INVALID, `not a member of ${conf.id}`)
  if (conf.meeting.hands.delete(target.id)) handsChanged(conf, target.id)
  return { hands: conf.meeting.handList() }
}

export function inviteToSpeak(
  ctx: ServiceContext,
  caller: Caller,
  p: P<'inviteToSpeak'>,
): R<'inviteToSpeak'> {
  const { conf, member: admin } = seatOf(ctx, caller, p.confrId)
  if (!admin)
    throw new RpcError(ErrorCode.MEMBER_INVALID, 'join the conference to invite someone to speak')
  const m = named(conf, p.memberName)
  if (m === admin) throw new RpcError(ErrorCode.BAD_REQUEST, 'you cannot invite yourself')
  if (!canPublish(m.role)) mayTakeStage(conf, m)
  conf.meeting.invitations.set(m.id, admin.id)
  send(m, 'speakInvitation', { confrId: conf.id, from: conf.memberView(admin) })
  return {}
}

export function answerSpeakInvitation(
  ctx: ServiceContext,
  caller: Caller,
  p: P<'answerSpeakInvitation'>,
): R<'answerSpeakInvitation'> {
  const { conf, member } = membershipOf(ctx, caller, p.confrId)
  const meeting = conf.meeting
  if (!meeting.invitations.has(member.id))
    throw new RpcError(ErrorCode.NO_INVITATION, 'nobody invited you to speak (or it was answered)')
  const before = holdOf(conf, member)
  // Refused here (the talker limit reached since, say), the invitation stays to answer again.
  if (p.accept && !canPublish(member.role)) mayTakeStage(conf, member)
  meeting.invitations.delete(member.id)
  if (meeting.hands.delete(member.id)) handsChanged(conf, member.id)
  if (p.accept) {
    meeting.setHold(member.id, { audio: false })
    if (!canPublish(member.role))
      setRoles(ctx, conf, { memberNames: [member.id], role: Role.TALKER })
    holdChanged(conf, member, before)
  }
  const answer = { confrId: conf.id, member: conf.memberView(member), accept: p.accept }
  notifyAdmins(conf, 'speakInvitationAnswered', answer)
  return { role: member.role }
}

/** A member by member id or user id, or -504. */
function named(conf: ConferenceState, name: string): MemberState {
  const m = conf.members.get(name) ?? conf.memberByUser(name)
  if (!m) throw new RpcError(ErrorCode.MEMBER_INVALID, `${name}: not a member`)
  return m
}

/** -529 when `m`'s token does not allow TALKER, -523 when the stage is full. */
function mayTakeStage(conf: ConferenceState, m: MemberState) {
  const why = roleRefusal(Role.TALKER, m.maxRole)
  if (why) throw new RpcError(ErrorCode.ROLE_NOT_ALLOWED, `${m.userId}: ${why}`)
  if (conf.talkerCount >= conf.config.maxTalkerCount)
    throw new RpcError(
      ErrorCode.TOO_MANY_TALKERS,
      `at most ${conf.config.maxTalkerCount} talkers: ${roleName(Role.TALKER)} is full`,
    )
}
