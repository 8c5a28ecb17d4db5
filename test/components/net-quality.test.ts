// The tiles' network-quality bars (from live-pusher / live-player netstatus) and the components'
// language choice: pure functions, checked on their edges.
import { netQuality } from '../../components/common/net-quality'
import { clientLang, resolveLang, textsFor } from '../../components/common/i18n'

describe('netQuality', () => {
  test('media flowing at a steady frame rate is good; jitter or a low frame rate lowers it', () => {
    const steady = { videoBitrate: 550, audioBitrate: 48, videoFPS: 15, netJitter: 20 }
    expect(netQuality(steady, true)).toBe('good')
    expect(netQuality({ ...steady, netJitter: 100 }, true)).toBe('fair')
    expect(netQuality({ ...steady, videoFPS: 9 }, true)).toBe('fair')
    expect(netQuality({ ...steady, netJitter: 300 }, true)).toBe('poor')
    expect(netQuality({ ...steady, videoFPS: 4 }, true)).toBe('poor')
    expect(netQuality({ videoBitrate: 0, audioBitrate: 0 }, true)).toBe('poor')
  })

  test('with the camera off no frames are expected: audio alone is good', () => {
    expect(netQuality({ audioBitrate: 32, videoFPS: 0 }, false)).toBe('good')
    expect(netQuality({ audioBitrate: 32, videoFPS: 0 }, true)).toBe('poor')
  })
})

describe('language', () => {
  const w = wxStub()
  afterEach(() => w.reset())

  test('lang picks one language; empty follows the WeChat client (zh_* → zh, else en)', () => {
    expect(textsFor('en').mute).toBe('Mute')
    expect(textsFor('zh').mute).toBe('静音')
    w.set({ getAppBaseInfo: () => ({ language: 'zh_TW' }) })
    expect(clientLang()).toBe('zh')
    expect(resolveLang('')).toBe('zh')
    expect(resolveLang('en')).toBe('en')
    w.set({ getAppBaseInfo: () => ({ language: 'en' }) })
    expect(textsFor('').mute).toBe('Mute')
    // An older base library: getSystemInfoSync.
    w.set({ getSystemInfoSync: () => ({ language: 'zh_CN' }) })
    expect(clientLang()).toBe('zh')
    // Outside WeChat: English.
    w.set({})
    expect(clientLang()).toBe('en')
  })
})

/** Installs a `wx` global for one test and removes it after. */
function wxStub() {
  const g = globalThis as unknown as { wx?: unknown }
  const had = 'wx' in g
  const before = g.wx
  return {
    set(api: Record<string, unknown>) {
      g.wx = api
    },
    reset() {
      if (had) g.wx = before
      else delete g.wx
    },
  }
}
