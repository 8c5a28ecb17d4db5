// What members are given: signed media URLs, streams with play URLs for one receiver, the
// conference view with fresh ticket and role token, and the snapshot a join or resume returns.
import {
  type Conference as ConferenceView,
  type JoinResult,
  type RoleValue,
  type Stream,
} from '../../sdk/protocol'
import { edgeFor, edgeList } from '../media/edges'
import { originOf } from '../media/origin'
import {
  type ConferenceState,
  type MemberState,
  type StreamState,
  SYSTEM_MEMBER,
} from './conference'
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

/** A stream as one receiver gets it: with play URLs signed for that receiver. */
export function streamFor(
  ctx: ServiceContext,
  conf: ConferenceState,
  s: StreamState,
  viewerId: string,
): Stream {
  return { ...conf.streamView(s), ...signedUrls(ctx, 'play', conf, viewerId, s.id) }
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
  return {
    conference: conferenceView(ctx, conf, member.userId, member.role, member.id),
    self: conf.memberView(member),
    members: conf
      .visibleMembers()
      .filter((m) => m.id !== member.id)
      .map((m) => conf.memberView(m)),
    streams: conf
      .liveStreams()
      .filter((s) => s.memberId !== member.id && conf.announces(s))
      .map((s) => streamFor(ctx, conf, s, member.id)),
    attrs: conf.attrsObject(),
    resumeToken: member.resumeToken,
    heartbeatMs: ctx.config.heartbeatMs,
    graceMs: ctx.config.graceMs,
    grant: slot && {
      stream: conf.streamView(slot),
      rtmp: signedUrls(ctx, 'pub', conf, member.id, slot.id).rtmp,
    },
  }
}
