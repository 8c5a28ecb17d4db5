// Every request the server accepts, as zod schemas checked against the wire types of
// the protocol package (protocol/src/methods.ts), so the validator and the contract cannot drift apart.
import { z } from 'zod'
import {
  CONFR_TYPES,
  confrTypeOf,
  type ConfrTypeValue,
  MAX_MEMBER_PAGE,
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
const memberNames = z.array(z.string().min(1).max(128)).min(1).max(100)

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
