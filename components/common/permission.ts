// Camera and microphone permission. Once the user refuses, wx.authorize fails at once without
// asking again (10001 / 10002 from live-pusher): the only way back is the settings page.
import type { PermissionDenied } from '../../store/types'

/** Asks for one (at once false when refused before: only the settings page can change it). */
export function authorize(scope: 'scope.camera' | 'scope.record'): Promise<boolean> {
  return new Promise((resolve) => {
    wx.authorize({ scope, success: () => resolve(true), fail: () => resolve(false) })
  })
}

/** Asks for both; resolves with the one refused ('camera' when both are), '' when both are
 * granted. Both are asked: without the camera the call goes on audio only. */
export async function requestMediaPermission(): Promise<PermissionDenied> {
  const camera = await authorize('scope.camera')
  const microphone = await authorize('scope.record')
  if (!camera) return 'camera'
  return microphone ? '' : 'microphone'
}

/** Opens the settings page; resolves true when both are granted on return. */
export function openMediaSettings(): Promise<boolean> {
  return new Promise((resolve) => {
    wx.openSetting({
      success: (res) => {
        const auth = res.authSetting as Record<string, boolean | undefined>
        resolve(auth['scope.camera'] === true && auth['scope.record'] === true)
      },
      fail: () => resolve(false),
    })
  })
}
