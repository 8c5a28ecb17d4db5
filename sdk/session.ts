// The conference as this client knows it: conference, self, other members, remote live streams,
// own published streams, attributes. It applies the join snapshot, server events and the resume
// snapshot, and returns what changed as a list of Changes for the caller to announce. Objects
// are replaced, never mutated, so what the user was handed stays as it was.
import {
  change,
  type Change,
  type MediaErrorInfo,
  type MediaUpdate,
  type Published,
} from './events'
import { Meeting } from './meeting'
import {
  type AnyEventFrame,
  canPublish,
  type Attrs,
  type Conference,
  type Events,
  type JoinResult,
  type MediaCredential,
  type Member,
  type MemberCount,
  type PublishResult,
  type ResumeResult,
  type Stream,
} from 'miniprogram-conference-protocol'

function sameAttrs(a: Attrs, b: Attrs): boolean {
  const ka = Object.keys(a)
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k])
}

/** Where a stream is played from: its URL without the query (a fresh signature is no move). */
function playedFrom(s: Stream): string {
  return (s.rtmp ?? '').split('?')[0]
}

function mediaUpdate(before: Stream, after: Stream): MediaUpdate | null {
  const update: MediaUpdate = {}
  if (before.voff !== after.voff) update.voff = after.voff
  if (before.aoff !== after.aoff) update.aoff = after.aoff
  return Object.keys(update).length ? update : null
}

export class Session {
  conference: Conference | null = null
  self: Member | null = null
  /** Everyone but you, by member id. */
  members = new Map<string, Member>()
  /** Remote streams carrying media, by stream id. */
  streams = new Map<string, Stream>()
  /** Your streams, by stream id. */
  published = new Map<string, Published>()
  attrs: Attrs = {}
  /** The first stream slot the join granted (protocol 1.1), until pubStream claims it. */
  grant: PublishResult | null = null
  /** Stream id → local time (ms) after which its play URLs are due for renewal. */
  private playExpiry = new Map<string, number>()
  /** Our play credential (protocol 1.2) and the local time (ms) it runs out. */
  private media: (MediaCredential & { expiresAt: number }) | null = null
  /** Where the member list continues (getMembers); null: we were given everyone. */
  membersCursor: string | null = null
  /** How many are in the conference, as the server last said (protocol 1.2). */
  memberCount: MemberCount | null = null
  resumeToken = ''
  heartbeatMs = 0
  graceMs = 0
  /** Revision 6: the lock, mute-all, hands, the host's hold on us, an invitation to speak. */
  readonly meeting = new Meeting(() => this.published)

  get confrId(): string | null {
    return this.conference ? this.conference.confrId : null
  }

  clear(): void {
    this.conference = null
    this.self = null
    this.members = new Map()
    this.streams = new Map()
    this.published = new Map()
    this.attrs = {}
    this.grant = null
    this.playExpiry = new Map()
    this.media = null
    this.membersCursor = null
    this.memberCount = null
    this.resumeToken = ''
    this.meeting.clear()
  }

  /**
   * A stream with its play URLs composed from our credential (protocol 1.2: the server sends
   * streams without them, one frame for every receiver). A stream that came with URLs (an older
   * server) keeps them.
   */
  private withUrls(stream: Stream): Stream {
    const m = this.media
    if (stream.rtmp || !m) return stream
    const query = `?token=${encodeURIComponent(m.token)}`
    const ttl = Math.max(0, Math.ceil((m.expiresAt - Date.now()) / 1000))
    const out: Stream = { ...stream, rtmp: `${m.rtmpBase}/${stream.id}${query}`, ttl }
    if (m.flvBase) out.flv = `${m.flvBase}/${stream.id}.flv${query}`
    return out
  }

  /** A fresh credential (join, resume, subscribe): every stream's URLs are composed anew. */
  renewMedia(media: MediaCredential): void {
    this.media = { ...media, expiresAt: Date.now() + media.ttl * 1000 }
    for (const [id, s] of this.streams) {
      const next = this.withUrls({ ...s, rtmp: undefined, flv: undefined })
      this.streams.set(id, next)
      this.notePlayUrls(id, next.ttl)
    }
  }

  /** Members of a getMembers page: added to what we know, nobody told (they were there). */
  addMembers(members: Member[]): void {
    for (const m of members) if (!this.isSelf(m.id)) this.members.set(m.id, m)
  }

  /** The play URLs of a stream as received now; `ttl` (s) from the server, when it says. */
  notePlayUrls(streamId: string, ttl: number | undefined): void {
    // Renew at 90% of the lifetime: a URL handed to live-player must still work when it connects.
    if (ttl) this.playExpiry.set(streamId, Date.now() + ttl * 900)
    else this.playExpiry.delete(streamId)
  }

