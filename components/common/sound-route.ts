// Where the others' sound comes out on this phone, remembered on it: a user who holds the phone
// to the ear in one call wants the earpiece in the next one too. The loudspeaker until then.
import type { SoundMode } from '../../store/screen'

const KEY = 'conference-kit.soundMode'

export function savedSoundMode(): SoundMode {
  try {
    return wx.getStorageSync(KEY) === 'ear' ? 'ear' : 'speaker'
  } catch {
    return 'speaker'
  }
}

export function saveSoundMode(mode: SoundMode): void {
  try {
    wx.setStorageSync(KEY, mode)
  } catch {
    // Storage full or refused: the choice holds for this call only.
  }
}
