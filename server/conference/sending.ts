// Events to members: through their socket, or nowhere while it is gone (grace window).
import {
  type EventName,
  type Events,
  eventFrame,
  knowsEvent,
  Role,
} from 'miniprogram-conference-protocol'
import { type ConferenceState, type MemberState } from './state'

/** Whether `member` is to hear `event`: it has a socket that speaks a revision knowing it. */
const hears = (member: MemberState, event: EventName) =>
  member.peer !== null && knowsEvent(member.peer.rev ?? 0, event)

export function send<E extends EventName>(member: MemberState, event: E, data: Events[E]) {
  if (hears(member, event)) member.peer?.send(event, data)
}

/** `data` is built per receiver; `except` (a member id) is left out. */
export function broadcast<E extends EventName>(
  conf: ConferenceState,
  event: E,
  data: (m: MemberState) => Events[E],
  except?: string,
) {
  for (const m of conf.members.values()) if (m.id !== except) send(m, event, data(m))
}

/**
 * The same `data` for the members `who` picks: serialised once, not once per receiver, which is
 * what made joins into a 1,000-member room quadratic in JSON work.
 */
export function broadcastWhere<E extends EventName>(
  conf: ConferenceState,
  event: E,
  data: Events[E],
  who: (m: MemberState) => boolean,
) {
  const frame = eventFrame(event, data)
  for (const m of conf.members.values()) if (hears(m, event) && who(m)) m.peer?.sendFrame(frame)
}

/** The same `data` for everyone (but `except`), serialised once. */
export function broadcastAll<E extends EventName>(
  conf: ConferenceState,
  event: E,
  data: Events[E],
  except?: string,
) {
  broadcastWhere(conf, event, data, (m) => m.id !== except)
}

/** As broadcastAll, to the members who may publish (ADMIN, TALKER) only: O(stage), not O(room). */
export function broadcastStage<E extends EventName>(
  conf: ConferenceState,
  event: E,
  data: Events[E],
  except?: string,
) {
  const frame = eventFrame(event, data)
  for (const m of conf.stage) if (m.id !== except && hears(m, event)) m.peer?.sendFrame(frame)
}

/** As broadcastAll, to the members who may not publish (AUDIENCE, HIDING) only. */
export function broadcastOffStage<E extends EventName>(
  conf: ConferenceState,
  event: E,
  data: Events[E],
  except?: string,
) {
  broadcastWhere(conf, event, data, (m) => m.id !== except && !conf.stage.has(m))
}

export function notifyAdmins<E extends EventName>(
  conf: ConferenceState,
  event: E,
  data: Events[E],
) {
  for (const m of conf.members.values()) if (m.role === Role.ADMIN) send(m, event, data)
}
