// Who may call each method is a fact of the method table (`may`, server/conference/access.ts),
// checked before any handler runs. Every entry is tried over real sockets by someone it does not
// admit, who must get the refusal and change nothing; a method added to the table without a case
// here fails the first test.
import { ErrorCode } from 'miniprogram-conference-protocol'
import { type Access } from '../../server/conference/access'
import { methods, type ServiceMethod } from '../../server/conference/methods'
import { type RawClient } from '../../testkit/raw-client'
import { tokenFor } from '../../testkit/server'
import { useServer } from '../../testkit/server-suite'

const suite = useServer()

async function joined(user: string, roomName: string, role: 1 | 3 | 7) {
  const c = await suite.raw({ query: 'v=1' })
  const r = await c.call('join', { roomName, role }, tokenFor(suite.server, user, 7))
  if (r.error) throw new Error(`${user} could not join: ${r.error.message}`)
  return { c, confrId: (r.result as { conference: { confrId: string } }).conference.confrId }
}

/** Who is refused for each kind of access, and with what code. */
const refused: { readonly [A in Exclude<Access, 'user'>]: { who: string; code: number } } = {
  member: { who: 'outsider', code: ErrorCode.MEMBER_INVALID },
  talker: { who: 'audience', code: ErrorCode.NO_RIGHTS },
  admin: { who: 'talker', code: ErrorCode.NO_RIGHTS },
  owner: { who: 'talker', code: ErrorCode.NO_RIGHTS },
}

/** Valid params for each method that not every user may call (`confrId`, `streamId` filled in). */
const params: { [M in ServiceMethod]?: (confrId: string, streamId: string) => object } = {
  destroy: (confrId) => ({ confrId }),
  exit: (confrId) => ({ confrId }),
  getMembers: (confrId) => ({ confrId }),
  kick: (confrId) => ({ confrId, memberNames: ['audience'] }),
  grantRole: (confrId) => ({ confrId, memberNames: ['audience'], role: 3 }),
  publish: (confrId) => ({ confrId, rtcId: 'cam' }),
  unpublish: (_, streamId) => ({ streamId }),
  setMedia: (_, streamId) => ({ streamId, aoff: 1 }),
  setAttrs: (confrId) => ({ confrId, key: 'k', val: 'v' }),
  deleteAttrs: (confrId) => ({ confrId, key: 'k' }),
  muteMembers: (confrId) => ({ confrId, memberNames: ['audience'], audio: true }),
  muteAll: (confrId) => ({ confrId, audio: true }),
  lockConference: (confrId) => ({ confrId, locked: true }),
  raiseHand: (confrId) => ({ confrId }),
  lowerHand: (confrId) => ({ confrId }),
  inviteToSpeak: (confrId) => ({ confrId, memberName: 'audience' }),
  answerSpeakInvitation: (confrId) => ({ confrId, accept: true }),
  sendMessage: (confrId) => ({ confrId, text: 'hello' }),
  getMessages: (confrId) => ({ confrId }),
}

const table = Object.entries(methods) as [ServiceMethod, { may: Access }][]

test('every method says who may call it, and each restricted one has a case here', () => {
  expect(table.length).toBeGreaterThan(15)
  for (const [method, { may }] of table) {
    expect([method, ['user', ...Object.keys(refused)].includes(may)]).toEqual([method, true])
    if (may !== 'user') expect([method, typeof params[method]]).toEqual([method, 'function'])
  }
  // Spot checks of the facts themselves.
  expect(methods.kick.may).toBe('admin')
  expect(methods.publish.may).toBe('talker')
  expect(methods.setMedia.may).toBe('owner')
})

test('whoever a method does not admit is refused, and nothing changes', async () => {
  const admin = await joined('admin', 'access', 7)
  const confrId = admin.confrId
  const pub = await admin.c.call('publish', { confrId, rtcId: 'cam' })
  if (pub.error) throw new Error(pub.error.message)
  const streamId = (pub.result as { stream: { id: string } }).stream.id
  const as: Record<string, RawClient> = {
    talker: (await joined('talker', 'access', 3)).c,
    audience: (await joined('audience', 'access', 1)).c,
    outsider: (await joined('outsider', 'elsewhere', 3)).c,
  }
  const before = JSON.stringify(suite.server.service.stats())
  const seen: string[] = []
  for (const [method, { may }] of table) {
    if (may === 'user') continue
    const { who, code } = refused[may]
    const r = await as[who].call(method, params[method]!(confrId, streamId))
    seen.push(`${method}: ${r.error?.code}`)
    expect([method, who, r.error?.code]).toEqual([method, who, code])
  }
  expect(seen.length).toBeGreaterThanOrEqual(10)
  expect(JSON.stringify(suite.server.service.stats())).toBe(before)
  // The admin itself is admitted: the same kick goes through.
  const kick = await admin.c.call('kick', { confrId, memberNames: ['audience'] })
  expect(kick.error).toBeUndefined()
})
