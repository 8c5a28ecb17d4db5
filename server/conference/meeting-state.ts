// A conference's meeting state (revision 6): the lock, mute-all and each member's own hold, raised
// hands, pending invitations to speak, and the kept chat. No I/O here: controls.ts, hands.ts and
// chat.ts decide and send. Stored with the conference in a cluster (cluster/codec.ts).
import {
  type ChatMessage,
  type ConferenceControls,
  type Hand,
  type HostMute,
  MESSAGE_HISTORY,
  type MuteAll,
  type MuteKinds,
} from 'miniprogram-conference-protocol'

export type MediaKind = keyof MuteKinds
export const KINDS: readonly MediaKind[] = ['audio', 'video']

/**
 * A member's own hold, over mute-all: a kind set true is held, set false is free whatever mute-all
 * says (the host lifted it, or the member unmuted itself where allowed); absent follows mute-all.
 */
export interface Hold {
  audio?: boolean
  video?: boolean
  allowSelfUnmute?: boolean
}

export const FREE: HostMute = { audio: false, video: false, allowSelfUnmute: true }

export class MeetingState {
  locked = false
  muteAll: MuteAll = { audio: false, video: false, allowSelfUnmute: true }
  /** memberId → its own hold (only members the host acted on). */
  readonly holds = new Map<string, Hold>()
  /** memberId → its raised hand, in the order raised. */
  readonly hands = new Map<string, Hand>()
  /** memberId → the member id of the admin who invited it to speak (not answered yet). */
  readonly invitations = new Map<string, string>()
  /** Public text messages, oldest first, at most MESSAGE_HISTORY. */
  history: ChatMessage[] = []
  /** The id of the last message accepted (kept or not). */
  lastMessageId = 0

  /**
   * What the host holds a member to: its own hold where it has one, mute-all for the rest —
   * admins are not held by mute-all. Self-unmute follows whichever holds it.
   */
  holdOf(memberId: string, isAdmin: boolean): HostMute {
    const own = this.holds.get(memberId)
    const all = this.muteAll
    const out = { ...FREE }
    let byOwn = false
    for (const k of KINDS) {
      const mine = own?.[k]
      out[k] = mine ?? (!isAdmin && all[k])
      if (mine === true) byOwn = true
    }
    if (out.audio || out.video)
      out.allowSelfUnmute = byOwn ? !!own?.allowSelfUnmute : all.allowSelfUnmute
    return out
  }

  /** Set a member's own hold for the kinds given (an empty hold is dropped). */
  setHold(memberId: string, change: Hold): void {
    const hold: Hold = { ...this.holds.get(memberId), ...change }
    for (const k of KINDS) if (hold[k] === undefined) delete hold[k]
    if (hold.audio === undefined && hold.video === undefined) this.holds.delete(memberId)
    else this.holds.set(memberId, hold)
  }

  /** Mute-all for the kinds given; each member's own hold of those kinds gives way to it. */
  setMuteAll(change: Partial<MuteKinds>, allowSelfUnmute: boolean): void {
    this.muteAll = { ...this.muteAll, ...change, allowSelfUnmute }
    for (const id of [...this.holds.keys()]) {
      const cleared: Hold = {}
      for (const k of KINDS) if (change[k] !== undefined) cleared[k] = undefined
      this.setHold(id, cleared)
    }
  }

  handList(): Hand[] {
    return [...this.hands.values()]
  }

  controls(): ConferenceControls {
    return { locked: this.locked, muteAll: { ...this.muteAll }, hands: this.handList() }
  }

  /** A member left: its hold, hand and invitation go with it. True when it had a hand up. */
  forget(memberId: string): boolean {
    this.holds.delete(memberId)
    this.invitations.delete(memberId)
    return this.hands.delete(memberId)
  }

  /** A new message id. */
  nextMessageId(): number {
    return ++this.lastMessageId
  }

  keep(message: ChatMessage): void {
    this.history.push(message)
    if (this.history.length > MESSAGE_HISTORY)
      this.history.splice(0, this.history.length - MESSAGE_HISTORY)
  }

  /** Up to `limit` kept messages before id `before` (absent: the latest), oldest first. */
  page(before: number | undefined, limit: number): { messages: ChatMessage[]; more: boolean } {
    const end =
      before === undefined ? this.history.length : this.history.findIndex((m) => m.id >= before)
    const stop = end < 0 ? this.history.length : end
    const start = Math.max(0, stop - limit)
    return { messages: this.history.slice(start, stop), more: start > 0 }
  }
}
