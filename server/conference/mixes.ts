// COMMUNICATION_MIX: the streams the server's mixer publishes, and who is told of which. Every
// member is told of one mix: a talker whose voice is in the mix gets its own mix-minus (the same
// picture, every voice but its own, so that it does not hear itself a second late); everyone
// else gets the room's mix. A mix is on air from its first publish until the server takes it
// off (a talker's: the talker left the mix; the room's: no talker is left): the gap while the
// mixer restarts for a new layout is no news to anyone, players stay on it.
import { type ConferenceState, type MemberState, type StreamState, SYSTEM_MEMBER } from './state'
import { type ServiceContext, newId } from './context'
import { broadcastWhere, send } from './sending'

/** A mix stream, owned by SYSTEM_MEMBER; `mixFor`: the talker whose voice it leaves out. */
export function addMixStream(conf: ConferenceState, mixFor?: string): StreamState {
  const stream: StreamState = {
    id: newId('ST_'),
    memberId: SYSTEM_MEMBER,
    rtcId: 'mix',
    voff: 0,
    aoff: 0,
    type: 'mix',
    publishSession: null,
    reserved: false,
    onAir: false,
  }
  if (mixFor !== undefined) stream.mixFor = mixFor
  conf.streams.set(stream.id, stream)
  return stream
}

function roomMix(conf: ConferenceState): StreamState | undefined {
  for (const s of conf.streams.values()) if (s.type === 'mix' && s.mixFor === undefined) return s
  return undefined
}

function ownMix(conf: ConferenceState, memberId: string): StreamState | undefined {
  for (const s of conf.streams.values()) if (s.type === 'mix' && s.mixFor === memberId) return s
  return undefined
}

/** The mix `member` plays: its own mix-minus when on air, else the room's when on air. */
export function mixOf(conf: ConferenceState, member: MemberState): StreamState | undefined {
  const own = ownMix(conf, member.id)
  if (own?.onAir) return own
  const room = roomMix(conf)
  return room?.onAir ? room : undefined
}

const added = (conf: ConferenceState, s: StreamState) => ({
  confrId: conf.id,
  stream: conf.streamView(s),
})

/** The mix's media reached the engine: on air, unless it already was (a restart's gap). */
export function mixLive(conf: ConferenceState, s: StreamState): void {
  if (s.onAir) return
  s.onAir = true
  if (s.mixFor === undefined) {
    broadcastWhere(conf, 'streamAdded', added(conf, s), (m) => mixOf(conf, m) === s)
    return
  }
  // Its talker was playing the room's mix: the new one first, so that a client never holds no
  // mix (the kit's store shows the one announced last).
  const talker = conf.members.get(s.mixFor)
  if (!talker) return
  send(talker, 'streamAdded', added(conf, s))
  const room = roomMix(conf)
  if (room?.onAir) send(talker, 'streamRemoved', added(conf, room))
}

/**
 * The server takes a mix off the air: its players are told (a talker whose own mix it was goes
 * back to the room's). A talker's mix is forgotten; the room's comes back on air when it is
 * published again.
 */
export function takeOffAir(ctx: ServiceContext, conf: ConferenceState, s: StreamState): void {
  if (conf.streams.get(s.id) !== s) return
  if (s.mixFor !== undefined) {
    conf.streams.delete(s.id)
    if (s.publishSession) ctx.media.closeSession(s.publishSession)
    s.publishSession = null
  }
  if (!s.onAir) return
  if (s.mixFor === undefined) {
    // Told while it is still what they play.
    broadcastWhere(conf, 'streamRemoved', added(conf, s), (m) => mixOf(conf, m) === s)
    s.onAir = false
    return
  }
  s.onAir = false
  const talker = conf.members.get(s.mixFor)
  if (!talker) return
  const room = roomMix(conf)
  if (room?.onAir) send(talker, 'streamAdded', added(conf, room))
  send(talker, 'streamRemoved', added(conf, s))
}
