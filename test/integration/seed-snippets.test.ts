// Every snippet of the emedia mini program document (shared/reference/emedia-miniprogram-sdk.md)
// run as written, against the real server, with `emedia` obtained the way README.md tells users:
// the mini program build (miniprogram_dist) on `wx` — here a wx made of real sockets — as
// `wx.emedia = require('miniprogram-conference-kit')`. Other participants are Node SDK clients.
import { ConferenceServer } from '../../server/app'
import { pullFrames, pushTestPattern, stopAllMedia } from '../helpers/ffmpeg'
import { startServer } from '../helpers/server'
import { createWxShim } from '../helpers/wx-shim'
import { nodeClient, NodeClient, until } from '../helpers/sdk-client'

const wx: any = createWxShim()
;(global as any).wx = wx

let server: ConferenceServer
let emedia: any
const others: NodeClient[] = []

beforeAll(async () => {
  server = await startServer()
  // README: const emedia = (wx.emedia = require('miniprogram-conference-kit'))
  emedia = wx.emedia = require('miniprogram-conference-kit')
  emedia.config({ host: server.wsUrl, userId: 'yss000' })
})
afterAll(async () => {
  await emedia.mgr.exitConference().catch(() => undefined)
  await Promise.all(others.map((c) => c.close()))
  await stopAllMedia()
  await server.stop()
})

async function other(userId: string) {
  const c = await nodeClient(server, userId)
  others.push(c)
  return c
}

test('constants: ConfrType and Role as documented', () => {
  expect(emedia.mgr.ConfrType).toEqual(
    expect.objectContaining({ COMMUNICATION: 10, COMMUNICATION_MIX: 11, LIVE: 12 }),
  )
  expect(emedia.mgr.Role).toEqual(expect.objectContaining({ ADMIN: 7, TALKER: 3, AUDIENCE: 1 }))
})

test('发起会议: createConference → joinConferenceWithTicket → pubStream; 其他人 joinConference → onStreamAdded → subStream', async () => {
  const seen: any = { joined: [], exited: [], added: [], removed: [], role: [], media: [] }
  // ### SDK回调 — assigned as the document writes them, recording what they receive.
  emedia.mgr.onMemberJoined = function (member: any) {
    seen.joined.push(member)
  }
  emedia.mgr.onMemberExited = function (member: any) {
    seen.exited.push(member)
  }
  emedia.mgr.onStreamAdded = function (stream: any) {
    seen.added.push(stream)
  }
  emedia.mgr.onStreamRemoved = function (stream: any) {
    seen.removed.push(stream)
  }
  emedia.mgr.onRoleChanged = function (role: any) {
    seen.role.push(role)
  }
  emedia.mgr.onMediaChanaged = function (stream: any) {
    seen.media.push(stream)
  }

  // 1. createConference
  const confrType = emedia.mgr.ConfrType.COMMUNICATION
  const password = 'password123'
  let created: any
  await emedia.mgr.createConference(confrType, password).then(function (confr: any) {
    //confr 即为创建的会议
    //将ID password 发送给其他人
    created = confr
  })
  expect(created).toMatchObject({ confrId: expect.any(String), password, type: 10 })
  expect(created.id).toBe(created.confrId)
  expect(typeof created.ticket).toBe('string')
  expect(typeof created.roleToken).toBe('string')

  // 2. joinConferenceWithTicket
  const confrId = created.confrId
  const ticket = created.ticket
  const ext = { role: 'admin' }
  let joined: any
  await emedia.mgr.joinConferenceWithTicket(confrId, ticket, ext).then(function (confr: any) {
    //confr 即为创建的会议
    joined = confr
  })
  expect(joined.confrId).toBe(confrId)
  expect(seen.joined[0]).toMatchObject({ name: 'yss000', isSelf: true, ext })

  // 3. pubStream
  const rtcId = wx.emedia.util.getRtcId()
  let pushUrl = ''
  await emedia.mgr.pubStream(rtcId).then(function (res: any) {
    // 将返回的res.data.rtmp 赋值给live-pusher的src就可以推流了
    pushUrl = res.data.rtmp
  })
  expect(pushUrl).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/live\/ST_[\w-]+\?token=/)

  // 其他人进入会议: joinConference(confrId, password, ext), onStreamAdded → subStream
  const bob = await other('bob')
  let bobPlayUrl = ''
  bob.emedia.mgr.onStreamAdded = function (stream: any) {
    bob.emedia.mgr.subStream(stream.id).then(function (res: any) {
      //将返回的res.data.rtmp赋值给live-player的src就可以播放了
      bobPlayUrl = res.data.rtmp
    })
  }
  await bob.emedia.mgr.joinConference(confrId, password, { nick: 'Bob' }).then(function () {})
  await until(() => seen.joined.some((m: any) => m.name === 'bob'))

  const pusher = pushTestPattern(pushUrl)
  await until(() => bobPlayUrl !== '', 10000)
  const pulled = await pullFrames(bobPlayUrl, { frames: 3 })
  expect(pulled.frames).toBeGreaterThanOrEqual(3)

  // bob publishes too: yss000's onStreamAdded, subStream, and bob's camera off → onMediaChanaged
  const bobPub = await bob.emedia.mgr.pubStream(bob.emedia.util.getRtcId())
  const bobPusher = pushTestPattern(bobPub.data.rtmp, { toneHz: 660 })
  await until(() => seen.added.length === 1, 10000)
  let yssPlayUrl = ''
  await emedia.mgr.subStream(seen.added[0].id).then(function (res: any) {
    yssPlayUrl = res.data.rtmp
  })
  expect((await pullFrames(yssPlayUrl, { frames: 2 })).frames).toBeGreaterThanOrEqual(2)
  await bob.emedia.mgr.pauseVideo()
  await until(() => seen.media.length === 1)
  expect(seen.media[0]).toMatchObject({ voff: 1, memName: 'bob' })

  // 9. grantRole → onRoleChanged for bob; 8. kickMembersById → onMemberExited, onStreamRemoved
  const bobRoles: number[] = []
  bob.emedia.mgr.onRoleChanged = function (role: number) {
    bobRoles.push(role)
  }
  const memberNames = ['bob']
  const role = emedia.mgr.Role.AUDIENCE
  await emedia.mgr.grantRole(confrId, memberNames, role).then(function () {})
  await until(() => bobRoles.length === 1)
  expect(bobRoles).toEqual([1])
  await until(() => seen.removed.length === 1) // an audience member's stream ends
  await emedia.mgr.kickMembersById(confrId, memberNames).then(function () {})
  await until(() => seen.exited.length === 1)
  expect(seen.exited[0].name).toBe('bob')
  await Promise.all([pusher.stop(), bobPusher.stop()])
})

