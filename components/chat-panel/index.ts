// <chat-panel>: the meeting's chat for the chat drawer. The kept history comes with the join
// (and "earlier messages" pages further back); while the panel is open nothing counts as unread
// (store.meeting.unread, the count the chat button shows). Texts are shown as text, never markup.
import { MAX_MESSAGE_BYTES } from 'miniprogram-conference-protocol'
import { KitComponent } from '../common/component'
import { bindStore, meetingFields } from '../common/store-fields'

KitComponent({
  properties: {
    /** The drawer is showing: what arrives is read. false (or detached): it counts as unread. */
    open: { type: Boolean, value: true },
  },
  data: {
    chatLines: [] as Array<{ id: number }>,
    hasEarlierMessages: false,
    draft: '',
    sending: false,
    bottom: '',
    /** What the input takes: 1 KB of UTF-8 is at least 341 characters of any script. */
    maxLength: Math.floor(MAX_MESSAGE_BYTES / 3),
  },
  storeBindings: bindStore(meetingFields(['chatLines', 'hasEarlierMessages'])),
  observers: {
    open(open: boolean) {
      this.store().meeting.setChatOpen(open)
    },
    chatLines(lines: Array<{ id: number }>) {
      // Follow the newest message.
      const last = lines[lines.length - 1]
      this.setData({ bottom: last ? `m${last.id}` : '' })
    },
  },
  lifetimes: {
    attached() {
      this.store().meeting.setChatOpen(this.data.open)
    },
    detached() {
      this.store().meeting.setChatOpen(false)
    },
  },
  methods: {
    input(e: WechatMiniprogram.Input) {
      this.setData({ draft: e.detail.value })
    },
    async send(): Promise<boolean> {
      const text = this.data.draft.trim()
      if (!text || this.data.sending) return false
      this.setData({ sending: true })
      const ok = await this.store().meeting.sendText(text)
      // Refused (rate, moderation): the draft stays to edit or send again.
      this.setData(ok ? { sending: false, draft: '' } : { sending: false })
      if (ok) this.triggerEvent('send', { text })
      return ok
    },
    earlier(): Promise<boolean> {
      return this.store().meeting.loadEarlierMessages()
    },
  },
})
