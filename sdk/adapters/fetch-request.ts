// The SDK's HTTP request over a platform `fetch` (Node 18+ and browsers have one; the mini
// program's wx.request is in wx.ts): JSON in, JSON (or the text) out.
import type { HttpRequest, HttpResponse } from './types'

type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ status: number; text(): Promise<string> }>

export async function fetchRequest(fetchFn: FetchLike, req: HttpRequest): Promise<HttpResponse> {
  const hasBody = req.data !== undefined && req.method && req.method !== 'GET'
  const res = await fetchFn(req.url, {
    method: req.method || 'GET',
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...req.header },
    body: hasBody ? JSON.stringify(req.data) : undefined,
  })
  const text = await res.text()
  let data: unknown = text
  try {
    data = JSON.parse(text)
  } catch {
    // not JSON: keep the text
  }
  return { statusCode: res.status, data }
}
