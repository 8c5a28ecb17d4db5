// A conference as the cluster's shared store keeps it: one Redis hash per conference, a field for
// its settings and one per member and per stream, so that a change writes only what changed.
// Sockets, timers and engine sessions are this node's own and are never stored.
import {
  type ChatMessage,
  type Hand,
  type MuteAll,
  type RoleValue,
} from 'miniprogram-conference-protocol'
import { type Hold } from '../conference/meeting-state'
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
  /** Revision 6 (absent in what an older release wrote: unlocked, nobody muted). */
  locked?: boolean
  muteAll?: MuteAll
}

/** A member's part of the meeting state (revision 6), kept in its own field. */
interface StoredMeeting {
  hold?: Hold
  hand?: Hand
  /** The member id of who invited it to speak. */
  invitedBy?: string
}

/** The kept chat: its own field, written only when a message was accepted. */
interface StoredChat {
  last: number
  history: ChatMessage[]
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
> & { role: RoleValue; meeting?: StoredMeeting }

type StoredStream = Omit<StreamState, 'publishSession'>

export const META = 'meta'
const CHAT = 'chat'
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
    locked: conf.meeting.locked,
    muteAll: conf.meeting.muteAll,
  }
  const metaJson = JSON.stringify(meta)
  const out = new Map<string, Field>([[META, { sig: metaJson, json: metaJson }]])
  const chatSig = String(conf.meeting.lastMessageId)
  const oldChat = before?.get(CHAT)
  out.set(
    CHAT,
    oldChat?.sig === chatSig ? oldChat : { sig: chatSig, json: JSON.stringify(storedChat(conf)) },
  )
  for (const m of conf.members.values()) {
    const field = MEMBER + m.id
    const meeting = storedMeeting(conf, m.id)
    const meetingSig = meeting ? JSON.stringify(meeting) : ''
    const sig = `${m.role}|${m.maxRole}|${m.nickName}|${extSig(m.ext)}|${meetingSig}`
    const old = before?.get(field)
    out.set(field, old?.sig === sig ? old : { sig, json: JSON.stringify(storedMember(m, meeting)) })
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

function storedChat(conf: ConferenceState): StoredChat {
  return { last: conf.meeting.lastMessageId, history: conf.meeting.history }
}

/** A member's hold, hand and invitation; undefined when it has none (most members). */
function storedMeeting(conf: ConferenceState, memberId: string): StoredMeeting | undefined {
  const { holds, hands, invitations } = conf.meeting
  const hold = holds.get(memberId)
  const hand = hands.get(memberId)
  const invitedBy = invitations.get(memberId)
  if (!hold && !hand && invitedBy === undefined) return undefined
  return { hold, hand, invitedBy }
}

function storedMember(m: MemberState, meeting: StoredMeeting | undefined): StoredMember {
  return {
    ...(meeting ? { meeting } : {}),
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
  conf.meeting.locked = meta.locked ?? false
  if (meta.muteAll) conf.meeting.muteAll = meta.muteAll
  const members: StoredMember[] = []
  for (const [field, json] of Object.entries(fields)) {
    if (field === CHAT) {
      const chat = JSON.parse(json) as StoredChat
      conf.meeting.lastMessageId = chat.last
      conf.meeting.history = chat.history
    } else if (field.startsWith(MEMBER)) {
      members.push(JSON.parse(json) as StoredMember)
    } else if (field.startsWith(STREAM)) {
      const s = JSON.parse(json) as StoredStream
      conf.streams.set(s.id, { ...s, publishSession: null })
    }
  }
  // In join order, which the member list's pages follow (addMember numbers them again).
  members.sort((a, b) => a.seq - b.seq)
  const hands: Hand[] = []
  for (const { meeting, ...m } of members) {
    conf.addMember({ ...m, peer: null, graceTimer: null, playSessions: new Map() })
    if (meeting?.hold) conf.meeting.holds.set(m.id, meeting.hold)
    if (meeting?.hand) hands.push(meeting.hand)
    if (meeting?.invitedBy !== undefined) conf.meeting.invitations.set(m.id, meeting.invitedBy)
  }
  // The queue in the order the hands went up.
  for (const h of hands.sort((a, b) => a.at - b.at)) conf.meeting.hands.set(h.memberId, h)
  return conf
}