test('joinRoom (role, config) → getConferenceTkt → exitConference; onConferenceExit with the reason switch', async () => {
  let exitReason: unknown
  emedia.mgr.onConferenceExit = function (reason: any, failed: any) {
    reason = reason || 0
    switch (reason) {
      case 0:
        reason = '正常挂断'
        break
      case 1:
        reason = '没响应'
        break
      case 2:
        reason = '服务器拒绝'
        break
      case 3:
        reason = '对方忙'
        break
      case 4:
        reason = '失败,可能是网络或服务器拒绝'
        if (failed === -9527) {
          reason = '失败,网络原因'
        }
        if (failed === -500) {
          reason = 'Ticket失效'
        }
        if (failed === -502) {
          reason = 'Ticket过期'
        }
        if (failed === -504) {
          reason = '链接已失效'
        }
        if (failed === -508) {
          reason = '会议无效'
        }
        if (failed === -510) {
          reason = '服务端限制'
        }
        break
      case 5:
        reason = '不支持'
        break
      case 10:
        reason = '其他设备登录'
        break
      case 11:
        reason = '会议关闭'
        break
    }
    exitReason = reason
  }

  let params = {
    roomName: 'test',
    password: '',
    role: 7, //admin
    config: {},
  }
  let confrId = ''
  await wx.emedia.mgr.joinRoom(params).then((res: any) => {
    let id = res.confrId
    confrId = id
  })
  expect(confrId).toMatch(/^CF_/)

  const option = {
    roomName: 'test-with-config',
    password: 'pw',
    role: 3,
    config: {
      nickName: '小明',
      rec: false,
      recMerge: false,
      maxTalkerCount: 4,
      maxVideoCount: 4,
      maxAudienceCount: 10,
      maxPubDesktopCount: 1,
      ext: { dept: 'ops' },
    },
  }
  // Joining a second room leaves the first, as emedia allows one conference at a time.
  await emedia.mgr.exitConference(confrId)
  expect(exitReason).toBe('正常挂断')
  await wx.emedia.mgr.joinRoom(option).then((res: any) => {
    confrId = res.confrId
  })
  const info = await emedia.mgr.getConferenceInfo(confrId, 'pw')
  expect(info.config).toMatchObject({ maxTalkerCount: 4, maxVideoCount: 4, maxAudienceCount: 10 })

  // Tickets are bound to the user who asks for one: carol asks, as the document's others would.
  const carol = await other('carol')
  let tickit: any
  await carol.emedia.mgr.getConferenceTkt(confrId, 'pw').then(function (t: any) {
    tickit = t
  })
  await carol.emedia.mgr.joinConferenceWithTicket(confrId, tickit, {})
  await until(() => emedia.mgr.getMembers().some((m: any) => m.name === 'carol'))

  // 7. destroyConference → the others get onConferenceExit(11)
  await emedia.mgr.destroyConference(confrId).then(function () {})
  await until(() => carol.exits.length === 1)
  expect(carol.exits[0]).toEqual([11, expect.any(Number)])
})