  /** Whether the play URLs we hold for a stream are (nearly) expired. */
  playUrlsExpired(streamId: string): boolean {
    const at = this.playExpiry.get(streamId)
    return at !== undefined && Date.now() >= at
  }

  /** A join reply: you first, then the members present, then their live streams. */
  join(res: JoinResult): Change[] {
    this.install(res)
    const self = this.self as Member
    return [
      change('memberJoined', self),
      ...Array.from(this.members.values(), (m) => change('memberJoined', m)),
      ...Array.from(this.streams.values(), (s) => change('streamAdded', s)),
      // A late joiner learns the conference's attributes the way the others did.
      ...(Object.keys(this.attrs).length ? [change('confrAttrsUpdated', this.attrs)] : []),
      ...this.meeting.install(res, true),
    ]
  }

  /** A resume reply: what happened while the socket was gone, as if the events had arrived. */
  resume(res: ResumeResult): Change[] {
    const before = {
      self: this.self,
      members: this.members,
      streams: this.streams,
      attrs: this.attrs,
    }
    this.install(res)
    // A partial page (a big room) cannot say who left: keep who we knew beyond it.
    if (res.membersCursor)
      for (const [id, m] of before.members) if (!this.members.has(id)) this.members.set(id, m)
    this.published = new Map(res.published.map((p) => [p.stream.id, p]))
    const self = this.self as Member
    const out: Change[] = []
    // A stream now played from another engine (its conference moved to another server of a
    // cluster) is withdrawn and announced again: the app's player must switch URL.
    const moved = (id: string) => {
      const now = this.streams.get(id)
      const old = before.streams.get(id)
      return !!now && !!old && playedFrom(now) !== playedFrom(old)
    }
    for (const [id, s] of before.streams)
      if (!this.streams.has(id) || moved(id)) out.push(change('streamRemoved', s))
    for (const [id, m] of before.members) {
      if (!this.members.has(id)) out.push(change('memberExited', m, 'exit'))
    }
    if (before.self && before.self.role !== self.role) {
      out.push(change('roleChanged', self.role, this.conference!.roleToken))
    }
    for (const [id, m] of this.members) {
      const old = before.members.get(id)
      if (!old) out.push(change('memberJoined', m))
      else if (old.role !== m.role || old.nickName !== m.nickName)
        out.push(change('memberUpdated', m))
    }
    for (const [id, s] of this.streams) {
      const old = before.streams.get(id)
      const update = old && mediaUpdate(old, s)
      if (!old || moved(id)) out.push(change('streamAdded', s))
      else if (update) out.push(change('mediaChanged', s, update))
    }
    if (!sameAttrs(before.attrs, this.attrs)) out.push(change('confrAttrsUpdated', this.attrs))
    out.push(...this.meeting.install(res, false))
    return out
  }

  /** A server event about the current conference (others are ignored). */
  /**
   * Keys set (with their values) and keys removed, on the set we hold; the new set. Also for our
   * own accepted change, whose event may come a merge window after the reply.
   */
  changeAttrs(set: Attrs, removed: readonly string[]): Attrs {
    // A key is set or removed in one change, never both; spread copies keys as data.
    const attrs: Attrs = { ...this.attrs, ...set }
    for (const key of removed) delete attrs[key]
    this.attrs = attrs
    return { ...attrs }
  }

  /** An event of the server (the socket layer trusts its shape: the server typed it too). */
  event(frame: AnyEventFrame): Change[] {
    const d = frame.data as { confrId?: unknown } | null
    if (!this.conference || !d || d.confrId !== this.conference.confrId) return []
    switch (frame.event) {
      case 'memberJoined':
        return this.memberJoined(frame.data.member)
      case 'membersJoined': {
        // Revision 5: the arrivals of one moment in one frame, told one by one as emedia does.
        const members: unknown = frame.data.members
        const out: Change[] = []
        if (!Array.isArray(members)) return out
        for (const m of members as Member[])
          if (m && typeof m.id === 'string') out.push(...this.memberJoined(m))
        return out
      }
      case 'memberExited':
        return this.memberExited(frame.data.member, frame.data.cause)
      case 'memberUpdated':
        return this.memberUpdated(frame.data.member, frame.data.roleToken)
      case 'streamAdded':
        return this.streamAdded(frame.data.stream)
      case 'streamRemoved':
        return this.streamRemoved(frame.data.stream)
      case 'mediaChanged':
        return this.mediaChanged(frame.data.stream)
      case 'attrsUpdated':
        this.attrs = { ...frame.data.attrs }
        return [change('confrAttrsUpdated', this.attrs)]
      case 'attrsChanged': {
        // Revision 3 sends what changed; the app still gets the whole set, as emedia gives it.
        const { set, removed } = frame.data
        this.changeAttrs(set, Array.isArray(removed) ? removed : [])
        return [change('confrAttrsUpdated', this.attrs)]
      }
      case 'mediaError':
        return [change('mediaError', frame.data as MediaErrorInfo)]
      case 'memberCount': {
        const { members, audience } = frame.data
        this.memberCount = { members, audience }
        return [change('memberCount', { ...this.memberCount })]
      }
      default:
        return this.meeting.event(frame) ?? []
    }
  }

