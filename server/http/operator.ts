// The operator routes (/api/conferences…, /api/recordings…, /api/state): the admin secret as a
// bearer, or a console session (server/http/auth.ts). The console's page uses these very routes.
// Each action goes through the router (routing/router.ts), so in a cluster any node answers for
// any conference, with the same fields, from the node that hosts it.
import { type IncomingMessage } from 'http'
import { ErrorCode, Role, type RoleValue } from 'miniprogram-conference-protocol'
import { type OperationName, type OpParams, type OpResult } from '../conference/operations'
import { type Router } from '../routing/router'
import { RpcError } from '../rpc-error'
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
  router: Router
  /** Root of rec / recMerge files: <dir>/<confrId>/<name>.mp4 */
  recordingsDir: string
}

/** `op` on the conference's host; a conference that is nowhere is a 404. */
async function operate<O extends OperationName>(
  router: Router,
  op: O,
  confrId: string,
  params: OpParams<O>,
): Promise<OpResult<O>> {
  try {
    return await router.operate(op, confrId, params)
  } catch (e) {
    if (e instanceof RpcError && e.code === ErrorCode.NO_SUCH_CONFERENCE)
      throw new HttpError(404, e.code, e.message)
    throw e
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
  const { router, checks } = deps
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
        return { conferences: await router.summaries() }
      },
    ],
    [
      'GET',
      new RegExp(`^/api/conferences/${CONF}$`),
      (req, _url, m) => {
        read(req)
        return operate(router, 'detail', m[1], {})
      },
    ],
    [
      'DELETE',
      new RegExp(`^/api/conferences/${CONF}$`),
      (req, _url, m) => {
        change(req)
        return operate(router, 'destroy', m[1], {})
      },
    ],
    [
      'POST',
      new RegExp(`^/api/conferences/${CONF}/kick$`),
      async (req, _url, m) => {
        change(req)
        const body = await readJson(req, MAX_BODY, true)
        return operate(router, 'kick', m[1], { memberNames: memberIds(body) })
      },
    ],
    [
      'POST',
      new RegExp(`^/api/conferences/${CONF}/role$`),
      async (req, _url, m) => {
        change(req)
        const body = await readJson(req, MAX_BODY, true)
        if (!ROLES.includes(body.role as number))
          throw new HttpError(400, ErrorCode.BAD_REQUEST, `role: one of ${ROLES.join(', ')}`)
        const role = body.role as RoleValue
        return operate(router, 'grantRole', m[1], { memberNames: memberIds(body), role })
      },
    ],
    [
      'POST',
      new RegExp(`^/api/conferences/${CONF}/mute$`),
      async (req, _url, m) => {
        change(req)
        const body = await readJson(req, MAX_BODY, true)
        const flags: Record<string, boolean> = {}
        for (const k of ['audio', 'video', 'allowSelfUnmute'] as const) {
          if (body[k] === undefined) continue
          if (typeof body[k] !== 'boolean')
            throw new HttpError(400, ErrorCode.BAD_REQUEST, `${k}: true or false`)
          flags[k] = body[k]
        }
        return operate(router, 'mute', m[1], { memberNames: memberIds(body), ...flags })
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
