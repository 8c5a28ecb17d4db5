// A conference as the cluster's shared store keeps it: one Redis hash per conference, a field for
// its settings and one per member and per stream, so that a change writes only what changed.
// Sockets, timers and engine sessions are this node's own and are never stored.
import { type RoleValue } from 'miniprogram-conference-protocol'
import {
  type ConferenceOptions,
  ConferenceState,
  type MemberState,
  type StreamState,
} from '../conference/state'

interface StoredMeta extends Omit<ConferenceOptions, 'createdAt'> {
  createdAt: number
  attrs: Array<[string, string]>
  kickedAt: Array<[string, number]>
}

type StoredMember = Pick<
  MemberState,
  | 'id'
  | 'userId'
  | 'globalName'
  | 'nickName'
  | 'maxRole'
  | 'ext'
  | 'joinedAt'
  | 'resumeToken'
  | 'seq'
> & { role: RoleValue }

type StoredStream = Omit<StreamState, 'publishSession'>

export const META = 'meta'
const MEMBER = 'm:'
const STREAM = 's:'

/** A stored field: `sig` says cheaply whether it changed, `json` is what is stored. */
export interface Field {
  sig: string
  json: string
}

/**
 * The hash fields of a conference. A member's JSON is made again only when its signature (the
 * fields that can change after a join) changed: a write to a room of 10,000 stays cheap.
 */
export function encode(
  conf: ConferenceState,
  before?: ReadonlyMap<string, Field>,
): Map<string, Field> {
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
  const metaJson = JSON.stringify(meta)
  const out = new Map<string, Field>([[META, { sig: metaJson, json: metaJson }]])
  for (const m of conf.members.values()) {
    const field = MEMBER + m.id
    const sig = `${m.role}|${m.maxRole}|${m.nickName}|${extSig(m.ext)}`
    const old = before?.get(field)
    out.set(field, old?.sig === sig ? old : { sig, json: JSON.stringify(storedMember(m)) })
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
    const json = JSON.stringify(stored)
    out.set(STREAM + s.id, { sig: json, json })
  }
  return out
}

function storedMember(m: MemberState): StoredMember {
  return {
    id: m.id,
    userId: m.userId,
    globalName: m.globalName,
    nickName: m.nickName,
    role: m.role,
    maxRole: m.maxRole,
    ext: m.ext,
    joinedAt: m.joinedAt,
    resumeToken: m.resumeToken,
    seq: m.seq,
  }
}

/** `ext` objects are replaced, not edited, when they change: their identity is their signature. */
const extIds = new WeakMap<object, number>()
let nextExtId = 1
function extSig(ext: object): number {
  let id = extIds.get(ext)
  if (id === undefined) extIds.set(ext, (id = nextExtId++))
  return id
}

/** The conference of a stored hash, with no sockets and no media yet; null if it has no meta. */
export function decode(fields: Record<string, string>): ConferenceState | null {
  if (!fields[META]) return null
  const meta = JSON.parse(fields[META]) as StoredMeta
  const conf = new ConferenceState(meta)
  for (const [k, v] of meta.attrs) conf.attrs.set(k, v)
  for (const [k, v] of meta.kickedAt) conf.kickedAt.set(k, v)
  const members: StoredMember[] = []
  for (const [field, json] of Object.entries(fields)) {
    if (field.startsWith(MEMBER)) {
      members.push(JSON.parse(json) as StoredMember)
    } else if (field.startsWith(STREAM)) {
      const s = JSON.parse(json) as StoredStream
      conf.streams.set(s.id, { ...s, publishSession: null })
    }
  }
  // In join order, which the member list's pages follow (addMember numbers them again).
  members.sort((a, b) => a.seq - b.seq)
  for (const m of members)
    conf.addMember({ ...m, peer: null, graceTimer: null, playSessions: new Map() })
  return conf
}
