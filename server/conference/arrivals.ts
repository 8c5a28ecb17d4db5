// Arrivals in COMMUNICATION and COMMUNICATION_MIX conferences, told in batches. The members who
// join a conference in one turn of the event loop are announced together when the turn ends: to a
// client whose revision knows it (5 on) in one `membersJoined` frame, to an older client as one
// `memberJoined` frame each, as it always had them. A receiver that itself joined in that turn gets
// the arrivals after its own (the earlier ones were in its join reply), as separate frames did.
// 1,000 joins at once cost ~500,000 frames before; now each member gets one frame per turn.
// Nothing overtakes an arrival: every other event to members (sending.ts, attributes.ts) and every
// request but a join (service.ts) sends what is pending first. In a cluster the batch crosses the
// bus once per node, and that node makes its sockets' frames (cluster/bus.ts).
import { ArrivalFrames } from './frames'
import { type ConferenceState, type MemberState } from './state'

interface Arrival {
  /** Join order (MemberState.seq): whom the arrival is news to. */
  seq: number
  /** The member's wire view as it was when it joined, serialised. */
  json: string
}

const pending = new Map<ConferenceState, Arrival[]>()
let scheduled = false

/** `m` joined `conf`: announced when this turn ends (or before anything else is sent). */
export function queueArrival(conf: ConferenceState, m: MemberState) {
  const arrival = { seq: m.seq, json: JSON.stringify(conf.memberView(m)) }
  const list = pending.get(conf)
  if (list) list.push(arrival)
  else pending.set(conf, [arrival])
  if (scheduled) return
  scheduled = true
  setImmediate(() => {
    scheduled = false
    flushArrivals()
  })
}

/** Send every pending arrival now. */
export function flushArrivals() {
  if (pending.size === 0) return
  const batches = [...pending]
  pending.clear()
  for (const [conf, arrivals] of batches) tell(conf, arrivals)
}

function tell(conf: ConferenceState, arrivals: Arrival[]) {
  const n = arrivals.length
  const frames = new ArrivalFrames(
    conf.id,
    arrivals.map((a) => a.json),
  )
  // Members in join order: `next` is the first arrival after the receiver.
  let next = 0
  for (const m of conf.members.values()) {
    while (next < n && arrivals[next].seq <= m.seq) next++
    if (next === n) break
    m.peer?.sendArrivals(frames, next)
  }
}
