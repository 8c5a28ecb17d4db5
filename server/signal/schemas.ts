// Every request the server accepts, as zod schemas checked against the wire types of
// the protocol package (protocol/src/methods.ts), so the validator and the contract cannot drift apart.
import { z } from 'zod'
import {
  CONFR_TYPES,
  confrTypeOf,
  type ConfrTypeValue,
  MAX_INVITATION_TTL,
  MAX_MEMBER_PAGE,
  MAX_MESSAGE_BYTES,
  MAX_MESSAGE_PAGE,
  MAX_RECIPIENTS,
  MIN_INVITATION_TTL,
  type MethodName,
  type Methods,
  roleOf,
  ROLES,
  type RoleValue,
} from 'miniprogram-conference-protocol'

const confrId = z.string().min(1).max(64)
const streamId = z.string().min(1).max(64)
const password = z.string().max(128)
const ticket = z.string().min(1).max(2048)
/** A number or a numeric string (the emedia document types these as strings) → the number. */
function numericEnum<T extends number>(
  parse: (v: unknown) => T | null,
  allowed: readonly T[],
  what: string,
) {
  const message = `${what} must be one of ${allowed.join(', ')} (a number or a numeric string)`
  return z.union([z.number(), z.string().max(8)], { error: message }).transform((v, ctx) => {
    const value = parse(v)
    if (value !== null) return value
    ctx.addIssue({ code: 'custom', message })
    return z.NEVER
  })
}
const confrType = numericEnum<ConfrTypeValue>(confrTypeOf, CONFR_TYPES, 'type')
const role = numericEnum<RoleValue>(roleOf, ROLES, 'role')
const flag = z.union([z.literal(0), z.literal(1)])
const limit = z.number().int().positive()
const config = z.object({
  maxTalkerCount: limit.optional(),
  maxVideoCount: limit.optional(),
  maxAudienceCount: limit.optional(),
  maxPubDesktopCount: limit.optional(),
})
/** Length of `v` as JSON; Infinity when it cannot be written (nested too deep for the stack). */
function jsonLength(v: unknown): number {
  try {
    return JSON.stringify(v).length
  } catch {
    return Infinity
  }
}
/** Free-form `ext`, shown to every member: bounded so nobody can make everyone download 1 MB. */
const ext = z
  .record(z.string(), z.unknown())
  .refine((v) => jsonLength(v) <= 4096, 'ext must be at most 4096 bytes of JSON')
const memberName = z.string().min(1).max(128)
const memberNames = z.array(memberName).min(1).max(100)
/** UTF-8 bytes of a string (what MAX_MESSAGE_BYTES counts). */
const utf8 = (s: string) => Buffer.byteLength(s, 'utf8')
/** UTF-8 bytes of `v` as JSON; Infinity when it cannot be written. */
function jsonBytes(v: unknown): number {
  try {
    return utf8(JSON.stringify(v))
  } catch {
    return Infinity
  }
}
const tooLong = `at most ${MAX_MESSAGE_BYTES} bytes`
/** A chat message: exactly one of text and custom, each bounded. */
const message = z
  .object({
    confrId,
    text: z
      .string()
      .min(1)
      .refine(
        (t) => utf8(t) <= MAX_MESSAGE_BYTES && t.trim().length > 0,
        `text: not empty, ${tooLong}`,
      )
      .optional(),
    custom: z
      .unknown()
      .refine(
        (v) => v !== undefined && jsonBytes(v) <= MAX_MESSAGE_BYTES,
        `custom: JSON of ${tooLong}`,
      )
      .optional(),
    to: z.array(memberName).min(1).max(MAX_RECIPIENTS).optional(),
  })
  .refine((m) => (m.text === undefined) !== (m.custom === undefined), {
    message: 'exactly one of text and custom',
  })

/** Each schema takes what the wire type allows and gives the server normalised values. */
type Schemas = { [M in MethodName]: z.ZodType<Methods[M]['params'], unknown> }

