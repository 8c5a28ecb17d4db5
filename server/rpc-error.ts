// The one error type a request handler throws: it becomes `{error: {code, message}}` on the wire.
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
    this.name = 'RpcError'
  }
}
