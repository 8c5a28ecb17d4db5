// Joining and leaving: the store's status, the conference and self, and the plan to join again
// the same way after the membership was lost.
import { action } from 'mobx-miniprogram'
import {
  ConfrType,
  ErrorCode,
  ExitReason,
  type Conference,
  type ConfrTypeValue,
} from '../sdk/protocol'
import type { ConferenceStore } from './conference'
import { coreOf, type Core, type JoinPlan } from './core'
import { fail, reject, toKitError } from './errors'
import { takeSnapshot } from './roster'
import type { JoinByIdOptions, JoinRoomOptions } from './types'

export interface CreateOptions {
  type?: ConfrTypeValue
  password?: string
  rec?: boolean
  recMerge?: boolean
  nickName?: string
  ext?: Record<string, unknown>
}

/** Exit codes after which showing the page again should rejoin: the membership was lost, not ended. */
export const REJOINABLE = new Set<number>([
  ErrorCode.NETWORK,
  ErrorCode.MEMBER_INVALID,
  ErrorCode.TIMEOUT,
])

/** Methods of ConferenceStore (mixed in by conference.ts). */
export class JoinActions {
  create(this: ConferenceStore, options: CreateOptions = {}): Promise<boolean> {
    const c = coreOf(this)
    const { type = ConfrType.COMMUNICATION, password = '', rec, recMerge, ext, nickName } = options
    const joinOptions: JoinByIdOptions = { ext, nickName }
    const mgr = c.emedia.mgr
    return enter(c, null, async () => {
      const created = await mgr.createConference(type, password, rec, recMerge)
      // Rejoining later goes by id and password: a ticket expires.
      const confrId = created.confrId
      c.plan = {
        kind: 'id',
        confrId,
        password: created.password ?? password,
        options: joinOptions,
      }
      return mgr.joinConferenceWithTicket(confrId, created.ticket, ext, { nickName })
    })
  }

  joinRoom(this: ConferenceStore, options: JoinRoomOptions): Promise<boolean> {
    const c = coreOf(this)
    if (!options || !options.roomName) return reject(c, 'join', 'joinRoom: roomName is required')
    return enter(c, { kind: 'room', options })
  }

  joinById(
    this: ConferenceStore,
    confrId: string,
    password = '',
    options: JoinByIdOptions = {},
  ): Promise<boolean> {
    const c = coreOf(this)
    if (!confrId) return reject(c, 'join', 'joinById: confrId is required')
    return enter(c, { kind: 'id', confrId, password, options })
  }

  joinWithTicket(
    this: ConferenceStore,
    confrId: string,
    ticket: string,
    options: JoinByIdOptions = {},
  ): Promise<boolean> {
    const c = coreOf(this)
    if (!confrId || !ticket) {
      return reject(c, 'join', 'joinWithTicket: confrId and ticket are required')
    }
    return enter(c, { kind: 'ticket', confrId, ticket, options })
  }

  /** Joins again the way the last join went (after the membership was lost). */
  rejoin(this: ConferenceStore): Promise<boolean> {
    const c = coreOf(this)
    if (!c.plan) return reject(c, 'join', 'rejoin: nothing to rejoin')
    return enter(c, c.plan)
  }

  async leave(this: ConferenceStore): Promise<boolean> {
    const c = coreOf(this)
    const confrId = this.conference?.confrId
    c.plan = null
    if (!confrId || !this.inConference) return true
    let ok = true
    try {
      await c.emedia.mgr.exitConference(confrId)
    } catch (err) {
      ok = fail(c, 'leave', err)
    }
    applyExit(c, ExitReason.HANGUP, 0)
    return ok
  }
}

async function enter(
  c: Core,
  plan: JoinPlan | null,
  attempt: () => Promise<Conference> = () => runPlan(c, plan!),
): Promise<boolean> {
  const { store } = c
  if (store.status === 'joining' || store.inConference) {
    return reject(c, 'join', 'already in a conference: leave it first')
  }
  beginJoin(c, plan)
  let joined: Conference
  try {
    joined = await attempt()
  } catch (err) {
    joinFailed(c, err)
    return false
  }
  applyJoined(c, joined)
  if (store.autoPublish || store.local.wantPublish) await store.publish()
  return true
}

function runPlan(c: Core, plan: JoinPlan): Promise<Conference> {
  const mgr = c.emedia.mgr
  if (plan.kind === 'room') return mgr.joinRoom(plan.options)
  const { ext, ...opts } = plan.options
  if (plan.kind === 'id') return mgr.joinConference(plan.confrId, plan.password, ext, opts)
  return mgr.joinConferenceWithTicket(plan.confrId, plan.ticket, ext, opts)
}

function beginJoin(c: Core, plan: JoinPlan | null): void {
  const { store } = c
  c.plan = plan
  store.status = 'joining'
  store.exitReason = null
  store.exitCode = null
  store.lastError = null
}

// joinFailed, applyJoined and applyExit run after an await (applyExit also from the SDK's
// conferenceExit), outside the action that started the join: each is an action of its own, one
// batch for the components' bindings.

const joinFailed = action('joinFailed', (c: Core, err: unknown): void => {
  const { store } = c
  const error = toKitError(err, 'join')
  clearConference(c)
  store.status = 'exited'
  store.exitReason = ExitReason.FAILED
  store.exitCode = error.code
  store.lastError = error
  c.events.emit('error', error)
})

const applyJoined = action('applyJoined', (c: Core, joined: Conference): void => {
  const { store } = c
  const mgr = c.emedia.mgr
  store.conference = mgr.getConference() ?? joined
  store.self = mgr.getSelf() ?? store.self
  takeSnapshot(c)
  store.status = 'joined'
  c.events.emit('join', { conference: store.conference, self: store.self })
})

export const applyExit = action('applyExit', (c: Core, reason: number, code: number): void => {
  const { store } = c
  if (store.status === 'exited' || store.status === 'idle') return
  clearConference(c)
  store.status = 'exited'
  store.exitReason = reason
  store.exitCode = code
  c.events.emit('exit', { reason, code })
})

function clearConference(c: Core): void {
  const { store } = c
  store.members.clear()
  store.streams.clear()
  store.streamIdByMember.clear()
  store.media.clear()
  store.conference = null
  c.publishing = false
}