export const paramSchemas = {
  auth: z.object({ token: z.string().min(1).max(4096) }),
  createConference: z.object({
    type: confrType,
    password: password.optional(),
    rec: z.boolean().optional(),
    recMerge: z.boolean().optional(),
    config: config.optional(),
  }),
  getConferenceTkt: z.object({ confrId, password: password.optional() }),
  getConferenceInfo: z.object({ confrId, password: password.optional() }),
  join: z.object({
    confrId: confrId.optional(),
    password: password.optional(),
    ticket: ticket.optional(),
    invitation: z.string().min(1).max(256).optional(),
    roomName: z.string().min(1).max(128).optional(),
    type: confrType.optional(),
    role: role.optional(),
    nickName: z.string().max(64).optional(),
    ext: ext.optional(),
    rec: z.boolean().optional(),
    recMerge: z.boolean().optional(),
    config: config.optional(),
  }),
  resume: z.object({
    confrId,
    memberId: z.string().min(1).max(64),
    resumeToken: z.string().min(1).max(128),
  }),
  exit: z.object({ confrId }),
  destroy: z.object({ confrId }),
  kick: z.object({ confrId, memberNames }),
  grantRole: z.object({ confrId, memberNames, role }),
  publish: z.object({
    confrId,
    rtcId: z.string().min(1).max(64),
    voff: flag.optional(),
    aoff: flag.optional(),
    streamId: streamId.optional(),
    type: z.literal('desktop').optional(),
  }),
  unpublish: z.object({ streamId }),
  subscribe: z.object({ streamId }),
  unsubscribe: z.object({ streamId }),
  setMedia: z.object({ streamId, voff: flag.optional(), aoff: flag.optional() }),
  getMembers: z.object({
    confrId,
    cursor: z.string().min(1).max(64).optional(),
    limit: z.number().int().min(1).max(MAX_MEMBER_PAGE).optional(),
  }),
  setAttrs: z.object({ confrId, key: z.string().min(1).max(64), val: z.string().max(4096) }),
  deleteAttrs: z.object({ confrId, key: z.string().min(1).max(64) }),
  ping: z.object({}),
  muteMembers: z.object({
    confrId,
    memberNames,
    audio: z.boolean().optional(),
    video: z.boolean().optional(),
    allowSelfUnmute: z.boolean().optional(),
  }),
  muteAll: z.object({
    confrId,
    audio: z.boolean().optional(),
    video: z.boolean().optional(),
    allowSelfUnmute: z.boolean().optional(),
  }),
  lockConference: z.object({ confrId, locked: z.boolean() }),
  raiseHand: z.object({ confrId }),
  lowerHand: z.object({ confrId, memberName: memberName.optional() }),
  inviteToSpeak: z.object({ confrId, memberName }),
  answerSpeakInvitation: z.object({ confrId, accept: z.boolean() }),
  sendMessage: message,
  getMessages: z.object({
    confrId,
    before: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(MAX_MESSAGE_PAGE).optional(),
  }),
  createInvitation: z.object({
    confrId,
    ttlSec: z.number().int().min(MIN_INVITATION_TTL).max(MAX_INVITATION_TTL).optional(),
  }),
} satisfies Schemas

export const requestSchema = z.object({
  id: z.union([z.number().int(), z.string().min(1).max(64)]),
  method: z.string().min(1).max(64),
  params: z.unknown().optional(),
  token: z.string().min(1).max(4096).optional(),
})

export const isMethod = (m: string): m is MethodName =>
  Object.prototype.hasOwnProperty.call(paramSchemas, m)

/** zod's issues as one line a developer can act on: `params.config.maxTalkerCount: ...`. */
export function describeIssues(error: z.ZodError, root: string): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${[root, ...i.path.map(String)].join('.')}: ${i.message}`)
    .join('; ')
}

/** A request's params as the server's handlers receive them (validated and normalised). */
export type Params<M extends MethodName> = z.output<(typeof paramSchemas)[M]>
