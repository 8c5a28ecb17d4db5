// Hostile bytes for every listening port, generated from a seed (testkit/prng.ts): HTTP request
// lines and targets of every form, header floods, bad upgrades, slow and half-closed clients,
// random bytes; RTMP handshakes cut short, chunk streams and commands node-media-server's parser
// trips over. A case is bytes in chunks and what the client does with the socket afterwards.
import { encodeAmf0Cmd } from 'node-media-server/src/protocol/amf.js'
import type { Rand } from '../../testkit/prng'

export interface PortCase {
  name: string
  /** Written in order; `gapMs` apart (a slow client) when set. */
  chunks: Buffer[]
  gapMs?: number
  /** After the last chunk: wait for the answer, half-close (end), or reset (destroy). */
  then: 'read' | 'end' | 'destroy'
}

/** play-rtmp: the nginx engine's play edge (node-media-server's RTMP, players only). */
export type PortKind = 'http' | 'flv' | 'rtmp' | 'play-rtmp' | 'hooks'

/** Paths the servers route, so that targets reach the handlers and not only the 404. */
const PATHS = [
  '/',
  '/healthz',
  '/metrics',
  '/console',
  '/console/session',
  '/api/state',
  '/api/conferences/CF_x/kick',
  '/api/conferences/CF_x/role',
  '/api/conferences/CF_x',
  '/api/tokens',
  '/api/conferences',
  '/api/conferences/CF_x/recordings',
  '/dev/token?userId=a',
  '/ws',
  '/ws?v=99',
  '/ingest',
  '/ingest?url=rtmp%3A%2F%2F%5B',
  '/rtmp-edge/00/e/on_play',
  '/live/ST_a.flv',
  '/live/ST_a.flv?token=x',
  '/web/participant.js',
]

/** The requests of the issue's findings, each of which ended the process before the fix. */
export const FINDING_TARGETS = {
  pages: ['//x:99999/', '//[', '//%/', 'http://[::1/'],
  flv: ['/live/a~b.flv', '/live/a%2fb.flv', '/live/a%00b.flv', '/live/.flv'],
}

const BAD_TARGETS = [
  '*',
  'x:99',
  'example.com:443',
  'http://[::1/',
  'http://x/healthz',
  'https://[',
  'ws://x/ws',
  '//x:99999/',
  '//[',
  '//%/',
  '/%',
  '/%zz',
  '/%%%',
  '/%ff%fe',
  '/a\u0000b',
  '/\u00e9',
  '/..',
  '/../../etc/passwd',
  '/./healthz',
  '/healthz/..%2f..%2f',
  '/live/a~b.flv',
  '/live/a%2fb.flv',
  '/live/a%00b.flv',
  '/live/.flv',
  '/live//x.flv',
  '/x/ST_a.flv',
  '/live/ST_a.flv/../a~b.flv',
  '/live/ST_a.flvx',
  '/live/a.b.flv',
  '/live/' + 'a'.repeat(65) + '.flv',
  '',
  ' ',
  '/?%',
  '/ws?v=%',
  '/ingest?url=%',
]

const METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH']

/** Seeded bytes, so that a seed replays the same cases. */
function randomBytes(r: Rand, n: number): Buffer {
  const out = Buffer.alloc(n)
  for (let i = 0; i < n; i++) out[i] = r.int(256)
  return out
}

function target(r: Rand, kind: PortKind): string {
  const roll = r.int(10)
  if (roll < 3) return r.pick(BAD_TARGETS)
  if (roll < 4) return '/' + 'a'.repeat(8192 + r.int(9000))
  if (roll < 5) return '/' + randomString(r, 1 + r.int(40))
  if (roll < 6) return r.pick(PATHS) + '?' + randomString(r, r.int(60))
  if (kind === 'flv' && roll < 8) return `/live/${randomString(r, r.int(20))}.flv`
  return r.pick(PATHS)
}

/** Printable and not: percent signs, slashes, NUL, bytes above 0x7f. */
function randomString(r: Rand, n: number): string {
  const alphabet = "aZ09_-.~/%?#&=[]:@!$'()*+,; \u0000\u007f\u00e9\u4e2d"
  let s = ''
  for (let i = 0; i < n; i++) s += alphabet[r.int(alphabet.length)]
  return s
}

