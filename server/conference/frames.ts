// Event frames as the server sends them: serialised once however many sockets receive them, and
// the frames that tell one turn's arrivals (arrivals.ts), made per receiver revision on demand.
import {
  type EventName,
  type Events,
  eventFrame,
  knowsEvent,
} from 'miniprogram-conference-protocol'

/**
 * An event frame serialised once for all its receivers: its text (what the cluster bus carries)
 * and, made on first use, its UTF-8 bytes, which every socket sends as they are instead of
 * encoding the text again (a batch of arrivals to 1,000 members is one encoding, not 1,000).
 */
export class Frame {
  private encoded: Buffer | null = null
  constructor(readonly text: string) {}

  static of<E extends EventName>(event: E, data: Events[E]): Frame {
    return new Frame(eventFrame(event, data))
  }

  get bytes(): Buffer {
    return (this.encoded ??= Buffer.from(this.text))
  }
}

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
    if (knowsEvent(rev, 'membersJoined')) return [this.batch(from)]
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
