// The chat's moderation hook: each text goes to the app's backend (--chat-moderation-url) before
// anyone sees it, and the backend decides. A mini program that shows user text must check it
// (WeChat's content-security check, msgSecCheck, is the documented choice; the backend holds the
// user's openid and the access token, the server holds neither). The request is signed with the
// server secret, which the backend already has for minting tokens. No answer, or an answer that
// is not one, refuses the message: unchecked text is never shown.
import { createHmac } from 'crypto'
import { ErrorCode, MAX_MESSAGE_BYTES } from 'miniprogram-conference-protocol'
import { RpcError } from '../rpc-error'
import { type ServiceContext } from './context'
import { type ConferenceState, type MemberState } from './state'

/** What the backend is sent (JSON, POST). */
export interface TextCheckRequest {
  appId: string
  confrId: string
  userId: string
  memberId: string
  nickName: string
  text: string
}

/** What it answers: allow or not; `text`: shown instead (masked words); `reason`: told the sender. */
export interface TextCheckAnswer {
  allow: boolean
  text?: string
  reason?: string
}

/** The header carrying `sha256=<hex HMAC-SHA256 of the body with the server secret>`. */
export const SIGNATURE_HEADER = 'x-ck-signature'

export const signBody = (secret: string, body: string) =>
  'sha256=' + createHmac('sha256', secret).update(body).digest('hex')

/** The text to show (as sent, or as the backend rewrote it); -528 refused, -503 no decision. */
export async function checkText(
  ctx: ServiceContext,
  conf: ConferenceState,
  member: MemberState,
  text: string,
): Promise<string> {
  const { chatModerationUrl: url, chatModerationTimeoutMs: timeoutMs } = ctx.config
  const request: TextCheckRequest = {
    appId: ctx.config.appId,
    confrId: conf.id,
    userId: member.userId,
    memberId: member.id,
    nickName: member.nickName,
    text,
  }
  const body = JSON.stringify(request)
  const undecided = (why: string) => {
    ctx.log.warn({ confrId: conf.id, why }, 'chat moderation gave no decision')
    return new RpcError(ErrorCode.UNAVAILABLE, 'the message could not be checked; try again')
  }
  let answer: TextCheckAnswer
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signBody(ctx.config.secret, body),
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (!res.ok) throw undecided(`HTTP ${res.status}`)
    answer = (await res.json()) as TextCheckAnswer
  } catch (e) {
    if (e instanceof RpcError) throw e
    throw undecided((e as Error).message)
  }
  if (!answer || typeof answer.allow !== 'boolean') throw undecided('no "allow" in the answer')
  if (!answer.allow) {
    const reason = typeof answer.reason === 'string' ? answer.reason.slice(0, 200) : ''
    throw new RpcError(ErrorCode.MESSAGE_REJECTED, `message refused${reason ? `: ${reason}` : ''}`)
  }
  const rewritten = answer.text
  if (
    typeof rewritten === 'string' &&
    rewritten &&
    Buffer.byteLength(rewritten) <= MAX_MESSAGE_BYTES
  )
    return rewritten
  return text
}
