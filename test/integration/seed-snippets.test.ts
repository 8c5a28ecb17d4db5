// Every code snippet of the emedia mini program document, run as written against the real
// server: the text is read from the document itself (never retyped here) and executed by a
// loader that supplies what a page would have — `wx`, `emedia`, `require`, `this.setData` and
// the variables the snippet names (confrId, ticket, ...). The mini program participant is the
// kit's mini program build (miniprogram_dist) on a `wx` made of real sockets; the others are
// Node SDK clients running the same snippets.
//
// The document is not copied into the repository: it is read from ../shared/reference/ beside
// the clone, where CI has it. A clone without it says NOT RUN (and fails under
// CK_REQUIRE_SHARED=1, which .ci/run sets).
import * as fs from 'fs'
import * as path from 'path'
import type { ConferenceServer } from 'miniprogram-conference-server'
import { pullFrames, pushTestPattern, stopAllMedia } from '../../testkit/ffmpeg'
import { nodeClient, type NodeClient } from '../../testkit/sdk-client'
import { startServer } from '../../testkit/server'
import { describeRequiring } from '../../testkit/optional-suite'
import { createWxShim } from '../../testkit/wx-shim'
import { until } from '../../testkit/wait'

const DOC = path.resolve(__dirname, '../../../shared/reference/emedia-miniprogram-sdk.md')
const present = fs.existsSync(DOC)
const doc = present ? fs.readFileSync(DOC, 'utf8') : ''
/** The fenced code blocks of the document, in order, exactly as written. */
const blocks = [...doc.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1])

/** The one block that contains every `marker`; the test fails if there is not exactly one. */
function snippet(...markers: string[]): string {
  const found = blocks.filter((b) => markers.every((m) => b.includes(m)))
  if (found.length !== 1) throw new Error(`${found.length} snippets contain ${markers.join(' + ')}`)
  used.add(found[0])
  return found[0]
}
const used = new Set<string>()

// ---- the loader ----

interface Recorder {
  /** mgr calls that returned a promise: what they were called with and what they settled to. */
  calls: Array<{ method: string; args: unknown[]; result?: any; error?: any }>
  /** Calls of callbacks the snippets assigned (mgr.onX = function ...), by name. */
  callbacks: Record<string, unknown[][]>
  pending: Array<Promise<unknown>>
}

/** `real` as the snippets see it: the same object, with its calls and callbacks recorded. */
function recording(real: any): { emedia: any; rec: Recorder } {
  const rec: Recorder = { calls: [], callbacks: {}, pending: [] }
  const mgr = new Proxy(real.mgr, {
    get(target, key) {
      const value = target[key]
      if (typeof value !== 'function' || typeof key !== 'string' || key.startsWith('on'))
        return value
      return (...args: unknown[]) => {
        const out = value.apply(target, args)
        if (out && typeof out.then === 'function') {
          const entry: Recorder['calls'][number] = { method: key, args }
          rec.calls.push(entry)
          rec.pending.push(
            out.then(
              (r: unknown) => (entry.result = r),
              (e: unknown) => (entry.error = e),
            ),
          )
          return observed(out)
        }
        return out
      }
    },
    set(target, key, value) {
      if (typeof key === 'string' && key.startsWith('on') && typeof value === 'function') {
        const list = (rec.callbacks[key] ??= [])
        target[key] = (...args: unknown[]) => {
          list.push(args)
          return value(...args)
        }
      } else target[key] = value
      return true
    },
  })
  return { emedia: new Proxy(real, { get: (t, k) => (k === 'mgr' ? mgr : t[k]) }), rec }
}

/**
 * `p`, whose `.then(...)` chains count as handled: the document's snippets end in
 * `.then(function () {})` with no catch, and the refusals they meet are asserted by the test
 * (rejection recorded, onConferenceExit called), not left to Node's unhandled-rejection check.
 */
function observed<T>(p: Promise<T>): Promise<T> {
  const out = p.then((v) => v)
  const then = out.then.bind(out)
  out.then = ((onOk?: any, onErr?: any) => {
    const derived = then(onOk, onErr)
    derived.catch(() => undefined)
    return derived
  }) as typeof out.then
  return out
}

/** Runs a snippet as a page's code: `this` is the page, the rest are the snippet's free names. */
async function run(
  code: string,
  who: { emedia: any; rec: Recorder },
  vars: Record<string, unknown> = {},
): Promise<Recorder['calls'][number] | undefined> {
  const before = who.rec.calls.length
  const scope = { wx: { ...wx, emedia: who.emedia }, emedia: who.emedia, require: load, ...vars }
  // Running the document's text is the point of this file.
  new Function(...Object.keys(scope), code).call(page, ...Object.values(scope))
  await Promise.all(who.rec.pending.splice(0))
  await new Promise((r) => setImmediate(r)) // the snippet's own .then callback
  return who.rec.calls[before]
}

