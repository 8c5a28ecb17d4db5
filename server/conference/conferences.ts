// Conferences: creating one (by createConference or by a first join of a room name), tickets,
// the public info, and destroy.
import {
  type ConferenceConfig,
  type ConfrTypeValue,
  ErrorCode,
  Role,
} from 'miniprogram-conference-protocol'
import { RpcError } from '../rpc-error'
import { checkConferenceQuota } from '../security/quota'
import { ConferenceState } from './state'
import { type Caller, newId, type P, type R, type ServiceContext } from './context'
import { checkPassword, conferenceOf, seatOf } from './lookups'
import { endConference, scheduleEndIfEmpty } from './teardown'
import { conferenceView } from './views'

/** What a new conference is made of; the rest (id, owner) comes from the caller. */
export interface NewConference {
  type: ConfrTypeValue
  password?: string
  rec?: boolean
  recMerge?: boolean
  config?: ConferenceConfig
  /** Room name when created by joinRoom. */
  name?: string
}

export function newConference(
  ctx: ServiceContext,
  caller: Caller,
  o: NewConference,
): ConferenceState {
  checkConferenceQuota(ctx.conferences.values(), caller.userId, ctx.config.maxConferencesPerUser)
  const limit = ctx.config.maxConferenceMembers
  const cfg = o.config ?? {}
  for (const [k, v] of Object.entries(cfg)) {
    if (typeof v === 'number' && v > limit)
      throw new RpcError(ErrorCode.BAD_REQUEST, `config.${k} exceeds this server's limit ${limit}`)
  }
  const claimed = o.name !== undefined ? ctx.claimedRooms.get(o.name) : undefined
  const conf = new ConferenceState({
    id: claimed ?? newId('CF_'),
    type: o.type,
    password: o.password ?? '',
    ownerUserId: caller.userId,
    config: {
      maxTalkerCount: cfg.maxTalkerCount ?? 16,
      maxVideoCount: cfg.maxVideoCount ?? 16,
      maxAudienceCount: cfg.maxAudienceCount ?? 1000,
      maxPubDesktopCount: cfg.maxPubDesktopCount ?? 1,
    },
    rec: !!o.rec,
    recMerge: !!o.recMerge,
    name: o.name,
  })
  ctx.conferences.set(conf.id, conf)
  if (o.name !== undefined) {
    ctx.byRoom.set(o.name, conf.id)
    ctx.claimedRooms.delete(o.name)
  }
  scheduleEndIfEmpty(ctx, conf)
  ctx.log.info(
    { confrId: conf.id, type: o.type, name: o.name, by: caller.userId },
    'conference created',
  )
  ctx.emit('conference-created', conf)
  return conf
}

export function createConference(
  ctx: ServiceContext,
  caller: Caller,
  p: P<'createConference'>,
): R<'createConference'> {
  const conf = newConference(ctx, caller, p)
  return conferenceView(ctx, conf, caller.userId, Role.ADMIN)
}

export function getConferenceTkt(
  ctx: ServiceContext,
  caller: Caller,
  p: P<'getConferenceTkt'>,
): R<'getConferenceTkt'> {
  const conf = conferenceOf(ctx, p.confrId)
  checkPassword(ctx, conf, p.password, caller)
  return { ticket: ctx.tokens.mintTicket(conf.id, caller.userId, ctx.config.ticketTtlSec) }
}

export function getConferenceInfo(
  ctx: ServiceContext,
  caller: Caller,
  p: P<'getConferenceInfo'>,
): R<'getConferenceInfo'> {
  const conf = conferenceOf(ctx, p.confrId)
  if (!caller.memberships.has(conf.id)) checkPassword(ctx, conf, p.password, caller)
  return {
    confrId: conf.id,
    id: conf.id,
    type: conf.type,
    name: conf.name,
    rec: conf.rec,
    recMerge: conf.recMerge,
    config: conf.config,
    memberCount: conf.visibleCount,
    talkerCount: conf.talkerCount,
    audienceCount: conf.listenerCount,
    createdAt: conf.createdAt,
  }
}

export function destroy(ctx: ServiceContext, caller: Caller, p: P<'destroy'>): R<'destroy'> {
  const { conf } = seatOf(ctx, caller, p.confrId)
  endConference(ctx, conf, 'destroyed by admin')
  return {}
}
