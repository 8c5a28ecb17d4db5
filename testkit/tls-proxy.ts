// docs/deploy.md's TLS proxy and server commands, run as written. Taken out of the doc (its
// English section; test/server/deploy-doc.test.ts keeps the Chinese one the same), with only
// the values the doc names as yours replaced: the domain (conf.example.com → conference.test,
// which Chromium and the Node clients here map to 127.0.0.1), the certificate's paths (a
// self-signed one made with openssl), the ports (443 → one picked for the proxy, 8080 / 8000 →
// the server's, bound as port 0 and read back), the listen address (loopback), and /etc → a
// private tree. Debian's nginx runs as a private instance: a copy of Debian's nginx.conf whose
// paths point into that tree (prefix, pid, logs, temp files), never the system's. `sudo` is
// dropped (the test is its own user), and "systemctl reload nginx" is the start of that instance.
import { type ChildProcess, execFileSync } from 'child_process'
import { lookup as dnsLookup } from 'dns'
import fs from 'fs'
import { Agent, request } from 'https'
import { type LookupFunction } from 'net'
import os from 'os'
import path from 'path'
import { TEMP_PATHS } from '../server/media/nginx/config'
import { nginxPaths } from '../server/media/nginx/options'
import { onFreePort } from '../server/ports'
import { codeBlocks, readDoc, section, theBlock } from './doc-blocks'
import { nginxAvailability, type NginxProcess, runNginx } from './nginx'
import { type Availability } from './optional-suite'
import { descendants, reap } from './procs'
import { type Ready, spawnServer } from './server-process'

/** The doc's domain, and what it becomes here. */
const DOC_DOMAIN = 'conf.example.com'
export const DOMAIN = 'conference.test'
const DEBIAN_CONF = '/etc/nginx/nginx.conf'

export const tlsProxyAvailability: Availability = (() => {
  if (!nginxAvailability.ok) return nginxAvailability
  if (!fs.existsSync(DEBIAN_CONF))
    return { ok: false, reason: `no ${DEBIAN_CONF} (Debian's nginx)` }
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' })
  } catch {
    return { ok: false, reason: 'no openssl' }
  }
  return { ok: true }
})()

/** The blocks of docs/deploy.md a deployment behind the proxy is made of. */
export function deployDoc() {
  const en = section(readDoc('docs/deploy.md'), '## English')
  const sh = (what: string, has: string[], hasNot = '\0') =>
    theBlock(
      en,
      what,
      (b) => b.lang === 'sh' && has.every((h) => b.code.includes(h)) && !b.code.includes(hasNot),
    ).code
  const site = theBlock(en, 'the proxy site', (b) => b.lang === 'nginx').code
  return {
    site,
    /** Where the doc puts it (its first line). */
    sitePath: /^# (\/etc\/nginx\/sites-available\/\S+)$/m.exec(site)?.[1] ?? '',
    enable: sh('enabling the site', ['sites-enabled', 'nginx -t']),
    secrets: sh('the secrets', ['openssl rand']),
    run: sh('the server', ['npx conference-server', '--public-url'], '--redis'),
    node: sh('a cluster node', ['npx conference-server', '--redis']),
    blocks: codeBlocks(en).length,
  }
}

/** A private tree standing for /etc, /run and /var/log of a Debian host. */
export class HostTree {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-deploy-'))
  readonly etc = path.join(this.root, 'etc')

  constructor() {
    // nginx's workers (www-data, when the test runs as root) write temp files under it.
    fs.chmodSync(this.root, 0o755)
  }

  /** The doc's /etc/… paths, here. */
  map(text: string): string {
    return text.replace(/(^|[\s=])\/etc\//g, `$1${this.etc}/`)
  }

  /** A doc command as this test's user runs it in this tree. */
  command(line: string): string {
    return this.map(line.replace(/sudo (-u \S+ )?/g, '').replace(/ -o conference\b/g, ''))
  }

  /** Runs a doc's sh block line by line (comments and blank lines skipped); returns their output. */
  run(block: string, rewrite: (line: string) => string = (l) => l): string {
    let out = ''
    for (const line of block.split('\n')) {
      if (!line.trim() || line.trim().startsWith('#')) continue
      out += execFileSync('bash', ['-c', rewrite(this.command(line))], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    }
    return out
  }

  /** The doc's secrets block run here: the two secrets, as the server reads them. */
  makeSecrets(): { secret: string; adminSecret: string } {
    this.run(deployDoc().secrets)
    const read = (name: string) =>
      fs.readFileSync(path.join(this.etc, 'conference', name), 'utf8').replace(/\n$/, '')
    return { secret: read('secret'), adminSecret: read('admin-secret') }
  }

  /**
   * A self-signed certificate for `names`, where the doc's Let's Encrypt paths point, and an
   * https agent for Node clients that trusts it.
   */
  selfSignedCert(names: string[]): { dir: string; pem: string; agent: Agent } {
    const dir = path.join(this.root, 'tls')
    fs.mkdirSync(dir, { recursive: true })
    const [cert, key] = [path.join(dir, 'fullchain.pem'), path.join(dir, 'privkey.pem')]
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
        ...['-days', '2', '-subj', `/CN=${names[0]}`, '-keyout', key, '-out', cert],
        ...['-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`],
      ],
      { stdio: 'ignore' },
    )
    const pem = fs.readFileSync(cert, 'utf8')
    return { dir, pem, agent: clientAgent(pem) }
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true })
  }
}

