// The HTTP API, one stack for every route: health, development tokens, user-token minting for the
// app's backend, the console's sign-in (server/http/console-sign-in.ts), the operator routes
// (server/http/operator.ts) and what a request looked like, for the doctor (diagnostics.ts).
// Everything answers JSON; errors are {error: {code, message}}.
import { createReadStream, promises as fsp } from 'fs'
import { type IncomingMessage, type ServerResponse } from 'http'
import { z } from 'zod'
import { ErrorCode, Role } from 'miniprogram-conference-protocol'
import { ID_PATTERN, type Tokens } from '../auth/tokens'
import { type ServerConfig } from '../config'
import { type Cluster } from '../cluster/cluster'
import { type Router } from '../routing/router'
import { type ConferenceService } from '../conference/service'
import { type Ingest } from '../media/ingest'
import { RpcError } from '../rpc-error'
import { describeIssues } from '../signal/schemas'
import { VERSION } from '../version'
import { SecretChecks } from './auth'
import { readJson } from './body'
import { consoleRoutes } from './console-sign-in'
import { requestFacts } from './diagnostics'
import { HttpError } from './http-error'
import { operatorRoutes } from './operator'
import { sendJson } from './front-door'
import { FileReply, type Route, StatusReply } from './replies'

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
  /** Browser publishers' ffmpeg relays (the console's view shows them). */
  ingest: Ingest
  /** Media jobs (recordings, mixes) running now. */
  mediaJobs(): number
  /** Where an operator's action is done (this node, or its conference's host). */
  router: Router
  /** Cluster mode (--redis): its health. */
  cluster?: Cluster
  /** The checks of the secrets, shared with the server's other ways in (one count of guesses). */
  checks?: SecretChecks
  /** The engine's media URL bases, for the doctor to tell this server's ports. */
  media?: () => { rtmpBase: string; flvBase: string | null }
}

export function createApi(deps: ApiDeps) {
  const { config, tokens, service } = deps
  const checks = deps.checks ?? new SecretChecks(config)

  /** A user token for a validated request (dev endpoint or backend minting). */
  function mint(parsed: ReturnType<typeof mintBody.safeParse>, where: string, ttl: number) {
    if (!parsed.success)
      throw new HttpError(400, ErrorCode.BAD_REQUEST, describeIssues(parsed.error, where))
    const { userId, maxRole } = parsed.data
    const token = tokens.mintUser(userId, ttl, maxRole)
    return { token, userId, appId: config.appId, expiresAt: Date.now() + ttl * 1000 }
  }
  const routes: Route[] = [
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
        checks.bearer(req, config.secret, 'the server secret')
        const parsed = mintBody.safeParse(await readJson(req, MAX_BODY))
        return mint(parsed, 'body', parsed.data?.ttlSec ?? 86400)
      },
    ],
    [
      'GET',
      /^\/api\/doctor$/,
      (req) => {
        checks.operator(req, false)
        return { ...requestFacts(req, config), media: deps.media?.() ?? null }
      },
    ],
    ...consoleRoutes(checks),
    ...operatorRoutes({ ...deps, checks }),
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
        res.writeHead(200, { ...out.headers, 'content-type': out.type, 'content-length': st.size })
        createReadStream(out.file).pipe(res)
        return
      }
      if (out instanceof StatusReply) sendJson(res, out.status, out.body, out.headers)
      else sendJson(res, 200, out)
    } catch (e) {
      if (e instanceof HttpError && e.status < 500)
        return sendJson(res, e.status, { error: { code: e.code, message: e.message } }, e.headers)
      // A refusal of the conference layer (e.g. too many talkers for a role change).
      if (e instanceof RpcError && !(e instanceof HttpError) && e.code !== ErrorCode.INTERNAL)
        return sendJson(res, 409, { error: { code: e.code, message: e.message } })
      // A 5xx: the front door's boundary logs it with the request id its reply carries.
      throw e
    }
  }
}
