// The operator console's server side (/console/session, /console/api/*). Sign-in trades the
// admin secret for a random session id in an HttpOnly, SameSite=Strict cookie: the secret is
// never in a URL or in the page's storage. Every state-changing request must also carry an
// Origin equal to this server's (SameSite stops cross-site cookies; the Origin check stops the
// rest, e.g. a sibling site on the same registrable domain), and a JSON body, which a plain
// HTML form cannot send.
import { createReadStream, promises as fsp } from 'fs'
import { randomBytes, timingSafeEqual } from 'crypto'
import { type IncomingMessage, type ServerResponse } from 'http'
import { ErrorCode, Role, type RoleValue } from '../../sdk/protocol'
import { type ServerConfig } from '../config'
import { SYSTEM_MEMBER } from '../conference/conference'
import { type ConferenceService } from '../conference/service'
import { type Ingest } from '../media/ingest'
import { VERSION } from '../version'
import { listRecordings, recordingFile } from './recordings'

export const CONSOLE_COOKIE = 'ck_console'
const SESSION_MS = 12 * 3600_000
const MAX_BODY = 4096
/** Wrong secrets per address per minute before sign-in answers 429. */
const MAX_FAILURES = 10

export interface ConsoleDeps {
  config: ServerConfig
  service: ConferenceService
  ingest: Ingest
  engineName: string
  /** Media jobs (recordings, mixes) running now. */
  mediaJobs(): number
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers = {}) {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(JSON.stringify(body))
}

function cookieOf(req: IncomingMessage, name: string): string {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return v.join('=')
  }
  return ''
}

/** Same origin: the Origin header names this very host (the Host the browser used). */
function checkOrigin(req: IncomingMessage) {
  const origin = req.headers.origin
  const host = req.headers.host
  const ok = !!origin && !!host && (origin === `http://${host}` || origin === `https://${host}`)
  if (!ok) throw new Refusal(403, ErrorCode.NO_RIGHTS, 'cross-origin request refused')
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
    throw new Refusal(415, ErrorCode.BAD_REQUEST, 'send application/json')
  let text = ''
  for await (const chunk of req) {
    text += chunk
    if (text.length > MAX_BODY) throw new Refusal(413, ErrorCode.TOO_LARGE, 'body too large')
  }
  try {
    const body = JSON.parse(text || '{}')
    if (body && typeof body === 'object' && !Array.isArray(body)) return body
  } catch {
    // fall through
  }
  throw new Refusal(400, ErrorCode.BAD_REQUEST, 'body is not a JSON object')
}

function sameSecret(given: unknown, secret: string): boolean {
  if (typeof given !== 'string' || !secret || given.length !== secret.length) return false
  return timingSafeEqual(Buffer.from(given), Buffer.from(secret))
}

const ROLES: number[] = [Role.ADMIN, Role.TALKER, Role.AUDIENCE]
const startedAt = Date.now()

