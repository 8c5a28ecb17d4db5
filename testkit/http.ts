// HTTP for what tests and benchmarks ask a server (/healthz, /metrics, the operator API).
import { request as httpRequest } from 'http'

/**
 * One HTTP request on a connection of its own, closed after the answer: a kept-alive one (fetch's)
 * would count as a socket the server still holds when a soak checks that nothing is left.
 */
export function httpCall(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
  timeoutMs = 3000,
) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: opts.method ?? 'GET', agent: false, headers: opts.headers, timeout: timeoutMs },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (text += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer in ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(opts.body)
  })
}
