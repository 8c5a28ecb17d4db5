// Arrivals in COMMUNICATION and COMMUNICATION_MIX conferences, told in batches. The members who
// join a conference in one turn of the event loop are announced together when the turn ends: to a
// client of revision 4 on in one `membersJoined` frame, to an older client as one `memberJoined`
// frame each, as it always had them. A receiver that itself joined in that turn gets the arrivals
// after its own (the earlier ones were in its join reply), exactly what separate frames gave it.
// 1,000 joins at once cost ~500,000 frames before; now each member gets one frame per turn.
// Nothing overtakes an arrival: every other event to members (sending.ts, attributes.ts) and every
// request but a join (service.ts) sends what is pending first. In a cluster the batch crosses the
// bus once per node, and that node makes its sockets' frames (cluster/bus.ts).
import { type ConferenceState, Frame, type MemberState } from './conference'

/** The revision from which a client takes membersJoined. */
export const BATCH_REV = 4

/** The arrivals of one turn in one conference, and the frames that tell them, made on demand. */
export class ArrivalFrames {
  private readonly singles: Frame[] = []
  private readonly batches: Frame[] = []
  /** tails[i]: the views of arrivals i.. joined by commas, built from the end (V8 concatenates
   * without copying, so every suffix costs O(1) until a frame of it is encoded). */
  private tails: string[] | null = null
  private readonly head: string

  constructor(
    readonly confrId: string,
    /** Each arrival's wire view (Member), serialised, in join order. */
    readonly members: readonly string[],
  ) {
    this.head = `{"confrId":${JSON.stringify(confrId)},`
  }

  /** What a client of revision `rev` is sent for the arrivals from index `from` on. */
  framesFor(rev: number, from: number): Frame[] {
    const n = this.members.length
    if (from >= n) return []
    if (rev >= BATCH_REV) return [this.batch(from)]
    const out: Frame[] = []
    for (let i = from; i < n; i++) out.push(this.single(i))
    return out
  }

  private single(i: number): Frame {
    return (this.singles[i] ??= new Frame(
      `{"event":"memberJoined","data":${this.head}"member":${this.members[i]}}}`,
    ))
  }

  /** Arrivals i.. in one frame; a batch of one is the frame every revision knows. */
  private batch(i: number): Frame {
    const n = this.members.length
    if (i === n - 1) return this.single(i)
    if (!this.tails) {
      const tails = new Array<string>(n)
      tails[n - 1] = this.members[n - 1]
      for (let k = n - 2; k >= 0; k--) tails[k] = this.members[k] + ',' + tails[k + 1]
      this.tails = tails
    }
    return (this.batches[i] ??= new Frame(
      `{"event":"membersJoined","data":${this.head}"members":[${this.tails[i]}]}}`,
    ))
  }
}

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
