// What members are given: signed media URLs, a member's play credential, pages of the member
// list, the conference view with fresh ticket and role token, and the snapshot a join or resume
// returns.
import {
  canPublish,
  ConfrType,
  type Conference as ConferenceView,
  type JoinResult,
  type MediaCredential,
  MEMBER_PAGE,
  type Member,
  Role,
  type RoleValue,
} from 'miniprogram-conference-protocol'
import { type MemberCursor } from '../auth/tokens'
import { edgeFor, edgeList } from '../media/nginx/edge-list'
import { originOf } from '../media/origin'
import { type ConferenceState, type MemberState, SYSTEM_MEMBER } from './state'
import { type ServiceContext } from './context'

/**
 * Push or play URLs for one stream, signed for one member (or SYSTEM_MEMBER for jobs). Members
 * play from their edge when edges are configured (RTMP only); everything else uses the origin.
 */
export function signedUrls(
  ctx: ServiceContext,
  kind: 'pub' | 'play',
  conf: ConferenceState,
  memberId: string,
  streamId: string,
) {
  const token = ctx.tokens.mintMedia(
    { kind, confrId: conf.id, memberId, streamId },
    ctx.config.mediaTokenTtlSec,
  )
  const edge =
    kind === 'play' && memberId !== SYSTEM_MEMBER
      ? edgeFor(edgeList(ctx.config.edgeRtmp, ctx.config.rtmpApp), memberId)
      : null
  const flv = edge ? null : ctx.media.flvBase()
  return {
    rtmp: `${edge ?? originOf(ctx.media, conf.id)}/${streamId}?token=${token}`,
    flv: flv ? `${flv}/${streamId}.flv?token=${token}` : undefined,
    // Lets the SDK renew a URL before the engine refuses it (subStream refreshes by itself).
    ttl: ctx.config.mediaTokenTtlSec,
  }
}

/**
 * A member's play credential for every stream of its conference (protocol 1.2): given with the
 * join, the resume and each subscribe, so stream frames carry no per-receiver URL.
 */
export function mediaCredential(
  ctx: ServiceContext,
  conf: ConferenceState,
  memberId: string,
): MediaCredential {
  const ttl = ctx.config.mediaTokenTtlSec
  // A member plays from its edge when edges are configured (RTMP only), else from the origin.
  const edge = edgeFor(edgeList(ctx.config.edgeRtmp, ctx.config.rtmpApp), memberId)
  const flv = edge ? null : ctx.media.flvBase()
  const credential: MediaCredential = {
    token: ctx.tokens.mintMemberMedia(conf.id, memberId, ttl),
    rtmpBase: edge ?? originOf(ctx.media, conf.id),
    ttl,
  }
  if (flv) credential.flvBase = flv
  return credential
}

/** One page of the member list as `member` sees it (itself left out), with the next cursor. */
export function memberPage(
  ctx: ServiceContext,
  conf: ConferenceState,
  member: MemberState,
  after: MemberCursor | null,
  limit: number,
  stageOnly = false,
): { members: Member[]; cursor?: string } {
  const page = conf.memberPage(member.id, after, limit, stageOnly)
  const members = page.members.map((m) => conf.memberView(m))
  if (!page.next) return { members }
  return { members, cursor: ctx.tokens.mintCursor(conf.id, member.id, page.next) }
}

export function conferenceView(
  ctx: ServiceContext,
  conf: ConferenceState,
  userId: string,
  role: RoleValue,
  memberId = '',
) {
  const view: ConferenceView = {
    confrId: conf.id,
    id: conf.id,
    type: conf.type,
    name: conf.name,
    password: conf.password,
    ticket: ctx.tokens.mintTicket(conf.id, userId, ctx.config.ticketTtlSec),
    roleToken: ctx.tokens.mintRole(conf.id, memberId, role),
    rec: conf.rec,
    recMerge: conf.recMerge,
    config: conf.config,
  }
  return view
}

export function snapshot(
  ctx: ServiceContext,
  conf: ConferenceState,
  member: MemberState,
): JoinResult {
  const slot = conf.streamsOf(member.id).find((s) => s.reserved)
  // A LIVE audience member is not told of the rest of the audience: its page is the stage,
  // which keeps a 10,000-member room's join replies small (getMembers has the others).
  const stageOnly = conf.type === ConfrType.LIVE && !canPublish(member.role)
  const page = memberPage(ctx, conf, member, null, MEMBER_PAGE, stageOnly)
  return {
    conference: conferenceView(ctx, conf, member.userId, member.role, member.id),
    self: conf.memberView(member),
    members: page.members,
    membersCursor: page.cursor,
    memberCount: { members: conf.visibleCount, audience: conf.audienceCount },
    media: mediaCredential(ctx, conf, member.id),
    streams: conf
      .liveStreams()
      .filter((s) => s.memberId !== member.id && conf.announces(s))
      .map((s) => conf.streamView(s)),
    attrs: conf.attrsObject(),
    resumeToken: member.resumeToken,
    heartbeatMs: ctx.config.heartbeatMs,
    graceMs: ctx.config.graceMs,
    rev: ctx.config.protocolRevision,
    grant: slot && {
      stream: conf.streamView(slot),
      rtmp: signedUrls(ctx, 'pub', conf, member.id, slot.id).rtmp,
    },
    ...meetingView(conf, member),
  }
}

/** Revision 6: the conference's controls, and what the host holds this member to. */
function meetingView(conf: ConferenceState, member: MemberState): Partial<JoinResult> {
  const meeting = conf.meeting
  const out: Partial<JoinResult> = { controls: meeting.controls() }
  const held = meeting.holdOf(member.id, member.role === Role.ADMIN)
  if (held.audio || held.video) out.muted = held
  const inviter = conf.members.get(meeting.invitations.get(member.id) ?? '')
  if (inviter) out.invitedBy = conf.memberView(inviter)
  return out
}
