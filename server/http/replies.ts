// What a route of the HTTP API returns when plain JSON with a 200 is not the answer.
import { type IncomingMessage } from 'http'

/** A JSON answer with a status and headers of its own (a failing health check, a Set-Cookie). */
export class StatusReply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** A file to stream rather than JSON. */
export class FileReply {
  constructor(
    readonly file: string,
    readonly type: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** Method, path pattern, handler: its result is JSON, a StatusReply or a FileReply. */
export type Route = [
  string,
  RegExp,
  (req: IncomingMessage, url: URL, m: RegExpExecArray) => unknown,
]
