// <member-panel>: everyone in the meeting, ourselves first, with role, microphone / camera as the
// server flags them and a raised hand. An admin gets the raised-hand queue, per-member actions
// (mute / allow unmute, stop video, invite to speak, lower a hand) and mute-all and the lock;
// everyone else their own hand. The panel only asks: the server decides (an admin, not the
// creator) and a refusal is the store's error.
import { Role } from 'miniprogram-conference-protocol'
import { KitComponent } from '../common/component'
import { bindStore, meetingFields, sessionFields } from '../common/store-fields'

const dataset = (e: WechatMiniprogram.TouchEvent) => e.currentTarget.dataset as { id: string }

KitComponent({
  properties: {
    /** Show the raised-hand queue above the list (admins only; false: the page shows its own). */
    showHandQueue: { type: Boolean, value: true },
  },
  data: {
    roster: [] as unknown[],
    isAdmin: false,
    locked: false,
    muteAll: { audio: false, video: false, allowSelfUnmute: true },
    handRaised: false,
    audience: Role.AUDIENCE,
  },
  storeBindings: bindStore(
    sessionFields(['isAdmin']),
    meetingFields(['roster', 'locked', 'muteAll', 'handRaised']),
  ),
  methods: {
    /** Holds the member's microphone off, or lets it unmute itself. */
    toggleMic(e: WechatMiniprogram.TouchEvent) {
      const { id } = dataset(e)
      const { meeting } = this.store()
      const entry = meeting.roster.find((r) => r.id === id)
      if (!entry) return
      void (entry.micOn ? meeting.muteMembers([id], { audio: true }) : meeting.unmuteMember(id))
      this.triggerEvent('action', { action: entry.micOn ? 'mute' : 'unmute', memberId: id })
    },
    stopVideo(e: WechatMiniprogram.TouchEvent) {
      const { id } = dataset(e)
      void this.store().meeting.muteMembers([id], { video: true })
      this.triggerEvent('action', { action: 'stopVideo', memberId: id })
    },
    invite(e: WechatMiniprogram.TouchEvent) {
      const { id } = dataset(e)
      void this.store().meeting.inviteToSpeak(id)
      this.triggerEvent('action', { action: 'invite', memberId: id })
    },
    lowerHand(e: WechatMiniprogram.TouchEvent) {
      const { id } = dataset(e)
      void this.store().meeting.lowerHand(id)
      this.triggerEvent('action', { action: 'lowerHand', memberId: id })
    },
    toggleMuteAll() {
      const { meeting } = this.store()
      void (meeting.muteAll.audio ? meeting.unmuteEveryone() : meeting.muteEveryone())
      this.triggerEvent('action', { action: meeting.muteAll.audio ? 'unmuteAll' : 'muteAll' })
    },
    toggleLock() {
      const { meeting } = this.store()
      this.triggerEvent('action', { action: meeting.locked ? 'unlock' : 'lock' })
      void meeting.lock()
    },
    toggleHand() {
      void this.store().meeting.toggleHand()
    },
  },
})
