// A conference as the cluster's shared store keeps it: one Redis hash per conference, a field for
// its settings and one per member and per stream, so that a change writes only what changed.
// Sockets, timers and engine sessions are this node's own and are never stored.
import { type ConferenceConfig, type ConfrTypeValue, type RoleValue } from '../../sdk/protocol'
import { ConferenceState, type MemberState, type StreamState } from '../conference/conference'

interface StoredMeta {
  id: string
  type: ConfrTypeValue
  password: string
  ownerUserId: string
  config: Required<ConferenceConfig>
  rec: boolean
  recMerge: boolean
  name?: string
  createdAt: number
  attrs: Array<[string, string]>
  kickedAt: Array<[string, number]>
}

type StoredMember = Pick<
  MemberState,
  'id' | 'userId' | 'globalName' | 'nickName' | 'maxRole' | 'ext' | 'joinedAt' | 'resumeToken'
> & { role: RoleValue }

type StoredStream = Omit<StreamState, 'publishSession'>

export const META = 'meta'
const MEMBER = 'm:'
const STREAM = 's:'

/** The hash fields of a conference, field → JSON. */
export function encode(conf: ConferenceState): Map<string, string> {
  const meta: StoredMeta = {
    id: conf.id,
    type: conf.type,
    password: conf.password,
    ownerUserId: conf.ownerUserId,
    config: conf.config,
    rec: conf.rec,
    recMerge: conf.recMerge,
    name: conf.name,
    createdAt: conf.createdAt,
    attrs: [...conf.attrs],
    kickedAt: [...conf.kickedAt],
  }
  const out = new Map<string, string>([[META, JSON.stringify(meta)]])
  for (const m of conf.members.values()) {
    const stored: StoredMember = {
      id: m.id,
      userId: m.userId,
      globalName: m.globalName,
      nickName: m.nickName,
      role: m.role,
      maxRole: m.maxRole,
      ext: m.ext,
      joinedAt: m.joinedAt,
      resumeToken: m.resumeToken,
    }
    out.set(MEMBER + m.id, JSON.stringify(stored))
  }
  for (const s of conf.streams.values()) {
    const stored: StoredStream = {
      id: s.id,
      memberId: s.memberId,
      rtcId: s.rtcId,
      voff: s.voff,
      aoff: s.aoff,
      type: s.type,
      reserved: s.reserved,
    }
    out.set(STREAM + s.id, JSON.stringify(stored))
  }
  return out
}

/** The conference of a stored hash, with no sockets and no media yet; null if it has no meta. */
export function decode(fields: Record<string, string>): ConferenceState | null {
  if (!fields[META]) return null
  const meta = JSON.parse(fields[META]) as StoredMeta
  const conf = new ConferenceState(meta)
  for (const [k, v] of meta.attrs) conf.attrs.set(k, v)
  for (const [k, v] of meta.kickedAt) conf.kickedAt.set(k, v)
  for (const [field, json] of Object.entries(fields)) {
    if (field.startsWith(MEMBER)) {
      const m = JSON.parse(json) as StoredMember
      conf.members.set(m.id, { ...m, peer: null, graceTimer: null, playSessions: new Map() })
    } else if (field.startsWith(STREAM)) {
      const s = JSON.parse(json) as StoredStream
      conf.streams.set(s.id, { ...s, publishSession: null })
    }
  }
  return conf
}
