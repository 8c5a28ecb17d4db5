// The browser pages, as esbuild built them into dist/web: the web participant at /, the operator
// console at /console, their scripts and styles under /web/. A fixed list of files, never a
// path taken from the request.
import { promises as fsp, existsSync } from 'fs'
import { type IncomingMessage, type ServerResponse } from 'http'
import path from 'path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
}

const ROUTES: Record<string, string> = {
  '/': 'index.html',
  '/console': 'console.html',
  '/web/participant.js': 'participant.js',
  '/web/participant.js.map': 'participant.js.map',
  '/web/console.js': 'console.js',
  '/web/console.js.map': 'console.js.map',
  '/web/style.css': 'style.css',
}

// Only our own scripts, our own origin for fetch/WebSocket, HTTP-FLV from the engine's port
// (any origin: its host is whatever the engine advertises), media from blobs (MSE).
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  'media-src blob: mediastream:',
  'connect-src * ws: wss:',
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** dist/web beside the compiled server, or server/dist/web when running from source. */
export function webRoot(): string {
  const candidates = [
    path.resolve(__dirname, '..', '..', 'web'),
    path.resolve(__dirname, '..', 'dist', 'web'),
  ]
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? candidates[0]
}

/** Serves a page file; false when the path is not one of them. */
export async function servePage(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const file = ROUTES[url.pathname]
  if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) return false
  const body = await fsp.readFile(path.join(root, file)).catch(() => null)
  if (!body) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
    res.end('the browser pages are not built: run `npx gulp build`')
    return true
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)],
    'content-length': body.length,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': CSP,
  })
  res.end(req.method === 'HEAD' ? undefined : body)
  return true
}
