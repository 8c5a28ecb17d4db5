// Event frames as the server sends them: serialised once however many sockets receive them, and
// the frames that tell one turn's arrivals (arrivals.ts), made per receiver revision on demand.
import WebSocket from 'ws'
import {
  type EventName,
  type Events,
  eventFrame,
  knowsEvent,
} from 'miniprogram-conference-protocol'

/** ws's own framing (public in ws, absent from its type definitions). */
const { Sender } = WebSocket as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] }
}

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

  /** The unmasked, final, uncompressed text frame a server sends (RFC 6455). */
  get wire(): Buffer {
    if (this.framed) return this.framed
    const parts = Sender.frame(Buffer.from(this.text), {
      fin: true,
      opcode: 0x01,
      mask: false,
      readOnly: true,
      rsv1: false,
    })
    return (this.framed = Buffer.concat(parts))
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
