// nginx-rtmp's control and stat modules, reached over a unix socket in nginx's private prefix
// (HTTP, but on no TCP port that another local process could reach).
import { request } from 'http'
import { type EngineLog } from '../engine-base'

const DROP_ATTEMPTS = 5

/** One HTTP GET on the control socket. */
export function controlRequest(
  socketPath: string,
  urlPath: string,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: urlPath }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', reject)
    })
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

/** /control/drop/client for every client of `app`. */
export function dropAllClients(socketPath: string, app: string) {
  const q = new URLSearchParams({ app })
  return controlRequest(socketPath, `/control/drop/client?${q}`, 1000)
}

/**
 * Kick one publisher or player: /control/drop/client walks the app's live streams and finalizes
 * the connection with that clientid. A session we just allowed joins its stream only once nginx
 * has read our 200, which may be after this request: while `stillOurs()` and nothing was
 * dropped, try again. Outcomes go to `log`; this never throws.
 */
export async function dropSession(
  socketPath: string,
  app: string,
  sessionId: string,
  log: EngineLog,
  stillOurs: () => boolean,
): Promise<void> {
  const q = new URLSearchParams({ app, clientid: sessionId })
  const what = `closing session ${sessionId}`
  for (let attempt = 1; ; attempt++) {
    let dropped: number
    try {
      const { status, body } = await controlRequest(socketPath, `/control/drop/client?${q}`, 2000)
      if (status !== 200) return log('warn', `${what}: nginx answered ${status}`)
      dropped = Number(body.trim())
    } catch (err) {
      return log('error', `${what}: ${(err as Error).message}`)
    }
    if (dropped > 0 || !stillOurs()) {
      return log('info', `${what}: ${dropped} connection(s) dropped`)
    }
    if (attempt >= DROP_ATTEMPTS) return log('warn', `${what}: nginx did not find it`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Whether /stat shows the client publishing and active (media has flowed). */
export async function publisherActive(socketPath: string, sessionId: string): Promise<boolean> {
  const stat = (await controlRequest(socketPath, '/stat', 2000)).body
  const client = new RegExp(`<client><id>${sessionId}</id>(.*?)</client>`).exec(stat)
  return !!client && /<publishing\/>/.test(client[1]) && /<active\/>/.test(client[1])
}
