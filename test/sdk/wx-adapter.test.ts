// The same SDK on the mini program adapter: a `wx` object (testkit/wx-shim: connectSocket,
// request and network events made of real sockets) against the scripted server, and the package
// entry (index.ts) giving `require(...)` the emedia object itself with the named exports on it.
import { createEmedia, createWxAdapter, type WxLike } from '../../sdk'
import { createWxShim } from '../../testkit/wx-shim'
import { CONFR, FakeServer } from './fake-server'
import { until } from '../../testkit/wait'

let fake: FakeServer

beforeEach(async () => {
  fake = await FakeServer.start()
})
afterEach(async () => {
  await fake.stop()
})

test('on wx: dev token via wx.request, join, publish, play, network loss and return, exit', async () => {
  const wx = createWxShim()
  // The shim types its socket task loosely (unknown); at run time it is a SocketTask.
  const emedia = createEmedia({ adapter: createWxAdapter(wx as unknown as WxLike) })
  emedia.config({
    host: fake.url,
    userId: 'ann',
    logLevel: 'silent',
    reconnect: { firstDelayMs: 2000 },
  })
  const seen: string[] = []
  emedia.mgr.onMemberJoined = (m) => seen.push(`joined:${m.id}`)
  emedia.mgr.onReconnected = (info) => seen.push(`reconnected:${info.published.length}`)
  emedia.mgr.onConferenceExit = (reason, failed) => seen.push(`exit:${reason}:${failed}`)

  const confr = await emedia.mgr.joinConference(CONFR, '')
  expect(confr.confrId).toBe(CONFR)
  expect(fake.devTokenRequests).toEqual(['ann'])
  expect(fake.requests('join')[0].token).toBe('dev-ann')
  const pub = await emedia.mgr.pubStream(emedia.util.getRtcId())
  expect(pub.data.rtmp).toMatch(/^rtmp:\/\//)
  expect((await emedia.mgr.subStream('S-BOB')).data.rtmp).toContain('S-BOB')

  wx.setNetwork(false) // wx.onNetworkStatusChange({isConnected: false})
  expect(emedia.mgr.getConnectionState()).toBe('reconnecting')
  wx.setNetwork(true) // back: resume at once, not after the 2 s first delay
  await until(() => emedia.mgr.getConnectionState() === 'joined', 1000, 'resumed')
  expect(fake.requests('resume')[0].params).toEqual({
    confrId: CONFR,
    memberId: 'ME',
    resumeToken: 'resume-1',
  })

  await emedia.mgr.exitConference()
  expect(seen).toEqual(['joined:ME', 'joined:BOB', 'reconnected:0', 'exit:0:0'])
  expect(fake.requests('exit')).toHaveLength(1)
  await emedia.mgr.disconnect()
})

test("require('miniprogram-conference-kit') is the emedia object, with the named exports on it", async () => {
  const wx = createWxShim()
  ;(global as any).wx = wx
  try {
    // The package entry as CommonJS sees it (main: miniprogram_dist/index.js is this, compiled).
    const kit = require('../../index')
    expect(kit).toBe(require('../../sdk').emedia) // one client: the store uses the same
    expect(typeof kit.mgr.joinRoom).toBe('function')
    expect(typeof kit.createEmedia).toBe('function')
    expect(kit.ConfrType).toMatchObject({ COMMUNICATION: 10, LIVE: 12 })
    expect(kit.mgr.Role.HIDING).toBe(9)
    expect(kit.ErrorCode.NETWORK).toBe(-9527)
    expect(kit.ExitReason.CLOSED).toBe(11)
    kit.config({ host: fake.url, token: 'T-wx', logLevel: 'silent' })
    const res = await kit.mgr.joinRoom({ roomName: 'r', password: '', role: 7, config: {} })
    expect(res.confrId).toBe(CONFR)
    expect(wx.sockets).toHaveLength(1)
    await kit.mgr.exitConference()
    await kit.mgr.disconnect()
  } finally {
    delete (global as any).wx
  }
})
