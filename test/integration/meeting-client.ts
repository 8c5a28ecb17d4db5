// An SDK test client that also records the meeting's events (revision 6), by name, each call's
// arguments in order: what the suites of the host controls, hands and chat assert on.
import { type EmediaEvents } from '../../sdk/events'
import { type NodeClient } from '../../testkit/sdk-client'

export const MEETING_EVENTS = [
  'mutedByHost',
  'handsChanged',
  'controlsChanged',
  'speakInvitation',
  'speakInvitationAnswered',
  'message',
  'roleDenied',
] as const satisfies ReadonlyArray<keyof EmediaEvents>

export type MeetingClient = NodeClient & {
  mgr: NodeClient['emedia']['mgr']
  heard: Record<(typeof MEETING_EVENTS)[number], unknown[][]>
}

export function meetingClient(c: NodeClient): MeetingClient {
  const heard = Object.fromEntries(
    MEETING_EVENTS.map((n) => [n, [] as unknown[][]]),
  ) as MeetingClient['heard']
  for (const name of MEETING_EVENTS)
    c.emedia.mgr.on(name, (...args: unknown[]) => heard[name].push(args))
  return Object.assign(c, { mgr: c.emedia.mgr, heard })
}
