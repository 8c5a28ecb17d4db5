// Arrivals in COMMUNICATION and COMMUNICATION_MIX conferences, told in batches. The members who
// join a conference in one turn of the event loop are announced together when the turn ends: to a
// client of revision 4 on in one `membersJoined` frame, to an older client as one `memberJoined`
// frame each, as it always had them. A receiver that itself joined in that turn gets the arrivals
// after its own (the earlier ones were in its join reply), exactly what separate frames gave it.
// 1,000 joins at once cost ~500,000 frames before; now each member gets one frame per turn.
// Nothing overtakes an arrival: every other event to members (sending.ts, attributes.ts) and every
// request but a join (service.ts) sends what is pending first.
import { type ConferenceState, Frame, type MemberState } from './conference'

/** The revision from which a client takes membersJoined. */
export const BATCH_REV = 4

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
  const head = `{"confrId":${JSON.stringify(conf.id)},`
  const singles: Frame[] = []
  const single = (i: number) =>
    (singles[i] ??= new Frame(
      `{"event":"memberJoined","data":${head}"member":${arrivals[i].json}}}`,
    ))
  // tails[i]: the views of arrivals i.. joined by commas, built from the end (V8 concatenates
  // without copying, so every suffix costs O(1) until a frame of it is encoded).
  let tails: string[] | null = null
  const batches: Frame[] = []
  const batch = (i: number): Frame => {
    if (i === n - 1) return single(i)
    if (!tails) {
      tails = new Array<string>(n)
      tails[n - 1] = arrivals[n - 1].json
      for (let k = n - 2; k >= 0; k--) tails[k] = arrivals[k].json + ',' + tails[k + 1]
    }
    return (batches[i] ??= new Frame(
      `{"event":"membersJoined","data":${head}"members":[${tails[i]}]}}`,
    ))
  }
  // Members in join order: `next` is the first arrival after the receiver.
  let next = 0
  for (const m of conf.members.values()) {
    while (next < n && arrivals[next].seq <= m.seq) next++
    if (next === n) break
    const peer = m.peer
    if (!peer) continue
    if ((peer.rev ?? 0) >= BATCH_REV) peer.sendFrame(batch(next))
    else for (let i = next; i < n; i++) peer.sendFrame(single(i))
  }
}