function headerLines(r: Rand): string[] {
  const lines = ['Host: 127.0.0.1']
  const roll = r.int(12)
  if (roll === 0)
    for (let i = 0; i < 200 + r.int(2000); i++) lines.push(`X-F${i}: ${'v'.repeat(r.int(40))}`)
  else if (roll === 1) lines.push(`X-Big: ${'b'.repeat(8000 + r.int(20000))}`)
  else if (roll === 2) lines.push('Content-Length: -1')
  else if (roll === 3) lines.push('Content-Length: 5', 'Content-Length: 7')
  else if (roll === 4) lines.push('Transfer-Encoding: chunked', 'Content-Length: 3')
  else if (roll === 5) lines.push('Bad Header Name: x', ': empty')
  else if (roll === 6) lines.push(`Cookie: ck_console=${randomString(r, 50)}`)
  else if (roll === 7) lines.push('Authorization: Bearer \u00e9\u00e9', 'Origin: null')
  else if (roll === 8) lines.push('Content-Type: application/json')
  return lines
}

function upgradeLines(r: Rand): string[] {
  const lines = ['Connection: Upgrade', `Upgrade: ${r.pick(['websocket', 'WebSocket', 'h2c', ''])}`]
  if (r.chance(0.8)) lines.push('Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==')
  if (r.chance(0.8)) lines.push(`Sec-WebSocket-Version: ${r.pick(['13', '8', 'x'])}`)
  if (r.chance(0.3)) lines.push(`Sec-WebSocket-Protocol: ${r.pick(['post', 'publisher', ',', ''])}`)
  return lines
}

function body(r: Rand): string {
  return r.pick([
    '',
    '{',
    '{"userId":"a"}',
    '[]',
    '3\r\nabc\r\nzz\r\n',
    randomString(r, r.int(300)),
  ])
}

/** Ways the bytes are delivered: at once, trickled, cut, half-closed. */
function deliver(r: Rand, name: string, bytes: Buffer): PortCase {
  const mode = r.int(10)
  if (mode === 0) {
    const cut = r.int(bytes.length)
    return {
      name: `${name} cut at ${cut}, reset`,
      chunks: [bytes.subarray(0, cut)],
      then: 'destroy',
    }
  }
  if (mode === 1) {
    const cut = r.int(bytes.length)
    return {
      name: `${name} cut at ${cut}, half-closed`,
      chunks: [bytes.subarray(0, cut)],
      then: 'end',
    }
  }
  if (mode === 2 && bytes.length < 4096) {
    const chunks: Buffer[] = []
    for (let i = 0; i < bytes.length; i += 1 + r.int(16)) chunks.push(bytes.subarray(i, i + 16))
    return { name: `${name} slowly`, chunks: chunks.slice(0, 12), gapMs: 20, then: 'destroy' }
  }
  return { name, chunks: [bytes], then: r.chance(0.2) ? 'end' : 'read' }
}

export function httpCase(r: Rand, kind: PortKind): PortCase {
  if (r.chance(0.05)) {
    const bytes = randomBytes(r, 1 + r.int(2048))
    return { name: `random ${bytes.length} bytes`, chunks: [bytes], then: 'read' }
  }
  const method = r.chance(0.85) ? r.pick(METHODS) : randomString(r, 1 + r.int(8))
  const version = r.chance(0.9)
    ? 'HTTP/1.1'
    : r.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/9', 'FTP/1', ''])
  const t = target(r, kind)
  const lines = [`${method} ${t} ${version}`, ...headerLines(r)]
  if (r.chance(0.35)) lines.push(...upgradeLines(r))
  const text = lines.join(r.chance(0.95) ? '\r\n' : '\n') + '\r\n\r\n' + body(r)
  const shown = t.length > 60 ? `${t.slice(0, 40)}…(${t.length})` : t
  return deliver(
    r,
    `${JSON.stringify(`${method} ${shown} ${version}`)}`,
    Buffer.from(text, 'latin1'),
  )
}

// ----- RTMP -----

function handshake(r: Rand): Buffer {
  return Buffer.concat([Buffer.from([3]), randomBytes(r, 1536), randomBytes(r, 1536)])
}

/** One message on chunk stream `cid`, split at the default 128-byte chunk size. */
export function rtmpMessage(type: number, payload: Buffer, streamId = 0, cid = 3): Buffer {
  const header = Buffer.alloc(12)
  header[0] = cid & 0x3f
  header.writeUIntBE(payload.length & 0xffffff, 4, 3)
  header[7] = type
  header.writeUInt32LE(streamId, 8)
  const parts: Buffer[] = [header]
  for (let i = 0; i < payload.length; i += 128) {
    if (i > 0) parts.push(Buffer.from([0xc0 | (cid & 0x3f)]))
    parts.push(payload.subarray(i, i + 128))
  }
  return Buffer.concat(parts)
}

