// The tiles' network-quality bars (from live-pusher / live-player netstatus) and the components'
// language choice: pure functions, checked on their edges.
import { qualityLevel } from '../../components/common/net-quality'
import { netQuality } from '../../store/media-policy'
import { clientLang, resolveLang, textsFor } from '../../components/common/i18n'

describe('qualityLevel', () => {
  test("the store's 1–5 score as three bars; nothing before the first netstatus", () => {
    expect(qualityLevel(0)).toBe('')
    expect(qualityLevel(1)).toBe('poor')
    expect(qualityLevel(2)).toBe('poor')
    expect(qualityLevel(3)).toBe('fair')
    expect(qualityLevel(4)).toBe('good')
    expect(qualityLevel(5)).toBe('good')
  })
})

test("the pusher-tile README's examples, from a netstatus to the bars", () => {
  const bars = (videoFPS: number, netJitter: number) =>
    qualityLevel(netQuality({ videoBitrate: 600, audioBitrate: 48, videoFPS, netJitter }))
  expect(bars(9, 0)).toBe('good')
  expect(bars(9, 100)).toBe('fair')
  expect(bars(5, 250)).toBe('poor')
  expect(qualityLevel(netQuality({ videoBitrate: 0, audioBitrate: 0 }))).toBe('poor')
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