/** What replaces the doc's values in its site file. */
export interface SiteValues {
  /** The site's name (conf.example.com, or a node's n1.conf.example.com → n1.conference.test). */
  domain: string
  /** 443 → */
  port: number
  /** 127.0.0.1:8080 → */
  serverPort: number
  /** 127.0.0.1:8000 → (null: no HTTP-FLV, a port nothing listens on) */
  flvPort: number | null
  /** The certificate's directory (/etc/letsencrypt/live/conf.example.com/ →). */
  certDir: string
}

/** The doc's site with these values: every other character as written. */
export function siteFile(doc: string, v: SiteValues): string {
  const replaced = doc
    .replace(/^(\s*listen )443 /m, `$1127.0.0.1:${v.port} `)
    .split(`/etc/letsencrypt/live/${DOC_DOMAIN}/`)
    .join(`${v.certDir}/`)
    .replace(`server_name ${DOC_DOMAIN};`, `server_name ${v.domain};`)
    .split('127.0.0.1:8080;')
    .join(`127.0.0.1:${v.serverPort};`)
    .split('127.0.0.1:8000;')
    .join(`127.0.0.1:${v.flvPort ?? 9};`)
  for (const held of ['443 ', DOC_DOMAIN, ':8080', ':8000']) {
    if (replaced.includes(held)) throw new Error(`the site still holds "${held}":\n${replaced}`)
  }
  return replaced
}

/**
 * The doc's server command for a proxy on `port` serving `domain`: its public URL there, its
 * ports bound as 0 (--flv-port and --play-rtmp-port added: the HTTP-FLV port, and the nginx
 * engine's play edge's RTMP port, which the doc leaves at their defaults), loopback, Redis at
 * `redis`.
 */
export function serverLine(
  doc: string,
  v: { domain: string; port: number; redis?: string },
): string {
  const line = doc
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n')
    .replace(/https:\/\/\S+/, `https://${v.domain}:${v.port}`)
    .replace('--host 0.0.0.0', '--host 127.0.0.1')
    .replace('--port 8080', '--port 0')
    .replace('--rtmp-port 1935', '--rtmp-port 0')
    .replace(/--public-host \S+/, '--public-host 127.0.0.1')
    .replace(/--redis \S+/, `--redis ${v.redis}`)
  return `${line.trimEnd()} --flv-port 0 --play-rtmp-port 0`
}

/** The doc's server command run by bash (npx and all), ended by SIGTERM to the server. */
export class DocServer {
  private constructor(
    private readonly proc: ChildProcess,
    /** What the server wrote to --ready-file: its pid and the ports it bound. */
    readonly ready: Ready,
    /** What it printed (the last 64 KiB). */
    readonly output: () => string,
  ) {}

  static async start(line: string): Promise<DocServer> {
    let output = ''
    const { proc, ready } = await spawnServer({
      args: [],
      line,
      env: process.env,
      ports: null,
      onOutput: (t) => (output = (output + t).slice(-64 * 1024)),
      timeoutMs: 30000,
    })
    return new DocServer(proc, ready, () => output)
  }

  /** SIGTERM to the server (a cluster node drains); resolves with the command's exit code. */
  stop(): Promise<number | null> {
    return this.signal('SIGTERM')
  }

  /** kill -9 of the server (a crash: no drain, no goodbye to Redis). */
  async kill(): Promise<void> {
    await this.signal('SIGKILL')
  }

  private async signal(sig: NodeJS.Signals): Promise<number | null> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return this.proc.exitCode
    const tree = descendants(this.proc.pid!)
    const done = new Promise<number | null>((r) => this.proc.once('exit', (code) => r(code)))
    process.kill(this.ready.pid, sig)
    const code = await done
    await reap(tree)
    return code
  }
}

