// The HTTP side of the server: health, user-token minting for the app's backend, development
// tokens, and the operator API. Everything answers JSON; errors are {error: {code, message}}.
import { createReadStream, promises as fsp } from 'fs'
import { type IncomingMessage, type ServerResponse } from 'http'
import { randomBytes } from 'crypto'
import { z } from 'zod'
import { ErrorCode, Role } from '../../sdk/protocol'
import { ID_PATTERN, type Tokens } from '../auth/tokens'
import { type ServerConfig } from '../config'
import { type Cluster } from '../cluster/cluster'
import { type ConferenceService } from '../conference/service'
import { type Logger } from '../log'
import { listRecordings, recordingFile } from './recordings'
import { RpcError } from '../rpc-error'
import { sameSecret } from '../security/secret'
import { describeIssues } from '../signal/schemas'
import { VERSION } from '../version'

const MAX_BODY = 16 * 1024

const mintBody = z.object({
  userId: z.string().regex(ID_PATTERN, 'letters, digits, _ . @ - (1-64)'),
  ttlSec: z
    .number()
    .int()
    .positive()
    .max(30 * 86400)
    .optional(),
  maxRole: z
    .union([
      z.literal(Role.ADMIN),
      z.literal(Role.TALKER),
      z.literal(Role.AUDIENCE),
      z.literal(Role.HIDING),
    ])
    .optional(),
})

export interface ApiDeps {
  config: ServerConfig
  tokens: Tokens
  service: ConferenceService
  engineName: string
  /** Root of rec / recMerge files: <dir>/<confrId>/<name>.mp4 */
  recordingsDir: string
  /** Where a 5xx is logged, with the request id its reply carries. */
  log: Logger
  /** Cluster mode (--redis). */
  cluster?: Cluster
}

/** A JSON answer with a status of its own (a health check that fails is still a body). */
class StatusReply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

/** A route's answer that is a file to stream rather than JSON. */
class FileReply {
  constructor(
    readonly file: string,
    readonly type: string,
  ) {}
}

class HttpError extends RpcError {
  constructor(
    readonly status: number,
    code: number,
    message: string,
  ) {
    super(code, message)
  }
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  })
  res.end(text)
}

function bearer(req: IncomingMessage, secret: string, what: string) {
  const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''
  if (secret === '' || !sameSecret(secret, given))
    throw new HttpError(401, ErrorCode.NO_RIGHTS, `${what} required as Authorization: Bearer`)
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY)
      throw new HttpError(413, ErrorCode.TOO_LARGE, `body over ${MAX_BODY} bytes`)
    chunks.push(chunk as Buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString() || '{}')
  } catch {
    throw new HttpError(400, ErrorCode.BAD_REQUEST, 'body is not JSON')
  }
}

/** Cluster: the conferences other nodes host, with their host (details are on that node). */
async function elsewhere(cluster: Cluster | undefined, service: ConferenceService) {
  if (!cluster) return []
  return (await cluster.hosting.allHosts())
    .filter(([id]) => !service.conferences.has(id))
    .map(([confrId, host]) => ({ confrId, host }))
}

