// The one reader of request bodies: every route that takes a body (the operator API, the console's
// sign-in, token minting, the nginx and edge callbacks) reads it here, with a size cap.
import { type IncomingMessage } from 'http'
import { ErrorCode } from 'miniprogram-conference-protocol'
import { HttpError } from './http-error'

/** The body as UTF-8 text; 413 beyond `maxBytes` (the rest is not read). */
export async function readText(req: IncomingMessage, maxBytes: number): Promise<string> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > maxBytes) {
      req.destroy()
      throw new HttpError(413, ErrorCode.TOO_LARGE, `body over ${maxBytes} bytes`)
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * A JSON object body ({} when empty). `requireType`: the request must say application/json,
 * which a plain HTML form cannot send (one of the console's defences against cross-site posts).
 */
export async function readJson(
  req: IncomingMessage,
  maxBytes: number,
  requireType = false,
): Promise<Record<string, unknown>> {
  if (requireType && !/^application\/json\b/.test(req.headers['content-type'] ?? ''))
    throw new HttpError(415, ErrorCode.BAD_REQUEST, 'send application/json')
  const text = await readText(req, maxBytes)
  let body: unknown
  try {
    body = JSON.parse(text || '{}')
  } catch {
    throw new HttpError(400, ErrorCode.BAD_REQUEST, 'body is not JSON')
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new HttpError(400, ErrorCode.BAD_REQUEST, 'body is not a JSON object')
  return body as Record<string, unknown>
}
