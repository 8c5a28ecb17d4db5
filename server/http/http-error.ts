// An HTTP refusal with its status, the protocol's error code and, when the client should wait,
// the headers that say how long (Retry-After).
import { RpcError } from '../rpc-error'

export class HttpError extends RpcError {
  constructor(
    readonly status: number,
    code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message)
  }
}
