// <meeting-prompts>: what the meeting asks of us, over the call: "the host muted you" (until we
// dismiss it or the host lets go) and an invitation to speak with accept / decline (accepted,
// the store publishes with the microphone on).
import { KitComponent } from '../common/component'
import { bindStore, meetingFields } from '../common/store-fields'

KitComponent({
  data: {
    mutedNotice: null as null | { audio: boolean; video: boolean; allowSelfUnmute: boolean },
    invitation: null as null | { id: string; name: string; nickName?: string },
  },
  storeBindings: bindStore(meetingFields(['mutedNotice', 'invitation'])),
  methods: {
    dismiss() {
      this.store().meeting.dismissMutedNotice()
    },
    async accept(): Promise<boolean> {
      const ok = await this.store().meeting.answerInvitation(true)
      this.triggerEvent('answer', { accept: true, ok })
      return ok
    },
    async decline(): Promise<boolean> {
      const ok = await this.store().meeting.answerInvitation(false)
      this.triggerEvent('answer', { accept: false, ok })
      return ok
    },
  },
})
