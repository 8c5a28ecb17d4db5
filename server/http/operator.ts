// The operator routes (/api/conferences…, /api/recordings…, /api/state): the admin secret as a
// bearer, or a console session (server/http/auth.ts). The console's page uses these very routes.
// In a cluster each node answers for the conferences it hosts; the listing names the others' host.
import { type IncomingMessage } from 'http'
import { ErrorCode, Role, type RoleValue } from '../../sdk/protocol'
import { type Cluster } from '../cluster/cluster'
import { type ConferenceService } from '../conference/service'
import { type SecretChecks } from './auth'
import { readJson } from './body'
import { HttpError } from './http-error'
import { overview, type OverviewDeps } from './overview'
import { listRecordings, recordingFile } from './recordings'
import { FileReply, type Route } from './replies'

const MAX_BODY = 4096
const CONF = '([A-Za-z0-9_-]{1,64})'
/** Roles an operator may set (the console's choices): admin, talker, audience. */
const ROLES: number[] = [Role.ADMIN, Role.TALKER, Role.AUDIENCE]

export interface OperatorDeps extends OverviewDeps {
  checks: SecretChecks
  /** Root of rec / recMerge files: <dir>/<confrId>/<name>.mp4 */
  recordingsDir: string
  cluster?: Cluster
}

/** Cluster: the conferences other nodes host, with their host (details are on that node). */
async function elsewhere(cluster: Cluster | undefined, service: ConferenceService) {
  if (!cluster) return []
  return (await cluster.hosting.allHosts())
    .filter(([id]) => !service.conferences.has(id))
    .map(([confrId, host]) => ({ confrId, host }))
}

function conferenceOf(service: ConferenceService, id: string) {
  const c = service.conferences.get(id)
  if (!c) throw new HttpError(404, ErrorCode.NO_SUCH_CONFERENCE, `no conference ${id}`)
  return c
}

function conferenceSummary(service: ConferenceService, id: string, detail: boolean) {
  const c = conferenceOf(service, id)
  const summary = {
    confrId: c.id,
    type: c.type,
    name: c.name,
    createdAt: c.createdAt,
    members: c.members.size,
    liveStreams: c.liveStreams().length,
    rec: c.rec,
    recMerge: c.recMerge,
  }
  if (!detail) return summary
  return {
    ...summary,
    config: c.config,
    attrs: c.attrsObject(),
    memberList: [...c.members.values()].map((m) => ({
      ...c.memberView(m),
      connected: m.peer !== null,
    })),
    // Slots granted at join and never claimed are no streams yet (docs/protocol.md, 1.1).
    streamList: [...c.streams.values()]
      .filter((s) => !s.reserved)
      .map((s) => ({
        ...c.streamView(s),
        live: s.publishSession !== null,
      })),
  }
}

/** The member a kick or role change is for: {memberId}. */
function memberIds(body: Record<string, unknown>): string[] {
  const id = body.memberId
  if (typeof id !== 'string' || !id || id.length > 64)
    throw new HttpError(400, ErrorCode.BAD_REQUEST, 'memberId: a member id')
  return [id]
}

export function operatorRoutes(deps: OperatorDeps): Route[] {
  const { service, checks } = deps
  const read = (req: IncomingMessage) => checks.operator(req, false)
  const change = (req: IncomingMessage) => checks.operator(req, true)
  return [
    [
      'GET',
      /^\/api\/state$/,
      (req) => {
        read(req)
        return overview(deps)
      },
    ],
    [
      'GET',
      /^\/api\/conferences$/,
      async (req) => {
        read(req)
        const here = [...service.conferences.keys()].map((id) => ({
          ...conferenceSummary(service, id, false),
          host: deps.cluster?.nodeId,
        }))
        return { conferences: [...here, ...(await elsewhere(deps.cluster, service))] }
      },
    ],
    [
      'GET',
      new RegExp(`^/api/conferences/${CONF}$`),
      (req, _url, m) => {
        read(req)
        return conferenceSummary(service, m[1], true)
      },
    ],
    [
      'DELETE',
      new RegExp(`^/api/conferences/${CONF}$`),
      (req, _url, m) => {
        change(req)
        service.endConference(conferenceOf(service, m[1]), 'destroyed by the operator')
        return { ok: true }
      },
    ],
    [
      'POST',
      new RegExp(`^/api/conferences/${CONF}/kick$`),
      async (req, _url, m) => {
        change(req)
        const body = await readJson(req, MAX_BODY, true)
        return service.operatorKick(conferenceOf(service, m[1]), memberIds(body))
      },
    ],
    [
      'POST',
      new RegExp(`^/api/conferences/${CONF}/role$`),
      async (req, _url, m) => {
        change(req)
        const body = await readJson(req, MAX_BODY, true)
        const conf = conferenceOf(service, m[1])
        if (!ROLES.includes(body.role as number))
          throw new HttpError(400, ErrorCode.BAD_REQUEST, `role: one of ${ROLES.join(', ')}`)
        return service.operatorGrantRole(conf, memberIds(body), body.role as RoleValue)
      },
    ],
    [
      'GET',
      new RegExp(`^/api/conferences/${CONF}/recordings$`),
      async (req, _url, m) => {
        read(req)
        // Recordings outlive their conference: listed from the directory, not from memory.
        return {
          confrId: m[1],
          recordings: await listRecordings(deps.recordingsDir, m[1], '/api/recordings'),
        }
      },
    ],
    [
      'GET',
      /^\/api\/recordings\/([^/]+)\/([^/]+)$/,
      async (req, _url, m) => {
        read(req)
        const file = await recordingFile(deps.recordingsDir, m[1], m[2])
        if (file === 'bad') throw new HttpError(400, ErrorCode.BAD_REQUEST, 'bad recording name')
        if (file === 'missing')
          throw new HttpError(404, ErrorCode.NO_SUCH_CONFERENCE, 'no such recording')
        return new FileReply(file, 'video/mp4', {
          'content-disposition': `attachment; filename="${m[2]}"`,
        })
      },
    ],
  ]
}
