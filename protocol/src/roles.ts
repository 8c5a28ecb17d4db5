// Conference types and roles, as emedia numbers them, and who may publish.

/** Conference types of emedia (`emedia.mgr.ConfrType`). */
export const ConfrType = {
  COMMUNICATION: 10,
  COMMUNICATION_MIX: 11,
  LIVE: 12,
} as const
export type ConfrTypeValue = (typeof ConfrType)[keyof typeof ConfrType]

/** Roles of emedia (`emedia.mgr.Role`). HIDING: present, watches, invisible to the others. */
export const Role = {
  ADMIN: 7,
  TALKER: 3,
  AUDIENCE: 1,
  HIDING: 9,
} as const
export type RoleValue = (typeof Role)[keyof typeof Role]

/** The emedia document types `confrType` and `role` as `{string}`: "10" is as good as 10. */
export type Numeric<T extends number> = T | `${T}`

/** `value` as one of `allowed`, from a number or a numeric string; null for anything else. */
function oneOf<T extends number>(allowed: readonly T[], value: unknown): T | null {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  return allowed.includes(n as T) ? (n as T) : null
}

export const ROLES: readonly RoleValue[] = Object.values(Role)
export const CONFR_TYPES: readonly ConfrTypeValue[] = Object.values(ConfrType)

/** A role from a number or numeric string ("3"); null when it is no role. */
export const roleOf = (value: unknown): RoleValue | null => oneOf(ROLES, value)

/** A conference type from a number or numeric string ("10"); null when it is no type. */
export const confrTypeOf = (value: unknown): ConfrTypeValue | null => oneOf(CONFR_TYPES, value)

/** Whether a role may publish media (the one home of this rule: SDK, store and server use it). */
export const canPublish = (role: number | undefined): boolean =>
  role === Role.ADMIN || role === Role.TALKER

/** A role's name as the emedia constants spell it (ADMIN, TALKER, AUDIENCE, HIDING). */
export const roleName = (role: RoleValue): string =>
  Object.keys(Role).find((k) => Role[k as keyof typeof Role] === role) ?? String(role)
