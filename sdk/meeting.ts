// Revision 6's part of what this client knows (protocol/src/meeting.ts): the conference's lock
// and mute-all, the raised hands, what the host holds us to, and an invitation to speak not yet
// answered. The Session holds one and hands it the join and resume replies and the meeting's
// events; like the Session it returns what changed, for the caller to announce.
import { change, type Change, type ControlsState, type MutedByHost, type Published } from './events'
import type {
  AnyEventFrame,
  Hand,
  HostMute,
  JoinResult,
  Member,
  MuteAll,
} from 'miniprogram-conference-protocol'

const FREE: HostMute = { audio: false, video: false, allowSelfUnmute: true }
const NO_MUTE_ALL: MuteAll = { audio: false, video: false, allowSelfUnmute: true }

const sameMute = (a: HostMute, b: HostMute) =>
  a.audio === b.audio && a.video === b.video && a.allowSelfUnmute === b.allowSelfUnmute

const sameHands = (a: Hand[], b: Hand[]) =>
  a.length === b.length && a.every((h, i) => h.memberId === b[i].memberId && h.at === b[i].at)

export class Meeting {
  controls: ControlsState = { locked: false, muteAll: { ...NO_MUTE_ALL } }
  hands: Hand[] = []
  muted: MutedByHost = { ...FREE }
  /** Who invited us to speak, until we answer. */
  invitedBy: Member | null = null

  /** `published`: our own streams (the Session's), whose flags follow the host's hold. */
  constructor(private readonly published: () => Map<string, Published>) {}

  clear(): void {
    this.controls = { locked: false, muteAll: { ...NO_MUTE_ALL } }
    this.hands = []
    this.muted = { ...FREE }
    this.invitedBy = null
  }

  /** A join (`joining`) or resume reply: what differs from what we held is announced. */
  install(res: JoinResult, joining: boolean): Change[] {
    const before = { controls: this.controls, hands: this.hands, muted: this.muted }
    const invitedBefore = this.invitedBy
    const c = res.controls
    this.controls = c
      ? { locked: c.locked, muteAll: { ...c.muteAll } }
      : { locked: false, muteAll: { ...NO_MUTE_ALL } }
    this.hands = c ? c.hands.slice() : []
    this.muted = res.muted ? { ...res.muted } : { ...FREE }
    this.invitedBy = res.invitedBy ?? null
    this.holdOwn()
    const out: Change[] = []
    if (joining && res.roleDenied) out.push(change('roleDenied', { ...res.roleDenied }))
    const ctl = before.controls
    if (ctl.locked !== this.controls.locked || !sameMute(ctl.muteAll, this.controls.muteAll))
      out.push(change('controlsChanged', this.controlsCopy()))
    if (!sameHands(before.hands, this.hands)) out.push(change('handsChanged', this.hands.slice()))
    if (!sameMute(before.muted, this.muted)) out.push(change('mutedByHost', { ...this.muted }))
    if (this.invitedBy && this.invitedBy.id !== invitedBefore?.id)
      out.push(change('speakInvitation', this.invitedBy))
    return out
  }

  /** A meeting event; null for any other. */
  event(frame: AnyEventFrame): Change[] | null {
    switch (frame.event) {
      case 'controlsChanged': {
        const { locked, muteAll } = frame.data
        this.controls = { locked, muteAll: { ...muteAll } }
        return [change('controlsChanged', this.controlsCopy())]
      }
      case 'handsChanged':
        return this.setHands(frame.data.hands)
      case 'mutedByHost': {
        const { audio, video, allowSelfUnmute, by } = frame.data
        this.muted = { audio, video, allowSelfUnmute, ...(by ? { by } : {}) }
        this.holdOwn()
        return [change('mutedByHost', { ...this.muted })]
      }
      case 'speakInvitation':
        this.invitedBy = frame.data.from
        return [change('speakInvitation', frame.data.from)]
      case 'speakInvitationAnswered':
        return [change('speakInvitationAnswered', frame.data.member, frame.data.accept)]
      case 'message':
        return [change('message', frame.data.message)]
      default:
        return null
    }
  }

  /** The queue as a reply or an event gave it: announced when it differs. */
  setHands(hands: Hand[]): Change[] {
    if (sameHands(this.hands, hands)) return []
    this.hands = hands.slice()
    return [change('handsChanged', this.hands.slice())]
  }

  controlsCopy(): ControlsState {
    return { locked: this.controls.locked, muteAll: { ...this.controls.muteAll } }
  }

  /** Our own streams as the server set them under the hold (it told the others already). */
  private holdOwn(): void {
    const { audio, video } = this.muted
    if (!audio && !video) return
    const own = this.published()
    for (const [id, p] of own) {
      const s = p.stream
      const aoff = audio ? 1 : s.aoff
      const voff = video && s.type === 'normal' ? 1 : s.voff
      if (aoff !== s.aoff || voff !== s.voff) own.set(id, { ...p, stream: { ...s, aoff, voff } })
    }
  }
}
