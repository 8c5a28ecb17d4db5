// Chat (revision 6): messages to everyone or to some, at most 1 KB, rate-limited per member and
// per conference; the last 100 public texts kept for late joiners (getMessages). A text passes the
// moderation hook first when one is set (text-check.ts); custom messages (the app's own
// signalling) are neither checked nor kept.
import { type ChatMessage, ErrorCode, Role } from 'miniprogram-conference-protocol'
import { RpcError } from '../rpc-error'
import { TokenBucket } from '../security/bucket'
import { type Caller, type P, type R, type ServiceContext } from './context'
import { membershipOf, targetsOf } from './lookups'
import { broadcastAll, send } from './sending'
import { type ConferenceState, type MemberState } from './state'
import { checkText } from './text-check'

/** A getMessages page when no limit is asked. */
const MESSAGE_PAGE = 20

const memberBuckets = new WeakMap<MemberState, TokenBucket>()
const roomBuckets = new WeakMap<ConferenceState, TokenBucket>()

export function sendMessage(
  ctx: ServiceContext,
  caller: Caller,
  p: P<'sendMessage'>,
): R<'sendMessage'> | Promise<R<'sendMessage'>> {
  const { conf, member } = membershipOf(ctx, caller, p.confrId)
  if (member.role === Role.HIDING)
    throw new RpcError(ErrorCode.NO_RIGHTS, 'a hidden member may not send messages')
  if (p.to) recipients(conf, member, p.to)
  admit(ctx, conf, member)
  if (p.text === undefined || !ctx.config.chatModerationUrl) return deliver(conf, member, p, p.text)
  return checkText(ctx, conf, member, p.text).then((text) => {
    // The member may have left, or the conference ended, while the backend decided.
    if (ctx.conferences.get(conf.id) !== conf || conf.members.get(member.id) !== member)
      throw new RpcError(ErrorCode.MEMBER_INVALID, `not a member of ${conf.id}`)
    return deliver(conf, member, p, text)
  })
}

export function getMessages(
  ctx: ServiceContext,
  caller: Caller,
  p: P<'getMessages'>,
): R<'getMessages'> {
  const { conf } = membershipOf(ctx, caller, p.confrId)
  return conf.meeting.page(p.before, p.limit ?? MESSAGE_PAGE)
}

/** -429 past the member's rate or the conference's. */
function admit(ctx: ServiceContext, conf: ConferenceState, member: MemberState) {
  const rate = () => ctx.config.chatRate
  const roomRate = () => ctx.config.chatRoomRate
  let mine = memberBuckets.get(member)
  if (!mine) memberBuckets.set(member, (mine = new TokenBucket(rate, () => rate() * 5)))
  let room = roomBuckets.get(conf)
  if (!room) roomBuckets.set(conf, (room = new TokenBucket(roomRate, () => roomRate() * 2)))
  if (!mine.take())
    throw new RpcError(ErrorCode.RATE_LIMITED, `at most ${rate()} messages a second; slow down`)
  if (!room.take())
    throw new RpcError(
      ErrorCode.RATE_LIMITED,
      `this conference takes at most ${roomRate()} messages a second; try again`,
    )
}

/** The members a message names (member ids or user ids), the sender left out; -504 for none. */
function recipients(conf: ConferenceState, sender: MemberState, names: string[]): MemberState[] {
  const { targets } = targetsOf(conf, names, (m) => (m === sender ? 'yourself' : null))
  if (targets.length === 0)
    throw new RpcError(ErrorCode.MEMBER_INVALID, `none of ${names.join(', ')} is another member`)
  return targets
}

function deliver(
  conf: ConferenceState,
  member: MemberState,
  p: P<'sendMessage'>,
  text: string | undefined,
): R<'sendMessage'> {
  const to = p.to && recipients(conf, member, p.to)
  const message: ChatMessage = {
    id: conf.meeting.nextMessageId(),
    from: conf.memberRef(member),
    ...(text !== undefined ? { text } : { custom: p.custom }),
    ...(to ? { to: to.map((m) => m.id) } : {}),
    at: Date.now(),
  }
  const data = { confrId: conf.id, message }
  if (!to) {
    if (text !== undefined) conf.meeting.keep(message)
    broadcastAll(conf, 'message', data, member.id)
  } else for (const m of to) send(m, 'message', data)
  return { message }
}
