// Tiles: who is shown, in which order, with what. Plain functions over the store's observable
// state, so that a binding which reads one tile tracks only that member's observables (a mute of
// one member re-renders one tile, not the grid).
import { Role, type Member, type Stream } from '../sdk/protocol'
import type { LocalMedia, Playback, Tile } from './types'

/** The part of a Map the tiles read (an ObservableMap or a Map). */
export interface ReadMap<V> extends Iterable<[string, V]> {
  get(key: string): V | undefined
  has(key: string): boolean
  keys(): Iterable<string>
}

export interface TileSource {
  self: Member | null
  members: ReadMap<Member>
  streams: ReadMap<Stream>
  /** memberId → the stream shown on that member's tile. */
  streamIdByMember: ReadMap<string>
  plays: ReadMap<Playback>
  speaking: ReadMap<boolean>
  local: LocalMedia
}

/** ADMIN and TALKER publish; AUDIENCE and HIDING only watch. */
export function canPublishRole(role: number | undefined): boolean {
  return role === Role.ADMIN || role === Role.TALKER
}

export function displayName(member: Partial<Member> | undefined, fallback = ''): string {
  if (!member) return fallback
  const extName = member.ext && typeof member.ext.nickName === 'string' ? member.ext.nickName : ''
  return member.nickName || extName || member.name || fallback
}

/** Display order: self first, then the others by join order, then streams with no member (mix). */
export function tileIds(src: TileSource): string[] {
  const ids: string[] = []
  const self = src.self
  if (self && (canPublishRole(self.role) || src.local.pushUrl)) ids.push(self.id)
  for (const [id, member] of src.members) {
    if (id === self?.id) continue
    if (src.streamIdByMember.has(id) || canPublishRole(member.role)) ids.push(id)
  }
  for (const id of src.streamIdByMember.keys()) {
    if (!src.members.has(id) && id !== self?.id) ids.push(id)
  }
  return ids
}

export function tileOf(src: TileSource, memberId: string): Tile | undefined {
  const self = src.self
  if (self && memberId === self.id) {
    const local = src.local
    return {
      memberId,
      name: displayName(self, 'me'),
      isSelf: true,
      url: local.pushUrl,
      voff: local.cameraOn ? 0 : 1,
      aoff: local.micOn ? 0 : 1,
      speaking: src.speaking.get(memberId) ?? false,
      key: `${memberId}#${local.mountKey}`,
    }
  }
  const member = src.members.get(memberId)
  const streamId = src.streamIdByMember.get(memberId)
  const stream = streamId ? src.streams.get(streamId) : undefined
  if (!member && !stream) return undefined
  const play = streamId ? src.plays.get(streamId) : undefined
  return {
    memberId,
    name: displayName(member ?? stream?.owner, stream?.memName ?? memberId),
    isSelf: false,
    url: play?.url ?? '',
    voff: stream ? stream.voff : 1,
    aoff: stream ? stream.aoff : 1,
    speaking: src.speaking.get(memberId) ?? false,
    key: `${memberId}#${play?.mountKey ?? 0}`,
  }
}
