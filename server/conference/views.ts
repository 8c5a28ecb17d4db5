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
import { type ConferenceState, type MemberState, type StreamState, SYSTEM_MEMBER } from './state'
import { type ServiceContext } from './context'
import { mixOf } from './mixes'

/**
 * Push or play URLs for one stream, signed for one member (or SYSTEM_MEMBER for jobs). Members
 * play RTMP from their edge when edges are configured, else where the engine has players attach
 * (its play edge with nginx); publishers and the server's own jobs use the origin. HTTP-FLV
 * (browsers, the console) always comes from this server's engine: edges serve RTMP only.
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
  const member = kind === 'play' && memberId !== SYSTEM_MEMBER
  const edge = member ? edgeFor(edgeList(ctx.config.edgeRtmp, ctx.config.rtmpApp), memberId) : null
  const flv = ctx.media.flvBase()
  const base = edge ?? (member ? ctx.media.playBase() : originOf(ctx.media, conf.id))
  return {
    rtmp: `${base}/${streamId}?token=${token}`,
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
  // RTMP from the member's edge when edges are configured, else where the engine's players
  // attach; HTTP-FLV from this server's engine either way (edges serve RTMP only).
  const edge = edgeFor(edgeList(ctx.config.edgeRtmp, ctx.config.rtmpApp), memberId)
  const flv = ctx.media.flvBase()
  const credential: MediaCredential = {
    token: ctx.tokens.mintMemberMedia(conf.id, memberId, ttl),
    rtmpBase: edge ?? ctx.media.playBase(),
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

/** The streams `member` is told of: the others' live ones, or in COMMUNICATION_MIX its mix. */
function streamsFor(conf: ConferenceState, member: MemberState): StreamState[] {
  const mix = mixOf(conf, member)
  const live = conf.liveStreams().filter((s) => s.memberId !== member.id && conf.announces(s))
  return mix ? [...live, mix] : live
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
    streams: streamsFor(conf, member).map((s) => conf.streamView(s)),
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
