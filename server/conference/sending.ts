// Events to members: through their socket, or nowhere while it is gone (grace window). Arrivals
// still pending (arrivals.ts) go first, so that no event overtakes the arrival it follows.
import { type EventName, type Events, Role } from '../../sdk/protocol'
import { flushArrivals } from './arrivals'
import { type ConferenceState, Frame, type MemberState } from './conference'

export function send<E extends EventName>(member: MemberState, event: E, data: Events[E]) {
  flushArrivals()
  member.peer?.send(event, data)
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

/** `frame` to the members `to` picks, but `except`. */
function sendTo(
  members: Iterable<MemberState>,
  frame: Frame,
  except: string | undefined,
  to: (m: MemberState) => boolean = () => true,
) {
  flushArrivals()
  for (const m of members) if (m.id !== except && to(m)) m.peer?.sendFrame(frame)
}

/**
 * The same `data` for everyone (but `except`): serialised and encoded once, not once per
 * receiver, which is what made joins into a 1,000-member room quadratic in JSON work.
 */
export function broadcastAll<E extends EventName>(
  conf: ConferenceState,
  event: E,
  data: Events[E],
  except?: string,
) {
  sendTo(conf.members.values(), Frame.of(event, data), except)
}

/** As broadcastAll, to the members who may publish (ADMIN, TALKER) only: O(stage), not O(room). */
export function broadcastStage<E extends EventName>(
  conf: ConferenceState,
  event: E,
  data: Events[E],
  except?: string,
) {
  sendTo(conf.stage, Frame.of(event, data), except)
}

/** As broadcastAll, to the members who may not publish (AUDIENCE, HIDING) only. */
export function broadcastOffStage<E extends EventName>(
  conf: ConferenceState,
  event: E,
  data: Events[E],
  except?: string,
) {
  sendTo(conf.members.values(), Frame.of(event, data), except, (m) => !conf.stage.has(m))
}

export function notifyAdmins<E extends EventName>(
  conf: ConferenceState,
  event: E,
  data: Events[E],
) {
  for (const m of conf.members.values()) if (m.role === Role.ADMIN) send(m, event, data)
}
