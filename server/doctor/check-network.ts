// Ports and the public host: each port the server listens on must be free (or held by the running
// server itself), and --public-host, which every media URL names, must resolve and lead to this
// machine's RTMP (and HTTP-FLV) port. Seen from this machine: a firewall in front of it is out
// of sight, so the fixes name it.
import { promises as dns } from 'dns'
import os from 'os'
import { type ServerConfig } from '../config'
import { isLoopbackHost } from '../loopback'
import { type Finding, finding } from './findings'
import { connect, type RunningServer, tryListen } from './probe'

interface Port {
  what: string
  flag: string
  port: number
  /** The port the running server holds for this, when it told us. */
  held: number | null
  /** Phones connect to it at --public-host. */
  media: boolean
}

const portOfUrl = (url: string | null | undefined) => {
  if (!url) return null
  const u = new URL(url)
  return Number(u.port) || (u.protocol === 'rtmp:' ? 1935 : 80)
}

function portsOf(config: ServerConfig, server: RunningServer | null): Port[] {
  const ports: Port[] = [
    {
      what: 'HTTP',
      flag: '--port',
      port: config.port,
      held: server ? config.port : null,
      media: false,
    },
    {
      what: 'RTMP',
      flag: '--rtmp-port',
      port: config.rtmpPort,
      held: portOfUrl(server?.media?.rtmpBase),
      media: true,
    },
  ]
  if (config.engine === 'embedded')
    ports.push({
      what: 'HTTP-FLV',
      flag: '--flv-port',
      port: config.flvPort,
      held: portOfUrl(server?.media?.flvBase),
      media: true,
    })
  return ports
}

const whoHolds = (port: number) => `ss -ltnp 'sport = :${port}'`

async function portFinding(
  config: ServerConfig,
  p: Port,
  server: RunningServer | null,
): Promise<Finding> {
  const at = `${p.what} port ${p.port} (${p.flag}) on ${config.host}`
  if (p.port === 0) return finding('ports', 'ok', `${p.what}: any free port (${p.flag} 0)`)
  if (server && p.held === p.port)
    return finding('ports', 'ok', `${at}: held by the running server`)
  const result = await tryListen(config.host, p.port)
  if (result === 'free') {
    if (server?.media && p.held !== null)
      return finding(
        'ports',
        'fail',
        `${at} is free, but the running server has its ${p.what} on ${p.held}: it runs with other options than these`,
        'give doctor the options of the running server (the same unit, environment file and flags)',
      )
    return finding('ports', 'ok', `${at}: free`)
  }
  if (result === 'EADDRINUSE') {
    if (server && !server.media)
      return finding(
        'ports',
        'warn',
        `${at} is in use, by the running server or another process (without the admin secret doctor cannot ask the server)`,
        `see who holds it: ${whoHolds(p.port)}`,
      )
    return finding(
      'ports',
      'fail',
      `${at} is in use by another process`,
      `see who holds it (${whoHolds(p.port)}) and stop it, or choose another ${p.flag}`,
    )
  }
  if (result === 'EACCES')
    return finding(
      'ports',
      'fail',
      `${at}: this user may not listen below 1024`,
      `a port from 1024 up, or AmbientCapabilities=CAP_NET_BIND_SERVICE in the systemd unit`,
    )
  if (result === 'EADDRNOTAVAIL')
    return finding(
      'ports',
      'fail',
      `--host ${config.host} is not an address of this machine`,
      '--host 0.0.0.0 (every address) or one of `ip -brief address`',
    )
  return finding('ports', 'fail', `${at}: cannot listen (${result})`)
}

export async function portFindings(
  config: ServerConfig,
  server: RunningServer | null,
): Promise<Finding[]> {
  const out: Finding[] = []
  if (server?.refusedSecret)
    out.push(
      finding(
        'ports',
        'fail',
        `a conference server (${server.version}) runs on port ${config.port}, but refuses this admin secret: it runs with another configuration`,
        'give doctor the options of the running server (the same unit, environment file and flags)',
      ),
    )
  for (const p of portsOf(config, server)) out.push(await portFinding(config, p, server))
  return out
}

function localAddresses(): Set<string> {
  const all = Object.values(os.networkInterfaces()).flatMap((list) => list ?? [])
  return new Set(all.map((a) => a.address))
}

/**
 * A connection to --public-host's media ports reaches this machine: the running server's port
 * accepts it, or (the server not running) a listener the doctor opens on the port for the moment.
 */
async function reachFinding(
  config: ServerConfig,
  p: Port,
  server: RunningServer | null,
  timeoutMs: number,
): Promise<Finding | null> {
  if (p.port === 0) return null
  const target = `${config.publicHost}:${p.port}`
  const fix = `open TCP ${p.port} in the firewall to --public-host ${config.publicHost}, and check that the name leads to this machine`
  const accepts = async () => {
    const err = await connect(config.publicHost, p.port, timeoutMs)
    return err
      ? finding('public-host', 'fail', `${target} (${p.what}) cannot be reached: ${err}`, fix)
      : finding('public-host', 'ok', `${target} (${p.what}) accepts connections from here`)
  }
  if (server && p.held === p.port) return accepts()
  let arrived = false
  let err: string | null = null
  const result = await tryListen(config.host, p.port, async (listener) => {
    listener.removeAllListeners('connection')
    listener.on('connection', (socket) => {
      arrived = true
      socket.destroy()
    })
    err = await connect(config.publicHost, p.port, timeoutMs)
    // The connect completes before the listener hears of it.
    for (let i = 0; i < 20 && !err && !arrived; i++) await new Promise((r) => setTimeout(r, 10))
  })
  // Held by the server that did not say its ports (no admin secret), or by another process (the
  // port finding says so).
  if (result === 'EADDRINUSE' && server && !server.media) return accepts()
  if (result !== 'free') return null
  if (arrived) return finding('public-host', 'ok', `${target} (${p.what}) leads to this machine`)
  return finding(
    'public-host',
    'fail',
    `${target} (${p.what}) does not lead to this machine's port ${p.port}${err ? `: ${err}` : ''}`,
    fix,
  )
}

export async function publicHostFindings(
  config: ServerConfig,
  server: RunningServer | null,
  timeoutMs: number,
): Promise<Finding[]> {
  const host = config.publicHost
  const out: Finding[] = []
  if (isLoopbackHost(host)) {
    out.push(
      finding(
        'public-host',
        isLoopbackHost(config.host) ? 'warn' : 'fail',
        `--public-host ${host}: media URLs name a loopback address, which only this machine can play`,
        '--public-host <the DNS name or IP phones reach this machine by>',
      ),
    )
  } else {
    let addresses: string[]
    try {
      addresses = (await dns.lookup(host, { all: true })).map((a) => a.address)
    } catch (e) {
      return [
        finding(
          'public-host',
          'fail',
          `--public-host ${host} does not resolve (${(e as NodeJS.ErrnoException).code})`,
          `a DNS A record for ${host} pointing at this machine's public address`,
        ),
      ]
    }
    const local = localAddresses()
    const mine = addresses.filter((a) => local.has(a))
    out.push(
      mine.length
        ? finding('public-host', 'ok', `--public-host ${host} is ${mine.join(', ')}, this machine`)
        : finding(
            'public-host',
            'warn',
            `--public-host ${host} is ${addresses.join(', ')}, not an address of this machine`,
            'right behind NAT or a load balancer that forwards the media ports here; otherwise point the name at this machine',
          ),
    )
  }
  for (const p of portsOf(config, server).filter((p) => p.media)) {
    const f = await reachFinding(config, p, server, timeoutMs)
    if (f) out.push(f)
  }
  return out
}
