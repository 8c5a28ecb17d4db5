// The operator console's sign-in and sign-out (POST/DELETE /console/session). Signed in, the
// console's page uses the same operator routes as the bearer API (server/http/operator.ts).
import { ErrorCode } from 'miniprogram-conference-protocol'
import { type SecretChecks } from './auth'
import { readJson } from './body'
import { checkOrigin } from './console-sessions'
import { HttpError } from './http-error'
import { type Route, StatusReply } from './replies'

const MAX_BODY = 4096

export function consoleRoutes(checks: SecretChecks): Route[] {
  return [
    [
      'POST',
      /^\/console\/session$/,
      async (req) => {
        checkOrigin(req)
        const ok = await checks.signIn(
          req,
          async () => (await readJson(req, MAX_BODY, true)).secret,
        )
        if (!ok) throw new HttpError(401, ErrorCode.NO_RIGHTS, 'wrong secret')
        return new StatusReply(200, { ok: true }, { 'set-cookie': checks.sessions.open(req) })
      },
    ],
    [
      'DELETE',
      /^\/console\/session$/,
      (req) => {
        checkOrigin(req)
        if (!checks.sessions.of(req)) throw new HttpError(401, ErrorCode.NO_RIGHTS, 'sign in first')
        return new StatusReply(200, { ok: true }, { 'set-cookie': checks.sessions.close(req) })
      },
    ],
  ]
}