/** Debian's nginx.conf with its paths in `tree`: the system's nginx untouched. */
function privateConf(tree: HostTree): string {
  const root = tree.root
  for (const dir of ['conf.d', 'modules-enabled', 'sites-available', 'sites-enabled'])
    fs.mkdirSync(path.join(tree.etc, 'nginx', dir), { recursive: true })
  for (const dir of ['run', 'log', 'tmp']) fs.mkdirSync(path.join(root, dir), { recursive: true })
  fs.copyFileSync('/etc/nginx/mime.types', path.join(tree.etc, 'nginx', 'mime.types'))
  // Temp paths default to /var/lib/nginx: the system's, and not a non-root user's to create.
  const temps = TEMP_PATHS.map((name) => `\t${name}_temp_path ${root}/tmp/${name};`).join('\n')
  const conf = fs
    .readFileSync(DEBIAN_CONF, 'utf8')
    .replace(/\/etc\/nginx\//g, `${tree.etc}/nginx/`)
    .replace(/\/run\/nginx\.pid/g, `${root}/run/nginx.pid`)
    .replace(/\/var\/log\/nginx\//g, `${root}/log/`)
    .replace(/^http \{$/m, `http {\n${temps}`)
  const file = path.join(tree.etc, 'nginx', 'nginx.conf')
  fs.writeFileSync(file, conf)
  return file
}

/** Resolves the test's names (conference.test, n1.conference.test…) to 127.0.0.1. */
const toLoopback: LookupFunction = (hostname, options, callback) => {
  if (hostname !== DOMAIN && !hostname.endsWith(`.${DOMAIN}`))
    return dnsLookup(hostname, options, callback)
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }])
  else callback(null, '127.0.0.1', 4)
}

/** An https agent for Node clients: trusts `pem`, finds the test's names on loopback. */
export function clientAgent(pem: string): Agent {
  return new Agent({ ca: pem, lookup: toLoopback })
}

/** GET through the proxy as a client would: status and body. */
export function httpsGet(url: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, timeout: 3000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer`)))
    req.on('error', reject)
    req.end()
  })
}

/** The private nginx of `tree`, with the doc's site installed and enabled as the doc says. */
export class TlsProxy {
  private constructor(
    private readonly tree: HostTree,
    private readonly run: NginxProcess,
    readonly port: number,
  ) {}

  /**
   * Writes `site` where the doc says, runs the doc's enable commands (`nginx -t` on this
   * instance's config), then starts it (the doc's reload); ready when `ready()` holds. A port
   * taken rejects with EADDRINUSE.
   */
  static async start(opts: {
    tree: HostTree
    site: string
    sitePath: string
    enable: string
    port: number
    ready: () => Promise<boolean>
  }): Promise<TlsProxy> {
    const { tree } = opts
    const conf = privateConf(tree)
    const nginx = nginxPaths({}).nginxPath!
    const args = ['-p', `${tree.root}/`, '-e', `${tree.root}/log/error.log`, '-c', conf]
    const sitePath = tree.map(opts.sitePath)
    fs.rmSync(sitePath, { force: true })
    fs.rmSync(sitePath.replace('sites-available', 'sites-enabled'), { force: true })
    fs.writeFileSync(sitePath, opts.site)
    tree.run(opts.enable, (line) =>
      line
        .replace(/(^|&& )nginx -t/, `$1${nginx} ${args.join(' ')} -t -q`)
        .replace('systemctl reload nginx', 'true'),
    )
    const run = await runNginx([...args, '-g', 'daemon off;'], opts.ready, 'the TLS proxy')
    return new TlsProxy(tree, run, opts.port)
  }

  /** The proxy's access log (Debian's format: one line per request, with its status). */
  accessLog(): string {
    return fs.readFileSync(path.join(this.tree.root, 'log', 'access.log'), 'utf8')
  }

  stop(): Promise<void> {
    return this.run.stop()
  }
}

export interface Deployment {
  server: DocServer
  proxy: TlsProxy
  /** https://<domain>:<proxy port> */
  base: string
  /** wss://<domain>:<proxy port>/ws */
  wsUrl: string
  /** The server (SIGTERM: a cluster node drains), then the proxy; the server's exit code. */
  stop(): Promise<number | null>
}

/**
 * The doc's server command `line` and its proxy site for `domain`, in `tree`, on a port picked
 * for the proxy: the server's --public-url needs that port before nginx can tell whether it is
 * free, so a taken port starts both again on another.
 */
export function deployBehindProxy(opts: {
  tree: HostTree
  line: string
  domain: string
  certDir: string
  agent: Agent
  redis?: string
}): Promise<Deployment> {
  const doc = deployDoc()
  const { tree, domain } = opts
  return onFreePort(async (port) => {
    const line = serverLine(opts.line, { domain, port, redis: opts.redis })
    const server = await DocServer.start(tree.command(line))
    const base = `https://${domain}:${port}`
    try {
      const proxy = await TlsProxy.start({
        tree,
        site: siteFile(doc.site, {
          domain,
          port,
          serverPort: server.ready.port,
          flvPort: server.ready.flvPort,
          certDir: opts.certDir,
        }),
        sitePath: doc.sitePath,
        enable: doc.enable,
        port,
        ready: () =>
          httpsGet(`${base}/healthz`, opts.agent).then(
            (r) => r.status === 200,
            () => false,
          ),
      })
      // The proxy stays up while the server drains (its clients are told where to go through it).
      const stop = async () => {
        const code = await server.stop()
        await proxy.stop()
        return code
      }
      return { server, proxy, base, wsUrl: `${base.replace(/^https/, 'wss')}/ws`, stop }
    } catch (e) {
      await server.stop()
      throw e
    }
  })
}
