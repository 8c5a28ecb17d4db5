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
 * and, made on first use, the whole WebSocket text frame (header and UTF-8 payload in one
 * buffer), which every socket writes as it is: a broadcast to 2,000 members is one encoding and
 * one framing, and one plain write per socket instead of ws's header + payload gathered write.
 */
export class Frame {
  private framed: Buffer | null = null
  constructor(readonly text: string) {}

  static of<E extends EventName>(event: E, data: Events[E]): Frame {
    return new Frame(eventFrame(event, data))
  }

  /** The unmasked, final, uncompressed text frame a server sends (RFC 6455 5.2): the header, then
   * the payload encoded straight into the same buffer (one copy, however big the frame). */
  get wire(): Buffer {
    if (this.framed) return this.framed
    const length = Buffer.byteLength(this.text)
    const head = length < 126 ? 2 : length < 65536 ? 4 : 10
    const buf = Buffer.allocUnsafe(head + length)
    buf[0] = 0x81 // FIN, opcode 1 (text)
    if (head === 2) buf[1] = length
    else if (head === 4) {
      buf[1] = 126
      buf.writeUInt16BE(length, 2)
    } else {
      buf[1] = 127
      buf.writeBigUInt64BE(BigInt(length), 2)
    }
    buf.write(this.text, head, 'utf8')
    return (this.framed = buf)
  }
}

/**
 * Arrivals in one `membersJoined` frame at most. A joiner of the turn is sent the arrivals after
 * its own, a frame of its own: with no bound the frames of a turn of k arrivals would hold
 * k²/2 members (a cluster forwards joins in bursts of hundreds); with it, k × MAX_BATCH at most,
 * and a member there before gets a frame per MAX_BATCH arrivals.
 */
export const MAX_BATCH = 64

/** The arrivals of one turn in one conference, and the frames that tell them, made on demand. */
export class ArrivalFrames {
  private readonly singles: Frame[] = []
  private readonly batches: Frame[] = []
  /** tails[i]: the views of arrivals i.. to the end of i's batch, joined by commas, built from
   * the end (V8 concatenates without copying: a suffix costs O(1) until a frame of it is made). */
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
    const out: Frame[] = []
    if (knowsEvent(rev, 'membersJoined')) {
      for (let i = from; i < n; i = this.batchEnd(i)) out.push(this.batch(i))
      return out
    }
    for (let i = from; i < n; i++) out.push(this.single(i))
    return out
  }

  private single(i: number): Frame {
    return (this.singles[i] ??= new Frame(
      `{"event":"memberJoined","data":${this.head}"member":${this.members[i]}}}`,
    ))
  }

  /** Where the batch holding arrival i ends (exclusive). */
  private batchEnd(i: number): number {
    return Math.min(this.members.length, (Math.floor(i / MAX_BATCH) + 1) * MAX_BATCH)
  }

  /** Arrivals i.. to the end of their batch in one frame; a batch of one is the frame every
   * revision knows. */
  private batch(i: number): Frame {
    if (i === this.batchEnd(i) - 1) return this.single(i)
    if (!this.tails) {
      const { members } = this
      const tails = new Array<string>(members.length)
      for (let k = members.length - 1; k >= 0; k--)
        tails[k] = k + 1 === this.batchEnd(k) ? members[k] : members[k] + ',' + tails[k + 1]
      this.tails = tails
    }
    return (this.batches[i] ??= new Frame(
      `{"event":"membersJoined","data":${this.head}"members":[${this.tails[i]}]}}`,
    ))
  }
}
