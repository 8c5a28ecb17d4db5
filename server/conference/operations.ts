// What the operator (the HTTP API with the admin secret, and the console) does to one
// conference, as a table like the method table: each operation runs where the conference is
// hosted, so the routers (routing/router.ts, cluster/router.ts) carry it like a member's request
// and any node answers for any conference with the same fields.
import { ErrorCode, type Methods, type RoleValue } from 'miniprogram-conference-protocol'
import { RpcError } from '../rpc-error'
import { holdOf } from './controls'
import { type ConferenceState } from './state'
import { type ConferenceService } from './service'

export interface ConferenceSummary {
  confrId: string
  type: number
  name?: string
  createdAt: number
  members: number
  liveStreams: number
  rec: boolean
  recMerge: boolean
}

export interface Operations {
  summary: { params: Record<string, never>; result: ConferenceSummary }
  /** The summary with members, streams, config and attributes. */
  detail: { params: Record<string, never>; result: ReturnType<typeof detail> }
  kick: { params: { memberNames: string[] }; result: { kicked: string[] } }
  grantRole: {
    params: { memberNames: string[]; role: RoleValue }
    result: Methods['grantRole']['result']
  }
  /** The host's mute (revision 6), as an admin's muteMembers, of anyone. */
  mute: {
    params: Omit<Methods['muteMembers']['params'], 'confrId'>
    result: Methods['muteMembers']['result']
  }
  destroy: { params: Record<string, never>; result: { ok: true } }
}
export type OperationName = keyof Operations
export type OpParams<O extends OperationName> = Operations[O]['params']
export type OpResult<O extends OperationName> = Operations[O]['result']

type Operation<O extends OperationName> = (
  service: ConferenceService,
  conf: ConferenceState,
  params: OpParams<O>,
) => OpResult<O>

function summary(c: ConferenceState): ConferenceSummary {
  return {
    confrId: c.id,
    type: c.type,
    name: c.name,
    createdAt: c.createdAt,
    members: c.members.size,
    liveStreams: c.liveStreams().length,
    rec: c.rec,
    recMerge: c.recMerge,
  }
}

function detail(c: ConferenceState) {
  const { locked, muteAll, hands } = c.meeting
  return {
    ...summary(c),
    config: c.config,
    attrs: c.attrsObject(),
    locked,
    muteAll,
    memberList: [...c.members.values()].map((m) => ({
      ...c.memberView(m),
      connected: m.peer !== null,
      /** What the host holds it to (revision 6). */
      muted: holdOf(c, m),
      handRaised: hands.has(m.id),
    })),
    // Slots granted at join and never claimed are no streams yet (docs/protocol.md, 1.1).
    streamList: [...c.streams.values()]
      .filter((s) => !s.reserved)
      .map((s) => ({ ...c.streamView(s), live: s.publishSession !== null })),
  }
}

interface OperationEntry<O extends OperationName> {
  run: Operation<O>
  /** Changes nothing: a cluster's reply need not wait for the shared store. */
  reads?: true
}

export const operations: { readonly [O in OperationName]: OperationEntry<O> } = {
  summary: { run: (_service, conf) => summary(conf), reads: true },
  detail: { run: (_service, conf) => detail(conf), reads: true },
  kick: { run: (service, conf, p) => service.operatorKick(conf, p.memberNames) },
  grantRole: { run: (service, conf, p) => service.operatorGrantRole(conf, p.memberNames, p.role) },
  mute: { run: (service, conf, p) => service.operatorMute(conf, p) },
  destroy: {
    run: (service, conf) => {
      service.endConference(conf, 'destroyed by the operator')
      return { ok: true }
    },
  },
}

/** Runs `op` on a conference this node hosts (-301 when it hosts none of that id). */
export function operate<O extends OperationName>(
  service: ConferenceService,
  op: O,
  confrId: string,
  params: OpParams<O>,
): OpResult<O> {
  const conf = service.conferences.get(confrId)
  if (!conf) throw new RpcError(ErrorCode.NO_SUCH_CONFERENCE, `no conference ${confrId}`)
  return (operations[op] as OperationEntry<O>).run(service, conf, params)
}
