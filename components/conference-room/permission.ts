// Camera and microphone permission. Once the user refuses, wx.authorize fails at once without
// asking again (10001 / 10002 from live-pusher): the only way back is the settings page.
import type { PermissionDenied } from '../../store/types'

function authorize(scope: 'scope.camera' | 'scope.record'): Promise<boolean> {
  return new Promise((resolve) => {
    wx.authorize({ scope, success: () => resolve(true), fail: () => resolve(false) })
  })
}

/** Asks for both; resolves with the first one refused, '' when both are granted. */
export async function requestMediaPermission(): Promise<PermissionDenied> {
  if (!(await authorize('scope.camera'))) return 'camera'
  if (!(await authorize('scope.record'))) return 'microphone'
  return ''
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

export const PERMISSION_TEXT: Record<Exclude<PermissionDenied, ''>, string> = {
  camera: '需要摄像头权限才能让其他人看到你。Camera access is needed for others to see you.',
  microphone:
    '需要麦克风权限才能让其他人听到你。Microphone access is needed for others to hear you.',
}
