/** @jest-environment jsdom */
// <pre-join> on the built kit: the camera's preview (a live-pusher with no URL, previewing), the
// name, the microphone / camera / speaker switches, refusals, and the choices it hands the page.
// And WeChat's privacy step (<privacy-sheet>, inside it; the room's: room-shell.test.ts): the held
// request is answered as the user answers.
import { FakeEmedia } from '../../testkit/fake-emedia'
import { flush, mount, mountComponent, spyLiveContexts, restoreWx, unmountAll, w } from './mount'
import { attrs, tap, text, type Node } from './rendered'

type Resolve = (r: { event: string; buttonId?: string }) => void
let privacyListener: ((resolve: Resolve) => void) | undefined
const authorized: string[] = []
let refused: string[] = []
const storage = new Map<string, unknown>()
let settingsOpened = 0

beforeEach(() => {
  // Before any component attaches: the kit registers WeChat's privacy listener once.
  w.onNeedPrivacyAuthorization = (fn: typeof privacyListener) => (privacyListener = fn)
  w.getPrivacySetting = (o: { success(r: object): void }) =>
    o.success({ needAuthorization: true, privacyContractName: '《会议小程序隐私保护指引》' })
  w.openPrivacyContract = () => undefined
  w.authorize = (o: { scope: string; success(): void; fail(): void }) => {
    authorized.push(o.scope)
    setTimeout(() => (refused.includes(o.scope) ? o.fail() : o.success()), 0)
  }
  w.openSetting = (o: { fail(): void }) => {
    settingsOpened += 1
    o.fail()
  }
  w.setStorageSync = (k: string, v: unknown) => storage.set(k, v)
  w.getStorageSync = (k: string) => storage.get(k) ?? ''
  authorized.length = 0
  refused = []
  storage.clear()
  settingsOpened = 0
})

afterEach(() => {
  unmountAll()
  restoreWx()
})

function listen(node: Node, name: string) {
  const events: unknown[] = []
  node.addEventListener(name, (e: { detail: unknown }) => events.push(e.detail))
  return events
}

describe('<pre-join>', () => {
  test('previews the camera with a live-pusher that has no URL; the switches start as told', async () => {
    const contexts = spyLiveContexts()
    const { room: pre } = mountComponent('pre-join', new FakeEmedia(), {
      nickName: 'Ann',
      roomTitle: 'weekly',
      lang: 'en',
    })
    await flush()
    expect(authorized).toEqual(['scope.camera', 'scope.record'])
    const pusher = attrs(pre.querySelector('#preview')!)
    expect(pusher).toMatchObject({ url: '', mode: 'RTC', enableCamera: true, enableMic: false })
    expect(contexts.pusher.calls).toEqual(['startPreview'])
    expect(text(pre, '.room-title')).toBe('weekly')
    expect(attrs(pre.querySelector('#name')!).value).toBe('Ann')
    const states = () => pre.querySelectorAll('.row-state').map((n) => n.dom.textContent)
    expect(states()).toEqual(['On', 'On', 'On'])
    expect(attrs(pre.querySelector('#camera-switch')!).ariaChecked).toBe(true)

    // Off: the preview stops and my initial shows; on again: it previews again.
    await tap(pre, '#camera-switch')
    expect(pre.querySelector('#preview')).toBeUndefined()
    expect(text(pre, '.avatar')).toBe('A')
    await tap(pre, '#camera-switch')
    expect(pre.querySelector('#preview')).toBeDefined()
    expect(contexts.pusher.calls).toEqual(['startPreview', 'stopPreview', 'startPreview'])

    // Flip the camera being previewed.
    await tap(pre, '#preview-flip')
    expect(attrs(pre.querySelector('#preview')!).devicePosition).toBe('back')
  })

  test('join with the camera off and the earpiece: the page gets the choices; the preview stops', async () => {
    const contexts = spyLiveContexts()
    const { room: pre, store } = mountComponent('pre-join', new FakeEmedia(), { lang: 'zh' })
    const joins = listen(pre, 'join')
    await flush()
    // No name yet: it says so and does not go on.
    await tap(pre, '#join')
    expect(joins).toEqual([])
    expect(text(pre, '.field-error')).toBe('请输入名字')

    pre.querySelector('#name')!.dispatchEvent('input', { detail: { value: '  Ben ' } })
    await tap(pre, '#mic-switch')
    await tap(pre, '#speaker-switch')
    expect(store.screen.soundMode).toBe('ear')
    expect([...storage.values()]).toEqual(['ear'])
    await tap(pre, '#join')
    expect(joins).toEqual([{ nickName: 'Ben', mic: false, camera: true, soundMode: 'ear' }])
    expect(contexts.pusher.calls).toEqual(['startPreview', 'stopPreview'])
  })

  test('as a 加入会议 screen (ask-room): the meeting is asked for too, and the password when told', async () => {
    spyLiveContexts()
    const { room: pre } = mountComponent('pre-join', new FakeEmedia(), {
      lang: 'en',
      nickName: 'Ann',
      askRoom: true,
      askPassword: true,
    })
    const joins = listen(pre, 'join')
    await flush()
    await tap(pre, '#join')
    expect(joins).toEqual([])
    expect(text(pre, '.field-error')).toBe('Enter a meeting ID or a room name')
    pre.querySelector('#room')!.dispatchEvent('input', { detail: { value: ' weekly ' } })
    pre.querySelector('#password')!.dispatchEvent('input', { detail: { value: '2468' } })
    await tap(pre, '#join')
    expect(joins).toEqual([
      {
        nickName: 'Ann',
        mic: true,
        camera: true,
        soundMode: 'speaker',
        room: 'weekly',
        password: '2468',
      },
    ])
  })

  test('a refused camera: the switch is off and says so, and opens the settings', async () => {
    spyLiveContexts()
    refused = ['scope.camera']
    const { room: pre } = mountComponent('pre-join', new FakeEmedia(), { lang: 'zh' })
    await flush()
    expect(pre.querySelector('#preview')).toBeUndefined()
    expect(text(pre, '.hint')).toBe('无法使用摄像头')
    expect(pre.querySelectorAll('.row-state').map((n) => n.dom.textContent)[1]).toBe('未授权')
    expect(attrs(pre.querySelector('#camera-switch')!).ariaLabel).toBe('摄像头, 未授权')
    await tap(pre, '#camera-switch')
    expect(settingsOpened).toBe(1)
  })

  test('the room starts with what the join screen chose: mic off, camera off', async () => {
    const fake = new FakeEmedia()
    const { store } = mount(fake, { roomName: 'weekly', mic: false, camera: false })
    await flush()
    expect(fake.called('pubStream')).toEqual([[expect.any(String), { voff: 1, aoff: 1 }]])
    expect(store.media.local).toMatchObject({ micOn: false, cameraOn: false })
  })
})