/** The document's `require("../emedia/emedia_for_miniProgram.js")`: the kit's build. */
const required: string[] = []
function load(id: string) {
  required.push(id)
  return yss.emedia
}

/** A page: what `this` is in a snippet. */
const page = {
  data: {} as Record<string, unknown>,
  setData(d: Record<string, unknown>) {
    Object.assign(this.data, d)
  },
}

// ---- participants ----

const wx: any = createWxShim()
;(global as any).wx = wx
let server: ConferenceServer
let yss: { emedia: any; rec: Recorder }
const others: NodeClient[] = []

async function other(userId: string) {
  const c = await nodeClient(server, userId, { config: { logLevel: 'silent' } })
  others.push(c)
  return { client: c, ...recording(c.emedia) }
}

describeRequiring(
  'the emedia document, run snippet by snippet',
  { ok: present, reason: `the emedia document is not beside the clone: ${DOC}` },
  'CK_REQUIRE_SHARED',
  () => {
    beforeAll(async () => {
      server = await startServer()
      // README: const emedia = (wx.emedia = require('miniprogram-conference-kit'))
      const kit = (wx.emedia = require('miniprogram-conference-kit'))
      kit.config({
        host: server.wsUrl,
        userId: 'yss000',
        logLevel: 'silent',
        reconnect: { retries: 2, delayMs: 100, firstDelayMs: 50 },
      })
      yss = recording(kit)
    })
    afterAll(async () => {
      await yss.emedia.mgr.disconnect().catch(() => undefined)
      await Promise.all(others.map((c) => c.close()))
      await stopAllMedia()
      await server.stop()
    })

    /** A value of the document's object examples (会议对象, 成员对象, 视频流对象). */
    function example(marker: string): Record<string, unknown> {
      const text = snippet(marker)
      return new Function('member', `return (${text.replace(/^\s*\/\/.*$/m, '')})`)({})
    }

    const CALLBACKS = [
      'onMemberJoined',
      'onMemberExited',
      'onStreamAdded',
      'onStreamRemoved',
      'onRoleChanged',
      'onMediaChanaged',
      'onConferenceExit',
    ]
    const callbackSnippets = () => CALLBACKS.map((name) => snippet(`emedia.mgr.${name} = function`))

    test('集成: the require line, the constants and the object shapes are what the kit has', async () => {
      const required0 = required.length
      await run(snippet('require("../emedia/emedia_for_miniProgram.js")'), yss)
      expect(required.slice(required0)).toEqual(['../emedia/emedia_for_miniProgram.js'])
      // The constants block assigns to emedia.mgr: run it on a scratch object and compare.
      const scratch: any = { mgr: {} }
      await run(snippet('emedia.mgr.ConfrType = {'), { emedia: scratch, rec: yss.rec })
      expect(scratch.mgr.ConfrType).toEqual({ COMMUNICATION: 10, COMMUNICATION_MIX: 11, LIVE: 12 })
      expect(yss.emedia.mgr.ConfrType).toEqual(expect.objectContaining(scratch.mgr.ConfrType))
      expect(yss.emedia.mgr.Role).toEqual(expect.objectContaining(scratch.mgr.Role))
    })

    test('发起会议 / 其他人进入会议 / 接口说明: create, join with ticket, publish, subscribe, grantRole, kick — with the SDK callbacks', async () => {
      for (const code of callbackSnippets()) await run(code, yss)
      const conferenceShape = Object.keys(example('// 会议对象'))
      const memberShape = Object.keys(example('// 成员对象'))
      const streamShape = Object.keys(example('// 视频流对象'))

      // 1. createConference (集成步骤, and 接口说明 5 with the document's {string} confrType)
      const created = (await run(
        snippet('createConference(confrType, password).then', '将ID'),
        yss,
        {
          confrType: yss.emedia.mgr.ConfrType.COMMUNICATION,
          password: 'password123',
        },
      ))!.result
      expect(Object.keys(created)).toEqual(expect.arrayContaining(conferenceShape))
      expect(created).toMatchObject({ password: 'password123', type: 10 })
      const apiCreate = snippet('@method createConference')
      const typed = (await run(apiCreate, yss, { confrType: '12', password: '' }))!.result
      expect(typed.type).toBe(12)

      // 2. joinConferenceWithTicket
      const confrId = created.confrId
      const ext = { role: 'admin' }
      const joinWithTicket = snippet(
        'joinConferenceWithTicket(confrId, ticket, ext).then',
        '即为创建',
      )
      await run(joinWithTicket, yss, { confrId, ticket: created.ticket, ext })
      const self = yss.rec.callbacks.onMemberJoined[0][0] as any
      expect(self).toMatchObject({ name: 'yss000', isSelf: true, ext })
      expect(Object.keys(self)).toEqual(expect.arrayContaining(memberShape))

      // 3. pubStream: res.data.rtmp → live-pusher (here ffmpeg)
      const pub = (await run(snippet('pubStream(rtcId).then', '赋值给live-pusher'), yss, {
        rtcId: wx.emedia.util.getRtcId(),
      }))!.result
      expect(pub.data.rtmp).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/live\/ST_[\w-]+\?token=/)
      const pusher = pushTestPattern(pub.data.rtmp)

      // 其他人进入会议: bob runs the callbacks and joinConference, then subStream in onStreamAdded.
      const bob = await other('bob')
      for (const code of callbackSnippets()) await run(code, bob)
      await run(snippet('joinConference(confrId, password, ext).then', '//confr 加入会议'), bob, {
        confrId,
        password: 'password123',
        ext: { nick: 'Bob' },
      })
      await until(() => (yss.rec.callbacks.onMemberJoined ?? []).length === 2)
      expect((yss.rec.callbacks.onMemberJoined[1][0] as any).name).toBe('bob')
      await until(() => (bob.rec.callbacks.onStreamAdded ?? []).length === 1, 10000)
      const yssStream = bob.rec.callbacks.onStreamAdded[0][0] as any
      expect(Object.keys(yssStream)).toEqual(expect.arrayContaining(streamShape))
      const bobSub = (await run(snippet('subStream(streamId).then', '赋值给live-player'), bob, {
        streamId: yssStream.id,
      }))!.result
      expect((await pullFrames(bobSub.data.rtmp, { frames: 3 })).frames).toBeGreaterThanOrEqual(3)

      // bob publishes (接口说明 14); yss subscribes (接口说明 15); bob's camera off → onMediaChanaged
      const bobPub = (await run(snippet('@method pubStream'), bob, {
        rtcId: bob.emedia.util.getRtcId(),
      }))!.result
      const bobPusher = pushTestPattern(bobPub.data.rtmp, { toneHz: 660 })
      await until(() => (yss.rec.callbacks.onStreamAdded ?? []).length === 1, 10000)
      const bobStream = yss.rec.callbacks.onStreamAdded[0][0] as any
      const yssSub = (await run(snippet('@method subStream'), yss, { streamId: bobStream.id }))!
        .result
      expect((await pullFrames(yssSub.data.rtmp, { frames: 2 })).frames).toBeGreaterThanOrEqual(2)
      await bob.emedia.mgr.pauseVideo()
      await until(() => (yss.rec.callbacks.onMediaChanaged ?? []).length === 1)
      expect(yss.rec.callbacks.onMediaChanaged[0][0]).toMatchObject({ voff: 1, memName: 'bob' })

      // 9. grantRole with the document's {string} role → bob's onRoleChanged; his stream ends
      const memberNames = ['bob']
      await run(snippet('@method grantRole'), yss, { confrId, memberNames, role: '1' })
      await until(() => (bob.rec.callbacks.onRoleChanged ?? []).length === 1)
      expect(bob.rec.callbacks.onRoleChanged[0][0]).toBe(1)
      await until(() => (yss.rec.callbacks.onStreamRemoved ?? []).length === 1)
      // 8. kickMembersById → yss's onMemberExited; bob's onConferenceExit(2, -504)
      await run(snippet('@method kickMembersById'), yss, { confrId, memberNames })
      await until(() => (yss.rec.callbacks.onMemberExited ?? []).length === 1)
      expect((yss.rec.callbacks.onMemberExited[0][0] as any).name).toBe('bob')
      await until(() => (bob.rec.callbacks.onConferenceExit ?? []).length === 1)
      expect(bob.rec.callbacks.onConferenceExit).toEqual([[2, -504]])
      await Promise.all([pusher.stop(), bobPusher.stop()])
      await run(snippet('emedia.mgr.exitConference(confrId)'), yss, { confrId })
      expect(yss.rec.callbacks.onConferenceExit).toEqual([[0, 0]])
    })

    test('joinRoom, getConferenceTkt, exitConference, destroyConference — and every onConferenceExit case the server produces, with its code', async () => {
      const exits = () => yss.rec.callbacks.onConferenceExit
      exits().length = 0
      // 0: joinRoom (集成步骤), then 13. exitConference(confrId)
      const joined = (await run(snippet("roomName: 'test'", 'let params'), yss))!.result
      await run(snippet('emedia.mgr.exitConference(confrId)'), yss, { confrId: joined.confrId })
      expect(exits()).toEqual([[0, 0]])

      // 12. joinRoom(option) with every config field; carol gets a ticket (6.) and joins with it (11.)
      const option = {
        roomName: 'test-with-config',
        password: 'pw',
        role: 7,
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
      const room = (await run(snippet('wx.emedia.mgr.joinRoom(option)'), yss, { option }))!.result
      const confrId = room.confrId
      const carol = await other('carol')
      for (const code of callbackSnippets()) await run(code, carol)
      const tickit = (await run(snippet('@method getConferenceTkt'), carol, {
        confrId,
        password: 'pw',
      }))!.result
      const apiJoinTicket = snippet('@method joinConferenceWithTicket')
      await run(apiJoinTicket, carol, { confrId, ticket: tickit, ext: {} })
      await until(() => yss.emedia.mgr.getMembers().some((m: any) => m.name === 'carol'))

      // 10: the same user joins from another device
      const otherDevice = await other('yss000')
      await otherDevice.emedia.mgr.joinConference(confrId, 'pw')
      await until(() => exits().length === 2)

      // Refused joins (10. joinConference, 11. joinConferenceWithTicket, 12. joinRoom):
      const apiJoin = snippet('@method joinConference ')
      await run(apiJoin, yss, { confrId, password: 'wrong', ext: {} }) // 4 / -508
      await run(apiJoinTicket, yss, { confrId, ticket: tickit, ext: {} }) // carol's ticket: 4 / -500
      const expired = server.tokens.mintTicket(confrId, 'yss000', -1)
      await run(apiJoinTicket, yss, { confrId, ticket: expired, ext: {} }) // 4 / -502
      const quota = server.config.maxConferencesPerUser
      server.config.maxConferencesPerUser = 1 // yss owns live conferences already
      await run(snippet('wx.emedia.mgr.joinRoom(option)'), yss, {
        option: { roomName: 'one-too-many' },
      }) // 4 / -510
      server.config.maxConferencesPerUser = quota
      await run(apiJoin, yss, { confrId: 'CF_nonexistent', password: '', ext: {} }) // 2 / -301

      // 2: kicked (-504), and kept out afterwards (a refusal: 2 / -101)
      const dan = await other('dan')
      const dans = await dan.emedia.mgr.joinRoom({ roomName: 'dans', password: '', role: 7 })
      await run(apiJoin, yss, { confrId: dans.confrId, password: '', ext: {} })
      await dan.emedia.mgr.kickMembersById(dans.confrId, ['yss000'])
      await until(() => exits().length === 8)
      await run(apiJoin, yss, { confrId: dans.confrId, password: '', ext: {} })

      // 4 / -9527: the network goes and does not come back within the reconnect attempts
      await run(snippet("roomName: 'test'", 'let params'), yss)
      wx.setNetwork(false)
      await until(() => exits().length === 10, 10000)
      wx.setNetwork(true)

      // 11 / -302: 7. destroyConference — by its creator, who is not in it (yss000's other device
      // holds that membership), as seen by the members (carol, the other device) ...
      await run(snippet('@method destroyConference'), yss, { confrId })
      await until(() => (carol.rec.callbacks.onConferenceExit ?? []).length === 1)
      expect(carol.rec.callbacks.onConferenceExit).toEqual([[11, -302]])
      await until(() => otherDevice.client.exits.length === 1)
      expect(otherDevice.client.exits).toEqual([[11, -302]])
      // ... and by yss's own handler, in a conference it destroys while in it
      const last = (await run(snippet("roomName: 'test'", 'let params'), yss))!.result
      await run(snippet('@method destroyConference'), yss, { confrId: last.confrId })

      expect(exits()).toEqual([
        [0, 0], // exitConference
        [10, 0], // the same user joined elsewhere
        [4, -508], // wrong password
        [4, -500], // a ticket issued to someone else
        [4, -502], // an expired ticket
        [4, -510], // over the server's conferences-per-user limit
        [2, -301], // no such conference
        [2, -504], // kicked
        [2, -101], // kicked users stay out
        [4, -9527], // the network did not come back
        [11, -302], // destroyed
      ])
      // Of the document's reasons, 1, 3 and 5 are never produced (docs/status-codes.md).
    })

    test('every snippet of the document was run', () => {
      const objects = ['// 会议对象', '// 成员对象', '// 视频流对象'].map((m) => snippet(m))
      expect(objects).toHaveLength(3)
      const missed = blocks.filter((b) => !used.has(b))
      expect(missed).toEqual([])
    })
  },
)