  /** Your stream's media flags as the server confirmed them. */
  updateOwnStream(stream: Stream): void {
    const p = this.published.get(stream.id)
    if (p) this.published.set(stream.id, { stream, rtmp: p.rtmp })
  }

  private install(res: JoinResult): void {
    this.conference = { ...res.conference }
    this.self = { ...res.self, isSelf: true }
    const selfId = res.self.id
    this.members = new Map(res.members.filter((m) => m.id !== selfId).map((m) => [m.id, m]))
    this.membersCursor = res.membersCursor || null
    this.memberCount = res.memberCount ? { ...res.memberCount } : null
    if (res.media) this.media = { ...res.media, expiresAt: Date.now() + res.media.ttl * 1000 }
    const streams = res.streams.filter((s) => s.memId !== selfId).map((s) => this.withUrls(s))
    this.streams = new Map(streams.map((s) => [s.id, s]))
    this.playExpiry = new Map()
    for (const s of this.streams.values()) this.notePlayUrls(s.id, s.ttl)
    this.grant = res.grant ?? null
    this.attrs = { ...res.attrs }
    this.resumeToken = res.resumeToken
    this.heartbeatMs = res.heartbeatMs
    this.graceMs = res.graceMs
  }

  private isSelf(memberId: string): boolean {
    return !!this.self && this.self.id === memberId
  }

  private memberJoined(member: Member): Change[] {
    if (this.isSelf(member.id)) return []
    const known = this.members.has(member.id)
    this.members.set(member.id, member)
    return [change(known ? 'memberUpdated' : 'memberJoined', member)]
  }

  private memberExited(member: Member, cause: Events['memberExited']['cause']): Change[] {
    const known = this.members.get(member.id)
    if (!known) return []
    const out: Change[] = []
    // Their streams go first, whether or not the server's streamRemoved came before.
    for (const s of Array.from(this.streams.values())) {
      if (s.memId === member.id) out.push(...this.streamRemoved(s))
    }
    this.members.delete(member.id)
    out.push(change('memberExited', known, cause))
    return out
  }

  private memberUpdated(member: Member, roleToken?: string): Change[] {
    if (!this.isSelf(member.id)) {
      if (!this.members.has(member.id)) return []
      this.members.set(member.id, member)
      for (const [id, s] of this.streams) {
        if (s.memId === member.id) this.streams.set(id, { ...s, owner: member })
      }
      return [change('memberUpdated', member)]
    }
    const before = this.self as Member
    this.self = { ...member, isSelf: true }
    const conference = this.conference as Conference
    if (roleToken) this.conference = { ...conference, roleToken }
    // The server withdraws the streams of a member who may no longer publish, and tells only
    // the others: forget them here.
    if (!canPublish(member.role)) {
      this.published = new Map()
      this.grant = null
    }
    const out: Change[] = [change('memberUpdated', this.self)]
    if (before.role !== member.role) {
      out.push(change('roleChanged', member.role, (this.conference as Conference).roleToken))
    }
    return out
  }

  private streamAdded(announced: Stream): Change[] {
    if (this.isSelf(announced.memId)) return []
    const stream = this.withUrls(announced)
    const old = this.streams.get(stream.id)
    this.streams.set(stream.id, stream)
    this.notePlayUrls(stream.id, stream.ttl)
    if (!old) return [change('streamAdded', stream)]
    // Announced again (a publisher back with the same URL): no second tile, only news.
    const update = mediaUpdate(old, stream)
    return update ? [change('mediaChanged', stream, update)] : []
  }

  private streamRemoved(stream: Stream): Change[] {
    const known = this.streams.get(stream.id)
    if (!known) return []
    this.streams.delete(stream.id)
    return [change('streamRemoved', known)]
  }

  private mediaChanged(stream: Stream): Change[] {
    const old = this.streams.get(stream.id)
    if (!old) return []
    // The event may omit the viewer's play URLs: keep ours.
    const next: Stream = {
      ...old,
      ...stream,
      rtmp: stream.rtmp || old.rtmp,
      flv: stream.flv || old.flv,
    }
    this.streams.set(stream.id, next)
    const update = mediaUpdate(old, next)
    return update ? [change('mediaChanged', next, update)] : []
  }
}
