// WeChat's privacy rule: before the camera and the microphone (wx.authorize, live-pusher) are
// used, the user must have agreed to the mini program's privacy guide (用户隐私保护指引). When they
// have not, WeChat holds the call and asks the app through onNeedPrivacyAuthorization: the app
// shows the guide's name, and the user agrees with a <button open-type="agreePrivacyAuthorization">
// or declines. The kit's <privacy-sheet> does that. WeChat has one listener per app: the kit's
// answers with the sheet attached last (a page with none declines, and the held call fails as a
// refusal would). Base library 2.32.3; older ones have no such step.

export type PrivacyEvent = 'exposureAuthorization' | 'agree' | 'disagree'
export type PrivacyResolve = (result: { event: PrivacyEvent; buttonId?: string }) => void

type Listener = Parameters<typeof wx.onNeedPrivacyAuthorization>[0]

const sheets: Array<(resolve: PrivacyResolve) => void> = []
let listening = false

/** `show` answers WeChat's privacy requests while registered; returns the way to stop. */
export function answerPrivacy(show: (resolve: PrivacyResolve) => void): () => void {
  sheets.push(show)
  const listener = (resolve: PrivacyResolve) => {
    const top = sheets[sheets.length - 1]
    if (top) top(resolve)
    else resolve({ event: 'disagree' })
  }
  if (!listening && wx.onNeedPrivacyAuthorization) {
    wx.onNeedPrivacyAuthorization(listener as unknown as Listener)
    listening = true
  }
  return () => {
    const i = sheets.lastIndexOf(show)
    if (i >= 0) sheets.splice(i, 1)
  }
}

/** The name of the app's privacy guide (《…》), '' where WeChat does not say. */
export function privacyContractName(): Promise<string> {
  return new Promise((resolve) => {
    if (wx.getPrivacySetting) {
      wx.getPrivacySetting({
        success: (res) => resolve(res.privacyContractName || ''),
        fail: () => resolve(''),
      })
    } else resolve('')
  })
}

/** Opens the privacy guide itself. */
export function openPrivacyContract(): void {
  if (wx.openPrivacyContract) wx.openPrivacyContract({ fail: () => {} })
}
