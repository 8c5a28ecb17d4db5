// What must hold of the service's state whatever clients did: checked by the fuzz test, the big
// room test and the soak. Returns the violations; none means consistent.
import { MAX_HANDS, MESSAGE_HISTORY, Role } from 'miniprogram-conference-protocol'
import { socketsOf } from '../server/security/sockets'
import { canPublish } from '../server/conference/state'
import { type ConferenceService } from '../server/conference/service'

export function checkInvariants(service: ConferenceService): string[] {
  const bad: string[] = []
  // The room index is private: read it without widening the service's interface.
  const byRoom = (service as unknown as { byRoom: Map<string, string> }).byRoom
  const sessions = new Map<string, string>()

  for (const [id, conf] of service.conferences) {
    const at = `conference ${id}`
    if (conf.id !== id) bad.push(`${at}: stored under another id (${conf.id})`)
    if (conf.name !== undefined && byRoom.get(conf.name) !== id)
      bad.push(`${at}: room "${conf.name}" is not indexed to it`)
    if ((conf.members.size === 0) !== (conf.emptyTimer !== null))
      bad.push(
        `${at}: ${conf.members.size} members but end timer ${conf.emptyTimer ? 'set' : 'unset'}`,
      )

    const users = new Set<string>()
    for (const [mid, m] of conf.members) {
      const who = `${at} member ${mid}`
      if (m.id !== mid) bad.push(`${who}: stored under another id (${m.id})`)
      if (users.has(m.userId)) bad.push(`${who}: user ${m.userId} is in it twice`)
      users.add(m.userId)
      // Connected, or disconnected and waiting out the grace window: never both, never neither.
      if ((m.peer === null) !== (m.graceTimer !== null))
        bad.push(
          `${who}: peer ${m.peer ? 'set' : 'null'} but grace timer ${m.graceTimer ? 'set' : 'unset'}`,
        )
      const held = (m.peer as { memberships?: ReadonlyMap<string, string> } | null)?.memberships
      if (held && held.get(id) !== mid) bad.push(`${who}: its socket does not hold this membership`)
    }

    // The indexes ConferenceState keeps (join is O(1) in room size) match a recount.
    let talkers = 0
    let hiding = 0
    let lastSeq = 0
    for (const m of conf.members.values()) {
      const who = `${at} member ${m.id}`
      if (canPublish(m.role)) talkers++
      if (m.role === Role.HIDING) hiding++
      if (conf.memberByUser(m.userId) !== m) bad.push(`${who}: not indexed by its user`)
      if (canPublish(m.role) !== conf.stage.has(m))
        bad.push(`${who}: role ${m.role} but ${conf.stage.has(m) ? 'on' : 'off'} the stage index`)
      // Paging walks members in join order: the map's order must be the sequence's.
      if (m.seq <= lastSeq) bad.push(`${who}: join sequence ${m.seq} out of order`)
      lastSeq = m.seq
    }
    for (const m of conf.stage)
      if (conf.members.get(m.id) !== m) bad.push(`${at}: stage index holds departed ${m.id}`)
    const counted = {
      talkerCount: talkers,
      listenerCount: conf.members.size - talkers,
      visibleCount: conf.members.size - hiding,
      audienceCount: conf.members.size - talkers - hiding,
    }
    for (const [name, n] of Object.entries(counted))
      if (conf[name as keyof typeof counted] !== n)
        bad.push(`${at}: ${name} is ${conf[name as keyof typeof counted]}, recounted ${n}`)
    if (talkers > conf.config.maxTalkerCount)
      bad.push(`${at}: ${talkers} talkers over the limit ${conf.config.maxTalkerCount}`)

    // The meeting's state (revision 6) is about present members only, and bounded.
    const { holds, hands, invitations, history } = conf.meeting
    for (const [what, ids] of [
      ['hold', holds.keys()],
      ['hand', hands.keys()],
      ['invitation to speak', invitations.keys()],
    ] as const)
      for (const id of ids)
        if (!conf.members.has(id)) bad.push(`${at}: a ${what} of departed ${id}`)
    if (hands.size > MAX_HANDS) bad.push(`${at}: ${hands.size} hands over ${MAX_HANDS}`)
    if (history.length > MESSAGE_HISTORY)
      bad.push(`${at}: ${history.length} kept messages over ${MESSAGE_HISTORY}`)

    let videos = 0
    const mixesFor = new Set<string>()
    for (const [sid, s] of conf.streams) {
      const what = `${at} stream ${sid}`
      if (s.id !== sid) bad.push(`${what}: stored under another id (${s.id})`)
      if (s.publishSession) {
        const other = sessions.get(s.publishSession)
        if (other) bad.push(`${what}: engine session shared with ${other}`)
        sessions.set(s.publishSession, sid)
      }
      if (s.type === 'mix') {
        // Mixes belong to the server; a talker's mix-minus lives as long as its talker.
        if (s.mixFor === undefined) continue
        if (!conf.members.has(s.mixFor)) bad.push(`${what}: mix for ${s.mixFor}, not a member`)
        if (mixesFor.has(s.mixFor)) bad.push(`${what}: a second mix for ${s.mixFor}`)
        mixesFor.add(s.mixFor)
        continue
      }
      if (s.type === 'normal' && !s.reserved) videos++
      const owner = conf.members.get(s.memberId)
      if (!owner) bad.push(`${what}: owner ${s.memberId} is not a member`)
      else if (!canPublish(owner.role))
        bad.push(`${what}: owner ${s.memberId} may not publish (role ${owner.role})`)
    }
    if (videos > conf.config.maxVideoCount)
      bad.push(`${at}: ${videos} streams over the limit ${conf.config.maxVideoCount}`)
  }

  for (const [room, id] of byRoom) {
    const conf = service.conferences.get(id)
    if (!conf) bad.push(`room "${room}": indexed to ${id}, which does not exist`)
    else if (conf.name !== room) bad.push(`room "${room}": indexed to ${id}, named "${conf.name}"`)
  }

  // Every membership a live socket holds is a member of a live conference bound to that socket.
  for (const socket of socketsOf(service)?.all() ?? []) {
    for (const [confrId, memberId] of socket.memberships) {
      const member = service.conferences.get(confrId)?.members.get(memberId)
      if (!member) bad.push(`a socket holds ${memberId} in ${confrId}, which does not exist`)
      else if (member.peer !== (socket as unknown))
        bad.push(`${memberId} in ${confrId} is bound to another socket`)
    }
  }
  return bad
}