const command = (cmd: Record<string, unknown>) => rtmpMessage(20, encodeAmf0Cmd(cmd))

function connect(tcUrl: unknown, app: unknown = 'live') {
  const cmdObj: Record<string, unknown> = { app, flashVer: 'FMLE/3.0', objectEncoding: 0 }
  if (tcUrl !== undefined) cmdObj.tcUrl = tcUrl
  return command({ cmd: 'connect', transId: 1, cmdObj })
}

const NAMES: unknown[] = [undefined, '', 'a~b', '../x', 'x?token=', '?', 'ST_a?token=%', 5, null]
const TC_URLS: unknown[] = [undefined, 'not a url', 'rtmp://[', 'rtmp://x:99999/live', 7, '']

export function rtmpCase(r: Rand): PortCase {
  const hs = handshake(r)
  const ok = connect('rtmp://127.0.0.1/live')
  const roll = r.int(9)
  if (roll === 0) {
    const cut = r.int(hs.length)
    return deliver(r, `handshake cut at ${cut}`, hs.subarray(0, cut))
  }
  if (roll === 1) return deliver(r, 'random bytes', randomBytes(r, 1 + r.int(4096)))
  if (roll === 2)
    return deliver(
      r,
      'handshake + random chunks',
      Buffer.concat([hs, randomBytes(r, 1 + r.int(4096))]),
    )
  if (roll === 3) {
    const tc = r.pick(TC_URLS)
    return deliver(
      r,
      `connect tcUrl=${JSON.stringify(tc)}`,
      Buffer.concat([hs, connect(tc, r.pick(['live', '', 3, 'a~b']))]),
    )
  }
  if (roll === 4) {
    const cmd = r.pick(['publish', 'play'])
    const name = r.pick(NAMES)
    const msg = command({ cmd, transId: 4, cmdObj: null, streamName: name, type: 'live' })
    return deliver(r, `${cmd} streamName=${JSON.stringify(name)}`, Buffer.concat([hs, ok, msg]))
  }
  if (roll === 5) {
    // Control messages shorter than the 4 bytes they are read as.
    const type = r.pick([1, 3, 5, 6])
    const msg = rtmpMessage(type, randomBytes(r, r.int(4)), 0, 2)
    return deliver(r, `control type ${type} short`, Buffer.concat([hs, msg]))
  }
  if (roll === 6) {
    const size = r.pick([0, 1, 0x7fffffff, 0xffffffff])
    const payload = Buffer.alloc(4)
    payload.writeUInt32BE(size)
    const after = command({ cmd: 'createStream', transId: 2, cmdObj: null })
    return deliver(
      r,
      `set chunk size ${size}`,
      Buffer.concat([hs, rtmpMessage(1, payload, 0, 2), after]),
    )
  }
  if (roll === 7) {
    // Announced lengths of 16 MiB on many chunk streams: buffers node-media-server would zero-fill.
    const heads: Buffer[] = []
    for (let cid = 4; cid < 4 + 8 + r.int(16); cid++) {
      const h = Buffer.alloc(12)
      h[0] = cid
      h.writeUIntBE(0xffffff, 4, 3)
      h[7] = 9
      heads.push(h, Buffer.from([0]))
    }
    return {
      name: 'huge messages on many chunk streams',
      chunks: [Buffer.concat([hs, ...heads])],
      then: 'read',
    }
  }
  const junk = randomBytes(r, r.int(200))
  return deliver(
    r,
    'connect + random AMF',
    Buffer.concat([hs, ok, rtmpMessage(r.pick([17, 20, 18, 8, 9]), junk)]),
  )
}

export function portCase(r: Rand, kind: PortKind): PortCase {
  return kind === 'rtmp' || kind === 'play-rtmp' ? rtmpCase(r) : httpCase(r, kind)
}

/** Bytes of a case as a short printable string for a failure message. */
export function showCase(c: PortCase): string {
  const bytes = Buffer.concat(c.chunks)
  const head = JSON.stringify(bytes.subarray(0, 160).toString('latin1'))
  return `${c.name} [${bytes.length} bytes, ${c.then}${c.gapMs ? `, ${c.gapMs} ms apart` : ''}] ${head}`
}