export function createConsole(deps: ConsoleDeps) {
  const sessions = new Map<string, number>()
  const failures = new Map<string, { n: number; since: number }>()

  function session(req: IncomingMessage): string {
    const sid = cookieOf(req, CONSOLE_COOKIE)
    const expires = sid ? sessions.get(sid) : undefined
    if (!expires || expires < Date.now()) {
      if (sid) sessions.delete(sid)
      throw new Refusal(401, ErrorCode.NO_RIGHTS, 'sign in first')
    }
    return sid
  }

  function signInAllowed(ip: string): boolean {
    const f = failures.get(ip)
    if (!f || Date.now() - f.since > 60_000) return true
    return f.n < MAX_FAILURES
  }

  function failed(ip: string) {
    const f = failures.get(ip)
    if (!f || Date.now() - f.since > 60_000) failures.set(ip, { n: 1, since: Date.now() })
    else f.n++
  }

  function conference(id: string) {
    const conf = deps.service.conferences.get(id)
    if (!conf) throw new Refusal(404, ErrorCode.NO_SUCH_CONFERENCE, 'no such conference')
    return conf
  }

  function memberIds(body: Record<string, unknown>): string[] {
    const id = body.memberId
    if (typeof id !== 'string' || !id || id.length > 64)
      throw new Refusal(400, ErrorCode.BAD_REQUEST, 'memberId: a member id')
    return [id]
  }

  function state() {
    const { service, ingest } = deps
    const uploading = new Set([...ingest.uploads.values()].map((u) => u.memberId))
    const conferences = [...service.conferences.values()].map((c) => {
      const members = [...c.members.values()].map((m) => {
        const cam = c.streamsOf(m.id).find((s) => s.type === 'normal')
        const device = uploading.has(m.id)
          ? 'web'
          : typeof m.ext.device === 'string'
            ? m.ext.device.slice(0, 32)
            : ''
        return {
          id: m.id,
          userId: m.userId,
          nickName: m.nickName,
          role: m.role,
          device,
          voff: cam?.voff ?? null,
          aoff: cam?.aoff ?? null,
          state: m.peer ? 'connected' : 'resuming',
          ext: m.ext,
        }
      })
      const streams = [...c.streams.values()].map((s) => ({
        id: s.id,
        memberId: s.memberId,
        nickName: c.members.get(s.memberId)?.nickName ?? (s.type === 'mix' ? 'mix' : ''),
        type: s.type,
        voff: s.voff,
        aoff: s.aoff,
        live: s.publishSession !== null,
        // Played as the server's own member: the console is no member of the room.
        flv: s.publishSession ? service.signedUrls('play', c, SYSTEM_MEMBER, s.id).flv : undefined,
      }))
      return {
        confrId: c.id,
        name: c.name,
        type: c.type,
        createdAt: c.createdAt,
        rec: c.rec,
        recMerge: c.recMerge,
        members,
        streams,
      }
    })
    return {
      health: {
        ok: true,
        version: VERSION,
        engine: deps.engineName,
        dev: deps.config.dev,
        uptimeSec: Math.round((Date.now() - startedAt) / 1000),
        ...service.stats(),
        ingests: ingest.uploads.size,
        mediaJobs: deps.mediaJobs(),
        rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
      },
      conferences,
    }
  }

  type Route = [string, RegExp, (req: IncomingMessage, m: RegExpExecArray) => Promise<unknown>]
  const routes: Route[] = [
    [
      'POST',
      /^\/console\/session$/,
      async (req) => {
        checkOrigin(req)
        const ip = req.socket.remoteAddress ?? ''
        if (!signInAllowed(ip))
          throw new Refusal(429, ErrorCode.RATE_LIMITED, 'too many wrong secrets: wait a minute')
        const body = await readJson(req)
        if (!sameSecret(body.secret, deps.config.adminSecret)) {
          failed(ip)
          throw new Refusal(401, ErrorCode.NO_RIGHTS, 'wrong secret')
        }
        const sid = randomBytes(24).toString('base64url')
        sessions.set(sid, Date.now() + SESSION_MS)
        const cookie = `${CONSOLE_COOKIE}=${sid}; HttpOnly; SameSite=Strict; Path=/console; Max-Age=${SESSION_MS / 1000}`
        return { setCookie: cookie, body: { ok: true } }
      },
    ],
    [
      'DELETE',
      /^\/console\/session$/,
      async (req) => {
        checkOrigin(req)
        sessions.delete(session(req))
        return {
          setCookie: `${CONSOLE_COOKIE}=; HttpOnly; SameSite=Strict; Path=/console; Max-Age=0`,
          body: { ok: true },
        }
      },
    ],
    [
      'GET',
      /^\/console\/api\/state$/,
      async (req) => {
        session(req)
        return state()
      },
    ],
    [
      'POST',
      /^\/console\/api\/conferences\/([A-Za-z0-9_-]{1,64})\/(kick|grant|destroy)$/,
      async (req, m) => {
        checkOrigin(req)
        session(req)
        const body = await readJson(req)
        const conf = conference(m[1])
        if (m[2] === 'destroy') {
          deps.service.endConference(conf, 'destroyed from the operator console')
          return { ok: true }
        }
        if (m[2] === 'kick') return deps.service.operatorKick(conf, memberIds(body))
        if (!ROLES.includes(body.role as number))
          throw new Refusal(400, ErrorCode.BAD_REQUEST, `role: one of ${ROLES.join(', ')}`)
        return deps.service.operatorGrantRole(conf, memberIds(body), body.role as RoleValue)
      },
    ],
    [
      'GET',
      /^\/console\/api\/conferences\/([A-Za-z0-9_-]{1,64})\/recordings$/,
      async (req, m) => {
        session(req)
        return {
          recordings: await listRecordings(
            deps.config.recordingsDir,
            m[1],
            '/console/api/recordings',
          ),
        }
      },
    ],
    [
      'GET',
      /^\/console\/api\/recordings\/([^/]+)\/([^/]+)$/,
      async (req, m) => {
        session(req)
        const file = await recordingFile(deps.config.recordingsDir, m[1], m[2])
        if (file === 'bad' || file === 'missing')
          throw new Refusal(404, ErrorCode.BAD_REQUEST, 'no such recording')
        return { file, name: m[2] }
      },
    ],
  ]

  /** Handles /console/session and /console/api/*; false for any other path. */
  return async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<boolean> {
    const pathname = url.pathname
    if (!pathname.startsWith('/console/')) return false
    const matching = routes.filter(([, re]) => re.test(pathname))
    if (matching.length === 0) return false
    try {
      const route = matching.find(([method]) => method === req.method)
      if (!route) throw new Refusal(405, ErrorCode.BAD_REQUEST, 'method not allowed')
      const out = (await route[2](req, route[1].exec(pathname)!)) as Record<string, unknown>
      if (typeof out.file === 'string') {
        const st = await fsp.stat(out.file)
        res.writeHead(200, {
          'content-type': 'video/mp4',
          'content-length': st.size,
          'content-disposition': `attachment; filename="${out.name}"`,
        })
        createReadStream(out.file).pipe(res)
      } else if (typeof out.setCookie === 'string') {
        sendJson(res, 200, out.body, { 'set-cookie': out.setCookie })
      } else sendJson(res, 200, out)
    } catch (e) {
      if (e instanceof Refusal)
        sendJson(res, e.status, { error: { code: e.code, message: e.message } })
      else sendJson(res, 500, { error: { code: ErrorCode.INTERNAL, message: 'internal error' } })
    }
    return true
  }
}
