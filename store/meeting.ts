// The meeting (protocol revision 6): what the host set (lock, mute-all), what the host holds us
// to, the raised hands, an invitation to speak, the chat; the member panel's roster; and the
// actions an admin or a member takes. The SDK's meeting callbacks land here (through
// sdk-events.ts); what a hold means for our pusher is the media store's (applyHostHold).
import { makeAutoObservable, observable, runInAction } from 'mobx-miniprogram'
import {
  type ChatMessage,
  DEFAULT_INVITATION_TTL,
  ErrorCode,
  type Hand,
  type HostMute,
  type Member,
  type MuteAll,
  type RoleDenied,
} from 'miniprogram-conference-protocol'
import type { ControlsState, MutedByHost } from '../sdk/events'
import type { ConferenceStore } from './root'
import { displayName } from './names'
import type { ChatLine, EmediaMgrLike, MuteOptions, QueuedHand, RosterEntry } from './types'

/** Messages the store holds (the server keeps the last 100; a long meeting's live ones add up). */
export const MAX_STORED_MESSAGES = 300
/** Messages loaded at a time: after the join and by loadEarlierMessages(). */
export const MESSAGE_PAGE = 20

/** A share card's credential runs a day (the server's default)… */
export const SHARE_INVITATION_TTL = DEFAULT_INVITATION_TTL
/** …and is renewed once half of it is gone: a card shared at any moment still opens the room for
 * at least this long (ms), however late its receiver taps it. */
export const SHARE_INVITATION_MIN_LIFE = (SHARE_INVITATION_TTL * 1000) / 2

const FREE: HostMute = { audio: false, video: false, allowSelfUnmute: true }
const NO_MUTE_ALL: MuteAll = { audio: false, video: false, allowSelfUnmute: true }