describe('<privacy-sheet>: WeChat asks before the camera and the microphone', () => {
  test('the sheet names the guide; agreeing answers WeChat with the button; the sheet closes', async () => {
    spyLiveContexts()
    const { room: pre } = mountComponent('pre-join', new FakeEmedia(), { lang: 'zh' })
    await flush()
    const sheet = () => pre.querySelector('#privacy')!
    expect(sheet().querySelector('.sheet')).toBeUndefined()
    const answers: Array<{ event: string; buttonId?: string }> = []
    privacyListener!((r) => answers.push(r))
    await flush()
    expect(answers).toEqual([{ event: 'exposureAuthorization' }])
    expect(text(sheet(), '.contract-text')).toBe('《会议小程序隐私保护指引》')
    expect(attrs(sheet().querySelector('#agree-privacy')!).openType).toBe(
      'agreePrivacyAuthorization',
    )
    sheet().querySelector('#agree-privacy')!.dispatchEvent('agreeprivacyauthorization')
    await flush()
    expect(answers).toEqual([
      { event: 'exposureAuthorization' },
      { event: 'agree', buttonId: 'agree-privacy' },
    ])
    expect(sheet().querySelector('.sheet')).toBeUndefined()
  })

  test('declining answers "disagree"; a sheet that goes with a request held declines it', async () => {
    spyLiveContexts()
    const { room: pre } = mountComponent('pre-join', new FakeEmedia(), { lang: 'en' })
    await flush()
    const sheet = pre.querySelector('#privacy')!
    const answers: string[] = []
    privacyListener!((r) => answers.push(r.event))
    await flush()
    await tap(sheet, '#decline-privacy')
    expect(answers).toEqual(['exposureAuthorization', 'disagree'])

    // Gone with a request held: it declines it (the held call fails as a refusal).
    const held: string[] = []
    privacyListener!((r) => held.push(r.event))
    await flush()
    expect(sheet.querySelector('.sheet')).toBeDefined()
    pre.detach()
    await flush()
    expect(held).toEqual(['exposureAuthorization', 'disagree'])
  })
})
