// Events to members: through their socket, or nowhere while it is gone (grace window).
import { Role } from '../../sdk/protocol'
import { type ConferenceState, type MemberState } from './conference'

export function send(member: MemberState, event: string, data: unknown) {
  member.peer?.send(event, data)
}

/** `data` is built per receiver; `except` (a member id) is left out. */
export function broadcast(
  conf: ConferenceState,
  event: string,
  data: (m: MemberState) => unknown,
  except?: string,
) {
  for (const m of conf.members.values()) if (m.id !== except) send(m, event, data(m))
}

/**
 * The same `data` for everyone (but `except`): serialised once, not once per receiver, which is
 * what made joins into a 1,000-member room quadratic in JSON work.
 */
export function broadcastAll(conf: ConferenceState, event: string, data: unknown, except?: string) {
  const frame = JSON.stringify({ event, data })
  for (const m of conf.members.values()) if (m.id !== except) m.peer?.sendFrame(frame)
}

export function notifyAdmins(conf: ConferenceState, event: string, data: unknown) {
  for (const m of conf.members.values()) if (m.role === Role.ADMIN) send(m, event, data)
}
