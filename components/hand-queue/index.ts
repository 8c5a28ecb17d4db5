// <hand-queue>: the raised hands, oldest first, as an admin works through them: invite to speak
// or lower. The server decides whether we may (an admin); its refusal is the store's error.
import { KitComponent } from '../common/component'
import { bindStore, meetingFields } from '../common/store-fields'

KitComponent({
  data: { handQueue: [] as Array<{ memberId: string; displayName: string; isSelf: boolean }> },
  storeBindings: bindStore(meetingFields(['handQueue'])),
  methods: {
    invite(e: WechatMiniprogram.TouchEvent) {
      const id = String(e.currentTarget.dataset.id)
      void this.store().meeting.inviteToSpeak(id)
      this.triggerEvent('invite', { memberId: id })
    },
    lower(e: WechatMiniprogram.TouchEvent) {
      void this.store().meeting.lowerHand(String(e.currentTarget.dataset.id))
    },
  },
})
