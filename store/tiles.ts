// Tiles: what is shown, in which order, with what. One tile per remote STREAM (a member with a
// camera and a shared screen has two), one for our own pusher, and one for a member who may
// publish but has no stream yet. Plain functions over the domain stores' observables, so that a
// binding which reads one tile tracks only that tile's observables (a mute of one stream
// re-renders one tile, not the grid).
import { canPublish, ConfrType, type Stream } from 'miniprogram-conference-protocol'
import { displayName } from './names'
import type { ConferenceStore } from './root'
import type { Tile, TileKind } from './types'

function kindOf(stream: Stream): TileKind {
  return stream.type === 'desktop' || stream.type === 'mix' ? stream.type : 'camera'
}

/**
 * The server's mix this member plays (COMMUNICATION_MIX): the one announced last. The server
 * tells each member of one, but swapping a talker to its own mix (without its voice) it sends
 * the new one before withdrawing the old.
 */
function shownMixId({ session }: ConferenceStore): string {
  let mix = ''
  for (const [id, stream] of session.streams) if (stream.type === 'mix') mix = id
  return mix
}

/** Display order: self first, then the others by join order (each member's streams in the order
 * they came, or a placeholder), then streams with no member (the server's mix). In a
 * COMMUNICATION_MIX room the talkers are in the mix, not on tiles of their own: no placeholders. */
export function tileIds(root: ConferenceStore): string[] {
  const { session, media } = root
  const ids: string[] = []
  const self = session.self
  if (self && (canPublish(self.role) || media.local.pushUrl)) ids.push(self.id)
  const placeholders = session.conference?.type !== ConfrType.COMMUNICATION_MIX
  const mix = shownMixId(root)
  const byMember = new Map<string, string[]>()
  for (const [id, stream] of session.streams) {
    if (stream.type === 'mix' && id !== mix) continue
    const list = byMember.get(stream.memId)
    if (list) list.push(id)
    else byMember.set(stream.memId, [id])
  }
  for (const [id, member] of session.members) {
    if (id === self?.id) continue
    const streams = byMember.get(id)
    if (streams) ids.push(...streams)
    else if (placeholders && canPublish(member.role)) ids.push(id)
  }
  for (const [memberId, streams] of byMember) {
    if (!session.members.has(memberId) && memberId !== self?.id) ids.push(...streams)
  }
  return ids
}

/** One tile by its id (see Tile.id). */
export function tileOf({ session, media }: ConferenceStore, id: string): Tile | undefined {
  const self = session.self
  if (self && id === self.id) {
    const local = media.local
    return {
      id,
      memberId: id,
      streamId: '',
      kind: 'camera',
      name: displayName(self, 'me'),
      isSelf: true,
      url: local.pushUrl,
      voff: local.cameraOn && !local.cameraDenied ? 0 : 1,
      aoff: local.micOn ? 0 : 1,
      speaking: media.isSpeaking(id),
      soundLevel: media.levels.get(id) ?? 0,
      quality: media.quality.get(id) ?? 0,
      key: `${id}#${local.mountKey}`,
    }
  }
  const stream = session.streams.get(id)
  if (stream) {
    const play = media.plays.get(id)
    const member = session.members.get(stream.memId)
    const kind = kindOf(stream)
    const name =
      kind === 'mix'
        ? (session.conference?.name ?? '')
        : displayName(member ?? stream.owner, stream.memName || stream.memId)
    return {
      id,
      memberId: stream.memId,
      streamId: id,
      kind,
      name,
      isSelf: false,
      url: play?.url ?? '',
      voff: stream.voff,
      aoff: stream.aoff,
      speaking: media.isSpeaking(id),
      soundLevel: media.levels.get(id) ?? 0,
      quality: media.quality.get(id) ?? 0,
      key: `${id}#${play?.mountKey ?? 0}`,
    }
  }
  const member = session.members.get(id)
  if (!member) return undefined
  // A member who may publish and has not (yet): a placeholder with no media.
  return { ...mediaLessTile(id), name: displayName(member, id) }
}

/** A tile with no media: a member's placeholder, or what a component shows before its tile is
 * known (id ''). */
export function mediaLessTile(id: string): Tile {
  return {
    id,
    memberId: id,
    streamId: '',
    kind: 'camera',
    name: '',
    isSelf: false,
    url: '',
    voff: 1,
    aoff: 1,
    speaking: false,
    soundLevel: 0,
    quality: 0,
    key: `${id}#0`,
  }
}

/** The tile to show large: the most recent shared screen, else the server's mix ('' when
 * there is neither). */
export function featuredTileId(root: ConferenceStore): string {
  let featured = ''
  for (const [id, stream] of root.session.streams) if (kindOf(stream) === 'desktop') featured = id
  return featured || shownMixId(root)
}