export class MeetingStore {
  /** New joins are refused (admins excepted). */
  locked = false
  muteAll: MuteAll = { ...NO_MUTE_ALL }
  /** What the host holds us to. */
  mutedByHost: MutedByHost = { ...FREE }
  /** The "host muted you" prompt: the hold that came, until dismissMutedNotice(). */
  mutedNotice: MutedByHost | null = null
  /** Raised hands, oldest first. */
  hands: Hand[] = []
  /** Who invites us to speak, until we answer (the accept / decline prompt). */
  invitation: Member | null = null
  /** Admins: the last answer to an invitation to speak. */
  lastAnswer: { member: Member; accept: boolean } | null = null
  /** The join gave us a lower role than we asked for. */
  roleDenied: RoleDenied | null = null
  /** Chat, oldest first: the kept history loaded so far, then what arrived. */
  readonly messages = observable.array<ChatMessage>([], { deep: false })
  /** The server keeps earlier messages than `messages` holds: loadEarlierMessages(). */
  hasEarlierMessages = false
  /** Messages from others that came while the chat was closed. */
  unread = 0
  chatOpen = false
  /** The last invitation credential created (for a share card). */
  invitationLink: { invitation: string; expiresAt: number } | null = null
  /** keepInvitation(): the request under way, and the renewal's timer. */
  private pendingShare: Promise<string> | null = null
  private renewTimer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly root: ConferenceStore) {
    makeAutoObservable<MeetingStore, 'root' | 'mgr' | 'pendingShare' | 'renewTimer'>(
      this,
      {
        root: false,
        mgr: false,
        pendingShare: false,
        renewTimer: false,
        muteAll: observable.ref,
        mutedByHost: observable.ref,
        mutedNotice: observable.ref,
        hands: observable.ref,
        invitation: observable.ref,
        lastAnswer: observable.ref,
        roleDenied: observable.ref,
        invitationLink: observable.ref,
      },
      { autoBind: true },
    )
  }

  private get mgr(): EmediaMgrLike {
    return this.root.sdk.mgr
  }

  // ---- derived ----

  /** Our hand is up. */
  get handRaised(): boolean {
    const self = this.root.session.self
    return !!self && this.hands.some((h) => h.memberId === self.id)
  }

  /** The host holds our microphone off and we may not turn it on. */
  get micLocked(): boolean {
    return this.mutedByHost.audio && !this.mutedByHost.allowSelfUnmute
  }

  get cameraLocked(): boolean {
    return this.mutedByHost.video && !this.mutedByHost.allowSelfUnmute
  }

  /** The server would issue us an invitation credential now: in, not locked, and — in a
   * conference with a password — as an admin (server/conference/invitations.ts). */
  get canInvite(): boolean {
    const { session } = this.root
    return (
      session.inConference && !this.locked && (!session.conference?.password || session.isAdmin)
    )
  }

  /** The credential a share card carries now: the one held while it has
   * SHARE_INVITATION_MIN_LIFE to run, else '' (none yet, being renewed, or none to be had). */
  cardInvitation(now = Date.now()): string {
    const link = this.invitationLink
    return link && link.expiresAt - now >= SHARE_INVITATION_MIN_LIFE ? link.invitation : ''
  }

  /** The raised-hand queue as an admin's panel shows it. */
  get handQueue(): QueuedHand[] {
    const { members, self } = this.root.session
    return this.hands.map((h) => ({
      ...h,
      displayName: displayName(members.get(h.memberId) ?? h, h.name),
      isSelf: h.memberId === self?.id,
    }))
  }

  /** The chat as the chat panel shows it, oldest first. */
  get chatLines(): ChatLine[] {
    const self = this.root.session.self
    const two = (n: number) => String(n).padStart(2, '0')
    return this.messages.map((m) => {
      const at = new Date(m.at)
      return {
        id: m.id,
        from: displayName(m.from, m.from.name),
        text: m.text ?? '',
        own: m.from.id === self?.id,
        private: !!m.to,
        time: `${two(at.getHours())}:${two(at.getMinutes())}`,
      }
    })
  }

  /**
   * Everyone, ourselves first, then the others in join order, with role, microphone / camera and
   * hand: the member panel. Microphone and camera are the server's flags of a member's camera
   * stream (a member the host muted shows off whatever its client does).
   */
  get roster(): RosterEntry[] {
    const { session, media } = this.root
    const self = session.self
    if (!self || !session.inConference) return []
    const raised = new Set(this.hands.map((h) => h.memberId))
    const cameras = new Map<string, { aoff: 0 | 1; voff: 0 | 1 }>()
    for (const s of session.streams.values()) if (s.type !== 'desktop') cameras.set(s.memId, s)
    const publishing = !!media.local.pushUrl
    const out: RosterEntry[] = [
      {
        id: self.id,
        userId: self.name,
        name: displayName(self, 'me'),
        role: self.role,
        isSelf: true,
        publishing,
        micOn: publishing && media.local.micOn,
        cameraOn: publishing && media.videoOn,
        handRaised: raised.has(self.id),
      },
    ]
    for (const m of session.members.values()) {
      if (m.id === self.id) continue
      const cam = cameras.get(m.id)
      out.push({
        id: m.id,
        userId: m.name,
        name: displayName(m, m.name),
        role: m.role,
        isSelf: false,
        publishing: !!cam,
        micOn: !!cam && cam.aoff === 0,
        cameraOn: !!cam && cam.voff === 0,
        handRaised: raised.has(m.id),
      })
    }
    return out
  }

  // ---- admin actions (the server decides whether we may; its refusal is the action's error) ----

  /** Holds members' microphone and/or camera off (`true`) or lets go (`false`). */
  muteMembers(memberNames: string[], opts: MuteOptions): Promise<boolean> {
    return this.call('muteMembers', (id) => this.mgr.muteMembers(id, memberNames, opts))
  }

  /** Lets a member turn its microphone (and camera) back on. */
  unmuteMember(memberName: string): Promise<boolean> {
    return this.muteMembers([memberName], { audio: false, video: false })
  }

  /** Everyone but the admins, now and as they join. */
  muteEveryone(opts: MuteOptions = { audio: true }): Promise<boolean> {
    return this.call('muteAll', async (id) => {
      const state = await this.mgr.muteAll(id, opts)
      runInAction(() => (this.muteAll = state))
    })
  }

  unmuteEveryone(): Promise<boolean> {
    return this.muteEveryone({ audio: false, video: false })
  }

  lock(locked: boolean = !this.locked): Promise<boolean> {
    return this.call('lockConference', async (id) => {
      await this.mgr.lockConference(id, locked)
      runInAction(() => (this.locked = locked))
    })
  }

  inviteToSpeak(memberName: string): Promise<boolean> {
    return this.call('inviteToSpeak', (id) => this.mgr.inviteToSpeak(id, memberName))
  }

  /** An admin lowers another's hand (without a name: our own). */
  lowerHand(memberName?: string): Promise<boolean> {
    return this.call('lowerHand', async () => this.setHands(await this.mgr.lowerHand(memberName)))
  }

  // ---- a member's actions ----

  raiseHand(): Promise<boolean> {
    return this.call('raiseHand', async () => this.setHands(await this.mgr.raiseHand()))
  }

  toggleHand(): Promise<boolean> {
    return this.handRaised ? this.lowerHand() : this.raiseHand()
  }

  /**
   * Answers the invitation to speak. Accepted, we may publish (the server made an audience member
   * a talker before answering): we publish with the microphone on, the host's hold on it lifted.
   */
  answerInvitation(accept: boolean): Promise<boolean> {
    return this.call('answerSpeakInvitation', async () => {
      await this.mgr.answerSpeakInvitation(accept)
      runInAction(() => (this.invitation = null))
      const { session, media } = this.root
      if (accept && session.canPublish) {
        await media.toggleMic(true)
        if (!media.local.streamId) await media.publish()
      }
    })
  }

  dismissMutedNotice(): void {
    this.mutedNotice = null
  }

  /** A text to everyone, or to `to` (member ids or user ids). */
  sendText(text: string, to?: string | string[]): Promise<boolean> {
    return this.call('sendMessage', async () => {
      const message = await this.mgr.sendMessage({ text }, to === undefined ? {} : { to })
      this.received(message, true)
    })
  }

  /** Your app's own signalling (any JSON), not shown in the chat. */
  sendCustom(custom: unknown, to?: string | string[]): Promise<boolean> {
    return this.call('sendMessage', () =>
      this.mgr.sendMessage({ custom }, to === undefined ? {} : { to }),
    )
  }

  /** The page of kept messages before the first we hold. */
  loadEarlierMessages(): Promise<boolean> {
    return this.call('getMessages', async () => {
      const first = this.messages.find((m) => m.id > 0)
      const page = await this.mgr.getMessages({
        limit: MESSAGE_PAGE,
        ...(first ? { before: first.id } : {}),
      })
      runInAction(() => {
        const known = new Set(this.messages.map((m) => m.id))
        this.messages.unshift(...page.messages.filter((m) => !known.has(m.id)))
        this.hasEarlierMessages = page.more
      })
    })
  }

  /** The chat drawer opened or closed: open, what came is read. */
  setChatOpen(open: boolean): void {
    this.chatOpen = open
    if (open) this.unread = 0
  }

  /** An invitation credential anyone may join with (a share card), in `invitationLink`. */
  createInvitation(ttlSec?: number): Promise<boolean> {
    return this.call('createInvitation', async (id) => {
      const link = await this.mgr.createInvitation(id, ttlSec === undefined ? {} : { ttlSec })
      // Left (or in another conference) meanwhile: it is no card of ours any more.
      runInAction(() => {
        if (this.root.session.conference?.confrId === id) this.invitationLink = link
      })
    })
  }

  /**
   * Keeps a credential for share cards while we are in: the one held while it has
   * SHARE_INVITATION_MIN_LIFE to run, else a new one (one request at a time), renewed by a timer
   * once half its life is gone. Resolves with it; '' when none can be had (canInvite false, or the
   * server refused — its `error` event says why).
   */
  keepInvitation(): Promise<string> {
    const held = this.cardInvitation()
    return held ? Promise.resolve(held) : this.renewInvitation()
  }

  private renewInvitation(): Promise<string> {
    if (!this.canInvite) return Promise.resolve('')
    if (this.pendingShare) return this.pendingShare
    const pending = this.createInvitation(SHARE_INVITATION_TTL).then((ok) => {
      if (this.pendingShare === pending) this.pendingShare = null
      // Refused: no timer; the next share, or canInvite turning true again, asks again.
      const link = this.invitationLink
      if (ok && link) {
        this.stopRenewal()
        // A minute early: the new one is in before the held one stops being good for a card.
        const due = link.expiresAt - SHARE_INVITATION_MIN_LIFE - 60_000 - Date.now()
        this.renewTimer = setTimeout(() => void this.renewInvitation(), Math.max(0, due))
        // Under Node (tests, a Node embedder) a half-day timer must not keep the process alive.
        ;(this.renewTimer as { unref?: () => void }).unref?.()
      }
      return this.cardInvitation()
    })
    this.pendingShare = pending
    return pending
  }

  private stopRenewal(): void {
    if (this.renewTimer !== undefined) clearTimeout(this.renewTimer)
    this.renewTimer = undefined
  }

  private async call(name: string, fn: (confrId: string) => Promise<unknown>): Promise<boolean> {
    const confrId = this.root.session.conference?.confrId
    if (!confrId || !this.root.session.inConference)
      return this.root.reject(name, 'not in a conference', ErrorCode.CONFERENCE_INVALID)
    try {
      await fn(confrId)
      return true
    } catch (err) {
      return this.root.fail(name, err)
    }
  }

  // ---- the SDK's meeting callbacks (sdk-events.ts) and the membership's moments ----

  /** After a join or a reconnect: the meeting as the SDK holds it; after a join, the chat. */
  takeSnapshot(joining: boolean): void {
    const mgr = this.mgr
    this.controlsChanged(mgr.getControls())
    this.hands = mgr.getHands()
    this.applyHold(mgr.getMutedByHost(), false)
    this.invitation = mgr.getSpeakInvitation()
    if (joining) void this.loadLatest()
  }

  /** The latest kept messages after a join; quietly nothing from a server without a chat. */
  private async loadLatest(): Promise<void> {
    try {
      const page = await this.mgr.getMessages({ limit: MESSAGE_PAGE })
      runInAction(() => {
        if (!this.root.session.inConference) return
        const known = new Set(this.messages.map((m) => m.id))
        this.messages.unshift(...page.messages.filter((m) => !known.has(m.id)))
        this.hasEarlierMessages = page.more
      })
    } catch {
      // An older server (-404) or a conference left meanwhile: no history to show.
    }
  }

  controlsChanged(c: ControlsState): void {
    this.locked = c.locked
    this.muteAll = { ...c.muteAll }
  }

  setHands(hands: Hand[]): void {
    this.hands = hands.slice()
  }

  /** The host's hold on us changed: our pusher follows it, and we are told. */
  mutedChanged(state: MutedByHost): void {
    if (!this.root.session.listening) return
    this.applyHold(state, true)
    this.root.emit('mutedbyhost', state)
  }

  private applyHold(state: MutedByHost, tell: boolean): void {
    this.mutedByHost = state
    if (tell && (state.audio || state.video)) this.mutedNotice = state
    if (!state.audio && !state.video) this.mutedNotice = null
    this.root.media.applyHostHold(state)
  }

  invited(from: Member): void {
    if (!this.root.session.listening) return
    this.invitation = from
    this.root.emit('speakinvitation', { from })
  }

  invitationAnswered(member: Member, accept: boolean): void {
    this.lastAnswer = { member, accept }
    this.root.emit('invitationanswer', { member, accept })
  }

  /** A message from someone (`own`: our own, from sendText's reply). */
  received(message: ChatMessage, own = false): void {
    if (!this.root.session.listening) return
    if (message.text === undefined) {
      if (!own) this.root.emit('message', message)
      return // custom: the app's signalling, not chat
    }
    if (!this.messages.some((m) => m.id === message.id)) this.messages.push(message)
    if (this.messages.length > MAX_STORED_MESSAGES)
      this.messages.splice(0, this.messages.length - MAX_STORED_MESSAGES)
    if (!own) {
      if (!this.chatOpen) this.unread += 1
      this.root.emit('message', message)
    }
  }

  denied(info: RoleDenied): void {
    this.roleDenied = info
    this.root.emit('roledenied', info)
  }

  /** We are out: nothing of the meeting is ours any more. */
  clear(): void {
    this.locked = false
    this.muteAll = { ...NO_MUTE_ALL }
    this.mutedByHost = { ...FREE }
    this.mutedNotice = null
    this.hands = []
    this.invitation = null
    this.lastAnswer = null
    this.messages.clear()
    this.hasEarlierMessages = false
    this.unread = 0
    this.invitationLink = null
    this.pendingShare = null
    this.stopRenewal()
    this.roleDenied = null
  }
}
