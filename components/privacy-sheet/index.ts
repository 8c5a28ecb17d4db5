// <privacy-sheet>: WeChat's privacy step before the camera and the microphone (common/privacy.ts).
// While attached it answers WeChat's requests: it names the app's privacy guide (which opens),
// and the user agrees (a button of open-type agreePrivacyAuthorization) or declines; the held
// wx.authorize or live-pusher then goes on, or fails as a refusal. <conference-room> and
// <pre-join> hold one; a page of its own may too.
import { KitComponent } from '../common/component'
import {
  answerPrivacy,
  openPrivacyContract,
  privacyContractName,
  type PrivacyResolve,
} from '../common/privacy'

const pending = new WeakMap<object, PrivacyResolve>()
const stops = new WeakMap<object, () => void>()

KitComponent({
  data: {
    open: false,
    /** The guide's name as the app declared it (《…》); empty: the words for it. */
    contract: '',
  },
  lifetimes: {
    attached() {
      stops.set(
        this,
        answerPrivacy((resolve) => {
          // A second request while the sheet is up is answered with the first.
          const earlier = pending.get(this)
          pending.set(this, (result) => {
            earlier?.(result)
            resolve(result)
          })
          resolve({ event: 'exposureAuthorization' })
          void privacyContractName().then((contract) => this.setData({ open: true, contract }))
        }),
      )
    },
    detached() {
      stops.get(this)?.()
      this.answer('disagree')
    },
  },
  methods: {
    answer(event: 'agree' | 'disagree') {
      const resolve = pending.get(this)
      pending.delete(this)
      if (this.data.open) this.setData({ open: false })
      resolve?.(event === 'agree' ? { event, buttonId: 'agree-privacy' } : { event })
    },
    /** bindagreeprivacyauthorization: WeChat recorded the consent. */
    agree() {
      this.answer('agree')
      this.triggerEvent('agree')
    },
    decline() {
      this.answer('disagree')
      this.triggerEvent('decline')
    },
    openContract() {
      openPrivacyContract()
    },
    noop() {},
  },
})
