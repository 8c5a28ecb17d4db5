// An SDK test client with the meeting's events (revision 6) it recorded by name, each call's
// arguments in order: what the suites of the host controls, hands and chat assert on.
import { MEETING_EVENTS, type NodeClient } from '../../testkit/sdk-client'

export type MeetingClient = NodeClient & {
  mgr: NodeClient['emedia']['mgr']
  heard: Record<(typeof MEETING_EVENTS)[number], unknown[][]>
}

export function meetingClient(c: NodeClient): MeetingClient {
  // What the client recorded of each meeting event, read when asked.
  const heard = {} as MeetingClient['heard']
  for (const name of MEETING_EVENTS)
    Object.defineProperty(heard, name, { get: () => c.events(name), enumerable: true })
  return Object.assign(c, { mgr: c.emedia.mgr, heard })
}