function conferenceSummary(service: ConferenceService, id: string, detail: boolean) {
  const c = service.conferences.get(id)
  if (!c) throw new HttpError(404, ErrorCode.NO_SUCH_CONFERENCE, `no conference ${id}`)
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

export function createApi(deps: ApiDeps) {
  const { config, tokens, service } = deps

  /** A user token for a validated request (dev endpoint or backend minting). */
  function mint(parsed: ReturnType<typeof mintBody.safeParse>, where: string, ttl: number) {
    if (!parsed.success)
      throw new HttpError(400, ErrorCode.BAD_REQUEST, describeIssues(parsed.error, where))
    const { userId, maxRole } = parsed.data
    const token = tokens.mintUser(userId, ttl, maxRole)
    return { token, userId, appId: config.appId, expiresAt: Date.now() + ttl * 1000 }
  }
  const routes: Array<
    [string, RegExp, (req: IncomingMessage, url: URL, m: RegExpExecArray) => unknown]
  > = [
    [
      'GET',
      /^\/healthz$/,
      () => {
        const cluster = deps.cluster?.health()
        const ok = !cluster || cluster.redis === 'up'
        const body = {
          ok,
          version: VERSION,
          engine: deps.engineName,
          dev: config.dev,
          ...service.stats(),
          ...cluster,
        }
        return new StatusReply(ok ? 200 : 503, body)
      },
    ],
    [
      'GET',
      /^\/dev\/token$/,
      (_req, url) => {
        if (!config.dev)
          throw new HttpError(404, ErrorCode.UNKNOWN_METHOD, 'development mode is off')
        const parsed = mintBody.safeParse({
          userId: url.searchParams.get('userId') ?? '',
          maxRole: url.searchParams.has('maxRole')
            ? Number(url.searchParams.get('maxRole'))
            : undefined,
        })
        return mint(parsed, 'query', config.devTokenTtlSec)
      },
    ],
    [
      'POST',
      /^\/api\/tokens$/,
      async (req) => {
        bearer(req, config.secret, 'the server secret')
        const parsed = mintBody.safeParse(await readJson(req))
        return mint(parsed, 'body', parsed.data?.ttlSec ?? 86400)
      },
    ],
    [
      'GET',
      /^\/api\/conferences$/,
      async (req) => {
        bearer(req, config.adminSecret, 'the admin secret')
        const here = [...service.conferences.keys()].map((id) => ({
          ...conferenceSummary(service, id, false),
          host: deps.cluster?.nodeId,
        }))
        return { conferences: [...here, ...(await elsewhere(deps.cluster, service))] }
      },
    ],
    [
      'GET',
      /^\/api\/conferences\/([A-Za-z0-9_-]{1,64})$/,
      (req, _url, m) => {
        bearer(req, config.adminSecret, 'the admin secret')
        return conferenceSummary(service, m[1], true)
      },
    ],
    [
      'GET',
      /^\/api\/conferences\/([A-Za-z0-9_-]{1,64})\/recordings$/,
      async (req, _url, m) => {
        bearer(req, config.adminSecret, 'the admin secret')
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
        bearer(req, config.adminSecret, 'the admin secret')
        const file = await recordingFile(deps.recordingsDir, m[1], m[2])
        if (file === 'bad') throw new HttpError(400, ErrorCode.BAD_REQUEST, 'bad recording name')
        if (file === 'missing')
          throw new HttpError(404, ErrorCode.NO_SUCH_CONFERENCE, 'no such recording')
        return new FileReply(file, 'video/mp4')
      },
    ],
  ]

  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL) {
    try {
      const paths = routes.filter(([, re]) => re.test(url.pathname))
      if (paths.length === 0)
        throw new HttpError(404, ErrorCode.UNKNOWN_METHOD, `no route ${url.pathname}`)
      const route = paths.find(([method]) => method === req.method)
      if (!route)
        throw new HttpError(405, ErrorCode.BAD_REQUEST, `use ${paths.map((p) => p[0]).join(', ')}`)
      const out = await route[2](req, url, route[1].exec(url.pathname)!)
      if (out instanceof FileReply) {
        const st = await fsp.stat(out.file)
        res.writeHead(200, { 'content-type': out.type, 'content-length': st.size })
        createReadStream(out.file).pipe(res)
        return
      }
      if (out instanceof StatusReply) send(res, out.status, out.body)
      else send(res, 200, out)
    } catch (e) {
      if (e instanceof HttpError && e.status < 500)
        return send(res, e.status, { error: { code: e.code, message: e.message } })
      // Every 5xx is logged; the id in the reply finds the line.
      const requestId = randomBytes(6).toString('hex')
      const status = e instanceof HttpError ? e.status : 500
      deps.log.error({ err: e, requestId, method: req.method, path: url.pathname }, 'http 5xx')
      if (res.headersSent) return void res.destroy()
      const { code, message } =
        e instanceof HttpError ? e : { code: ErrorCode.INTERNAL, message: 'internal error' }
      send(res, status, { error: { code, message, requestId } })
    }
  }
}
