// Events to members: through their socket, or nowhere while it is gone (grace window). Arrivals
// still pending (arrivals.ts) go first, so that no event overtakes the arrival it follows.
import { type EventName, type Events, knowsEvent, Role } from 'miniprogram-conference-protocol'
import { flushArrivals } from './arrivals'
import { Frame } from './frames'
import { type ConferenceState, type MemberState } from './state'

/** Whether `member` is to hear `event`: it has a socket that speaks a revision knowing it. */
const hears = (member: MemberState, event: EventName) =>
  member.peer !== null && knowsEvent(member.peer.rev ?? 0, event)

export function send<E extends EventName>(member: MemberState, event: E, data: Events[E]) {
  flushArrivals()
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

/** `event` to the members `to` picks (but `except`) whose revision knows it: serialised and
 * encoded once, not once per receiver. */
function sendTo<E extends EventName>(
  members: Iterable<MemberState>,
  event: E,
  data: Events[E],
  except: string | undefined,
  to: (m: MemberState) => boolean = () => true,
) {
  flushArrivals()
  const frame = Frame.of(event, data)
  for (const m of members) if (m.id !== except && to(m) && hears(m, event)) m.peer?.sendFrame(frame)
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
  sendTo(conf.members.values(), event, data, undefined, who)
}

/** The same `data` for everyone (but `except`), serialised once. */
export function broadcastAll<E extends EventName>(
  conf: ConferenceState,
  event: E,
  data: Events[E],
  except?: string,
) {
  sendTo(conf.members.values(), event, data, except)
}

/** As broadcastAll, to the members who may publish (ADMIN, TALKER) only: O(stage), not O(room). */
export function broadcastStage<E extends EventName>(
  conf: ConferenceState,
  event: E,
  data: Events[E],
  except?: string,
) {
  sendTo(conf.stage, event, data, except)
}

/** As broadcastAll, to the members who may not publish (AUDIENCE, HIDING) only. */
export function broadcastOffStage<E extends EventName>(
  conf: ConferenceState,
  event: E,
  data: Events[E],
  except?: string,
) {
  sendTo(conf.members.values(), event, data, except, (m) => !conf.stage.has(m))
}

export function notifyAdmins<E extends EventName>(
  conf: ConferenceState,
  event: E,
  data: Events[E],
) {
  for (const m of conf.members.values()) if (m.role === Role.ADMIN) send(m, event, data)
}
