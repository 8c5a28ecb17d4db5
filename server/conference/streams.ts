// Streams: publishing and withdrawing, subscribing, media flags, the engine's live/idle reports
// (a mix's: mixes.ts).
import { ErrorCode } from 'miniprogram-conference-protocol'
import { RpcError } from '../rpc-error'
import { type ConferenceState, type StreamState } from './state'
import { type Caller, newId, type P, type R, type ServiceContext } from './context'
import { checkSelfUnmute, holdStream } from './controls'
import { membershipOf, ownStream } from './lookups'
import { mixLive } from './mixes'
import { broadcastAll } from './sending'
import { mediaCredential, signedUrls } from './views'

export function publish(ctx: ServiceContext, caller: Caller, p: P<'publish'>): R<'publish'> {
  const { conf, member } = membershipOf(ctx, caller, p.confrId)
  const own = conf.streamsOf(member.id)
  let stream = own.find((s) => !s.reserved && s.rtcId === p.rtcId)
  if (!stream) {
    const type = p.type ?? 'normal'
    // The slot granted at join is for a camera stream; a screen share is always a new stream.
    const slot =
      p.streamId !== undefined && type === 'normal'
        ? own.find((s) => s.id === p.streamId)
        : undefined
    if (p.streamId !== undefined && !slot?.reserved)
      throw new RpcError(ErrorCode.PUBLISH_INACTIVE, `no stream slot ${p.streamId} of yours`)
    if (type === 'normal' && conf.videoCount() >= conf.config.maxVideoCount) {
      // A refused claim frees the slot: the push URL given with the join stops working.
      if (slot) conf.streams.delete(slot.id)
      throw new RpcError(ErrorCode.TOO_MANY_VIDEOS, `at most ${conf.config.maxVideoCount} videos`)
    }
    const desktops = conf.config.maxPubDesktopCount
    if (type === 'desktop' && conf.desktopCount() >= desktops)
      throw new RpcError(ErrorCode.TOO_MANY_DESKTOPS, `at most ${desktops} screen shares`)
    stream = slot ?? {
      id: newId('ST_'),
      memberId: member.id,
      rtcId: p.rtcId,
      voff: 0,
      aoff: 0,
      type,
      publishSession: null,
      reserved: false,
    }
    stream.rtcId = p.rtcId
    stream.voff = p.voff ?? 0
    stream.aoff = p.aoff ?? 0
    stream.reserved = false
    holdStream(conf, member, stream)
    conf.streams.set(stream.id, stream)
    if (slot) ctx.emit('stream-claimed', conf, stream)
  }
  return {
    stream: conf.streamView(stream),
    rtmp: signedUrls(ctx, 'pub', conf, member.id, stream.id).rtmp,
  }
}

export function unpublish(ctx: ServiceContext, caller: Caller, p: P<'unpublish'>): R<'unpublish'> {
  const { conf, stream } = ownStream(ctx, caller, p.streamId)
  removeStream(ctx, conf, stream, true)
  return {}
}

/** Forget a stream, cut its publisher, and withdraw it if it was announced. */
export function removeStream(
  ctx: ServiceContext,
  conf: ConferenceState,
  s: StreamState,
  tell: boolean,
) {
  if (conf.streams.get(s.id) !== s) return
  conf.streams.delete(s.id)
  const session = s.publishSession
  if (session) {
    s.publishSession = null
    ctx.media.closeSession(session)
    if (tell) announceRemoved(conf, s)
    ctx.emit('stream-idle', conf, s)
  }
}

function announceRemoved(conf: ConferenceState, s: StreamState) {
  if (!conf.announces(s)) return
  const view = conf.streamView(s)
  broadcastAll(conf, 'streamRemoved', { confrId: conf.id, stream: view }, s.memberId)
}

export function subscribe(ctx: ServiceContext, caller: Caller, p: P<'subscribe'>): R<'subscribe'> {
  for (const [confrId, memberId] of caller.memberships) {
    const conf = ctx.conferences.get(confrId)
    const s = conf?.streams.get(p.streamId)
    if (conf && s && !s.reserved)
      return {
        ...signedUrls(ctx, 'play', conf, memberId, s.id),
        media: mediaCredential(ctx, conf, memberId),
      }
  }
  throw new RpcError(ErrorCode.PUBLISH_INACTIVE, `no stream ${p.streamId} in your conferences`)
}

export function unsubscribe(
  ctx: ServiceContext,
  caller: Caller,
  p: P<'unsubscribe'>,
): R<'unsubscribe'> {
  for (const [confrId, memberId] of caller.memberships) {
    const member = ctx.conferences.get(confrId)?.members.get(memberId)
    for (const [sessionId, streamId] of member?.playSessions ?? []) {
      if (streamId === p.streamId) ctx.media.closeSession(sessionId)
    }
  }
  return {}
}

export function setMedia(ctx: ServiceContext, caller: Caller, p: P<'setMedia'>): R<'setMedia'> {
  const { conf, stream, member } = ownStream(ctx, caller, p.streamId)
  checkSelfUnmute(conf, member, stream, p)
  if (p.voff !== undefined) stream.voff = p.voff
  if (p.aoff !== undefined) stream.aoff = p.aoff
  const view = conf.streamView(stream)
  if (stream.publishSession)
    broadcastAll(conf, 'mediaChanged', { confrId: conf.id, stream: view }, stream.memberId)
  return { stream: view }
}

/** Media reached the engine: announce the stream to everyone else. */
export function streamLive(
  ctx: ServiceContext,
  conf: ConferenceState,
  s: StreamState,
  sessionId: string,
) {
  s.publishSession = sessionId
  // One frame for every receiver: each composes its play URL from its own credential.
  if (s.type === 'mix') mixLive(conf, s)
  else if (conf.announces(s))
    broadcastAll(conf, 'streamAdded', { confrId: conf.id, stream: conf.streamView(s) }, s.memberId)
  ctx.emit('stream-live', conf, s)
}

/** Media stopped (the publisher went away): withdraw, keep the stream for a re-push. A mix
 * stays on air (the mixer restarting for a new layout); the server takes it off (mixes.ts). */
export function streamIdle(
  ctx: ServiceContext,
  conf: ConferenceState,
  s: StreamState,
  sessionId: string,
) {
  if (s.publishSession !== sessionId) return
  s.publishSession = null
  announceRemoved(conf, s)
  ctx.emit('stream-idle', conf, s)
}
