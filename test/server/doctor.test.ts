// `conference-server doctor` as an operator runs it (the built CLI, a real process) against real
// deployments on loopback: docs/deploy.md's cluster node (its command and proxy site as written,
// testkit/tls-proxy.ts: the nginx engine, a real Redis, Debian's nginx with TLS in front);
// then a broken one (a 12-character secret, a modules directory without the rtmp module, Redis
// down, a port held by another process, a public host that does not resolve, a recordings
// directory its user cannot write) and a broken proxy (no upgrades, Host without its port, a
// server that does not trust it, no --public-url). Each finding is asserted.
import { type ChildProcess, spawn } from 'child_process'
import fs from 'fs'
import net from 'net'
import os from 'os'
import path from 'path'
import { type Finding } from '../../server/doctor/findings'
import { describeRequiring } from '../../testkit/optional-suite'
import { onFreePort } from '../../server/ports'
import { redisAvailability, RedisServer } from '../../testkit/redis'
import { CLI, spawnServer } from '../../testkit/server-process'
import {
  type Deployment,
  deployBehindProxy,
  deployDoc,
  DOMAIN,
  HostTree,
  httpsGet,
  serverLine,
  TlsProxy,
  tlsProxyAvailability,
} from '../../testkit/tls-proxy'

const ROOT = path.resolve(__dirname, '../..')
/** Resolves the proxies' names (…conference.test) to 127.0.0.1 in the doctor's process. */
const LOOPBACK_NAMES = `--require ${path.join(ROOT, 'testkit/loopback-names.js')}`
const SECRET = 'a-long-enough-secret-for-this-test-0123456789'
const ADMIN = 'another-long-enough-secret-0123456789abcdef'

/** A proxy site as one is often copied: no upgrade headers, $host drops the port, no X-F-Proto. */
const brokenSite = (port: number, upstream: number, certDir: string) => `
server {
    listen 127.0.0.1:${port} ssl;
    server_name ${DOMAIN};
    ssl_certificate     ${certDir}/fullchain.pem;
    ssl_certificate_key ${certDir}/privkey.pem;
    location ~ ^/(ws|ingest)$ {
        proxy_pass http://127.0.0.1:${upstream};
        proxy_set_header Host $host;
    }
    location / {
        proxy_pass http://127.0.0.1:${upstream};
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
}
`

const availability = {
  ok: tlsProxyAvailability.ok && redisAvailability.ok,
  reason: [tlsProxyAvailability.reason, redisAvailability.reason].filter(Boolean).join('; '),
}
const required = tlsProxyAvailability.ok ? 'CK_REQUIRE_REDIS' : 'CK_REQUIRE_NGINX'

/** What the broken runs printed, for the example in docs/deploy.md. */
const printed: string[] = []

describeRequiring('conference-server doctor', availability, required, () => {
  let tmp: string
  const children: ChildProcess[] = []
  const proxies: TlsProxy[] = []
  const deployments: Deployment[] = []
  const trees: HostTree[] = []
  const redises: RedisServer[] = []
  const holders: net.Server[] = []
  const asRoot = process.getuid?.() === 0

  /** A file only its owner reads: the server's user (nobody, when the tests run as root). */
  function secretFile(name: string, value: string, owner = false): string {
    const file = path.join(tmp, name)
    fs.writeFileSync(file, value + '\n', { mode: 0o600 })
    if (owner && asRoot) fs.chownSync(file, 65534, 65534)
    return file
  }

  /**
   * The doctor's findings (--json) and its text. `args`: the CLI's, as `node cli.js doctor …`
   * (`asUser`: as an unprivileged user, like the unit's); or `{ line }`: a shell command line, as
   * a doc gives it (run from the clone, without this run's CK_* variables).
   */
  function doctor(
    args: string[] | { line: string },
    env: Record<string, string> = {},
    asUser = false,
  ) {
    const prefix =
      asUser && asRoot
        ? ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--']
        : []
    const once = (extra: string[]) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const p = Array.isArray(args)
          ? spawn(
              prefix[0] ?? process.execPath,
              [
                ...prefix.slice(1),
                ...(prefix.length ? [process.execPath] : []),
                CLI,
                'doctor',
                ...args,
                ...extra,
              ],
              {
                env: { PATH: process.env.PATH, ...env },
                stdio: ['ignore', 'pipe', 'pipe'],
              },
            )
          : spawn('bash', ['-c', [args.line, ...extra].join(' ')], {
              cwd: ROOT,
              env: {
                ...Object.fromEntries(
                  Object.entries(process.env).filter(([k]) => !k.startsWith('CK_')),
                ),
                ...env,
              },
              stdio: ['ignore', 'pipe', 'pipe'],
            })
        let out = ''
        let err = ''
        p.stdout!.on('data', (d: Buffer) => (out += d.toString()))
        p.stderr!.on('data', (d: Buffer) => (err += d.toString()))
        p.on('close', (code) => resolve({ code, out, err }))
      })
    return Promise.all([once(['--json']), once([])]).then(([json, text]) => {
      expect(json.err).toBe('')
      const report = JSON.parse(json.out) as { ok: boolean; failures: number; findings: Finding[] }
      const find = (check: string, status: Finding['status'], message: RegExp) =>
        report.findings.find(
          (f) => f.check === check && f.status === status && message.test(f.message),
        )
      return { code: json.code, textCode: text.code, text: text.out, report, find }
    })
  }

  async function server(args: string[]) {
    const { proc, ready } = await spawnServer({
      args,
      ports: null,
      env: { PATH: process.env.PATH },
    })
    children.push(proc)
    return ready
  }

  beforeAll(() => {
    // The unprivileged doctor reads its files: beside this run's directory, which is private.
    const base = asRoot ? path.dirname(os.tmpdir()) : os.tmpdir()
    tmp = fs.mkdtempSync(path.join(base, 'ck-doctor-'))
    fs.chmodSync(tmp, 0o755)
  })

  afterAll(async () => {
    for (const p of children) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM')
    await Promise.all(
      children.map((p) =>
        p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : null,
      ),
    )
    await Promise.all(deployments.map((d) => d.stop()))
    await Promise.all(proxies.map((p) => p.stop()))
    for (const t of trees) t.remove()
    await Promise.all(redises.map((r) => r.close()))
    await Promise.all(holders.map((h) => new Promise((r) => h.close(r))))
    fs.rmSync(tmp, { recursive: true, force: true })
  })

  test("docs/deploy.md's cluster node behind its TLS proxy: every check passes, exit 0", async () => {
    const tree = new HostTree()
    trees.push(tree)
    tree.makeSecrets()
    const domain = `n1.${DOMAIN}`
    const { dir: certDir, agent } = tree.selfSignedCert([domain])
    const redis = await RedisServer.start()
    redises.push(redis)
    const doc = deployDoc()
    const dep = await deployBehindProxy({
      tree,
      line: doc.node,
      domain,
      certDir,
      agent,
      redis: redis.url,
    })
    deployments.push(dep)
    const { ready } = dep.server
    // The node's own command line with `doctor`, on the ports it bound.
    const line = tree
      .command(serverLine(doc.node, { domain, port: dep.proxy.port, redis: redis.url }))
      .replace('npx conference-server ', 'npx conference-server doctor ')
    const { code, textCode, text, report, find } = await doctor(
      { line: `${line} --port ${ready.port} --rtmp-port ${ready.rtmpPort}` },
      { NODE_EXTRA_CA_CERTS: path.join(certDir, 'fullchain.pem'), NODE_OPTIONS: LOOPBACK_NAMES },
    )
    expect(report.findings.filter((f) => f.status === 'fail')).toEqual([])
    expect([code, textCode, report.ok]).toEqual([0, 0, true])
    expect(text).toMatch(/conference-server doctor: 0 failures, \d+ warnings?/)
    // Warnings: loopback media URLs (a deployment on loopback), and a disk smaller than the cap.
    const disk = fs.statfsSync(ROOT)
    const small = disk.bavail * disk.bsize < 20480 * 1024 * 1024
    expect(report.findings.filter((f) => f.status === 'warn').map((f) => f.check)).toEqual([
      'public-host',
      ...(small ? ['recordings'] : []),
    ])
    const origin = `https://${domain.replace(/\./g, '\\.')}:${dep.proxy.port}`
    for (const [check, message] of [
      [
        'config',
        /^options read: production mode, engine nginx, HTTP 127\.0\.0\.1:\d+, RTMP port \d+, cluster node n1$/,
      ],
      ['secrets', /^--secret-file \S+\/etc\/conference\/secret: 44 characters$/],
      ['secrets', /^--admin-secret-file \S+\/etc\/conference\/admin-secret: 44 characters$/],
      [
        'ports',
        new RegExp(
          `^HTTP port ${ready.port} \\(--port\\) on 127\\.0\\.0\\.1: held by the running server$`,
        ),
      ],
      [
        'ports',
        new RegExp(
          `^RTMP port ${ready.rtmpPort} \\(--rtmp-port\\) on 127\\.0\\.0\\.1: held by the running server$`,
        ),
      ],
      [
        'public-host',
        new RegExp(`^127\\.0\\.0\\.1:${ready.rtmpPort} \\(RTMP\\) accepts connections from here$`),
      ],
      ['proxy', new RegExp(`^${origin} leads to the server`)],
      [
        'proxy',
        new RegExp(`^the proxy passes Host ${domain.replace(/\./g, '\\.')}:${dep.proxy.port} on$`),
      ],
      ['proxy', /^WebSocket upgrades of \/ws reach the server$/],
      ['proxy', /^WebSocket upgrades of \/ingest reach the server$/],
      ['proxy', /^the proxy names each client .* and the server trusts it/],
      ['nginx', /^nginx\/\S+ loads \/usr\/lib\/nginx\/modules\/ngx_rtmp_module\.so$/],
      ['redis', /^redis:\/\/127\.0\.0\.1:\d+ answers \(Redis \S+, \d+ ms\)$/],
      ['recordings', /^--recordings-dir \S+: (writable|created at the first recording .*) by /],
      ['ffmpeg', /^ffmpeg version .* with libx264, aac, vp8, opus$/],
    ] as const)
      expect({ check, message, found: !!find(check, 'ok', message) }).toEqual({
        check,
        message,
        found: true,
      })
  }, 120000)

  test('a broken deployment, its server refusing to start: each failure with its fix, exit 1', async () => {
    const dead = await RedisServer.start()
    redises.push(dead)
    await dead.stop() // Redis down
    const holder = net.createServer()
    holders.push(holder)
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()))
    const taken = (holder.address() as net.AddressInfo).port
    const locked = path.join(tmp, 'locked')
    fs.mkdirSync(locked, { mode: 0o555 })
    fs.chmodSync(locked, 0o555)
    const modules = path.join(tmp, 'modules') // a modules directory without the rtmp module
    fs.mkdirSync(modules)
    const args = [
      ...['--engine', 'nginx', '--host', '127.0.0.1', '--port', '0', '--rtmp-port', String(taken)],
      ...[
        '--public-host',
        'media.invalid',
        '--nginx-module',
        path.join(modules, 'ngx_rtmp_module.so'),
      ],
      ...['--secret-file', secretFile('short', 'x'.repeat(12), true), '--redis', dead.url],
      ...[
        '--admin-secret-file',
        secretFile('admin-broken', ADMIN, true),
        '--recordings-dir',
        locked,
      ],
    ]
    const { code, textCode, text, report, find } = await doctor(args, { CK_PROT: '9000' }, true)
    printed.push(text)
    expect([code, textCode, report.ok]).toEqual([1, 1, false])
    const expected: Array<[string, 'fail' | 'warn', RegExp, RegExp]> = [
      [
        'secrets',
        'fail',
        /^--secret-file: the secret is 12 characters; production needs at least 32/,
        /^openssl rand -base64 32 > \S+short && chmod 600/,
      ],
      [
        'config',
        'warn',
        /^CK_PROT is set, but no option reads it \(did you mean CK_PORT\?\)$/,
        /^rename it CK_PORT$/,
      ],
      [
        'ports',
        'fail',
        new RegExp(
          `^RTMP port ${taken} \\(--rtmp-port\\) on 127\\.0\\.0\\.1 is in use by another process$`,
        ),
        /ss -ltnp 'sport = :\d+'/,
      ],
      [
        'public-host',
        'fail',
        /^--public-host media\.invalid does not resolve \(ENOTFOUND\)$/,
        /DNS A record for media\.invalid/,
      ],
      [
        'nginx',
        'fail',
        /modules\/ngx_rtmp_module\.so not found/,
        /apt-get install libnginx-mod-rtmp, or --nginx-module/,
      ],
      [
        'redis',
        'fail',
        /^redis:\/\/127\.0\.0\.1:\d+ cannot be reached: ECONNREFUSED$/,
        /start redis-server there/,
      ],
      [
        'recordings',
        'fail',
        new RegExp(`^--recordings-dir: ${locked} is not writable by (nobody|\\S+) \\(EACCES\\)$`),
        /mkdir -p .* && chown/,
      ],
    ]
    for (const [check, status, message, fix] of expected) {
      const f = find(check, status, message)
      expect({ check, message, found: !!f }).toEqual({ check, message, found: true })
      expect(f!.fix).toMatch(fix)
    }
    expect(report.failures).toBe(expected.filter((e) => e[1] === 'fail').length)
    // The lines a person reads: FAIL, the message, its fix under it, the totals.
    expect(text).toMatch(/^FAIL {2}secrets {6}--secret-file: the secret is 12 characters/m)
    expect(text).toMatch(/^ +fix: openssl rand -base64 32 > /m)
    expect(text).toMatch(/conference-server doctor: 6 failures, \d+ warnings? \(\d+ findings\)\n$/)
  }, 60000)

  test('a broken TLS proxy in front of a running server: upgrades, Host and trust fail, exit 1', async () => {
    const args = [
      ...['--host', '127.0.0.1', '--public-host', '127.0.0.1', '--log-level', 'error'],
      ...[
        '--secret-file',
        secretFile('secret2', SECRET),
        '--admin-secret-file',
        secretFile('admin2', ADMIN),
      ],
      ...['--recordings-dir', path.join(tmp, 'recordings2'), '--recordings-max-mb', '1024'],
    ]
    const ready = await server(args)
    const tree = new HostTree()
    trees.push(tree)
    const { dir: certDir, agent } = tree.selfSignedCert([DOMAIN])
    const doc = deployDoc()
    const proxy = await onFreePort((port) =>
      TlsProxy.start({
        tree,
        site: brokenSite(port, ready.port, certDir),
        sitePath: doc.sitePath,
        enable: doc.enable,
        port,
        ready: () =>
          httpsGet(`https://${DOMAIN}:${port}/healthz`, agent).then(
            (r) => r.status === 200,
            () => false,
          ),
      }),
    )
    proxies.push(proxy)
    const ports = [
      '--port',
      String(ready.port),
      '--rtmp-port',
      String(ready.rtmpPort),
      '--flv-port',
      String(ready.flvPort),
    ]
    const { code, text, report, find } = await doctor(
      [...args, ...ports, '--proxy-url', `https://${DOMAIN}:${proxy.port}`],
      {
        NODE_EXTRA_CA_CERTS: path.join(certDir, 'fullchain.pem'),
        NODE_OPTIONS: LOOPBACK_NAMES,
      },
    )
    printed.push(text)
    expect(code).toBe(1)
    const expected: Array<['fail' | 'warn', RegExp, RegExp]> = [
      [
        'warn',
        /^no --public-url: the server gives out ws:\/\/127\.0\.0\.1:\d+\/ws \(a cluster's moves\) and http:\/\/ media URLs, not https:\/\/conference\.test:\d+$/,
        /^--public-url https:\/\/conference\.test:\d+$/,
      ],
      [
        'fail',
        /^the proxy sends Host conference\.test for https:\/\/conference\.test:\d+ \(the port dropped\): the console's sign-in is refused/,
        /proxy_set_header Host \$http_host/,
      ],
      [
        'fail',
        /^location \/: the proxy \(127\.0\.0\.1\) is not in --trust-proxy, so every client counts as 127\.0\.0\.1/,
        /--trust-proxy 127\.0\.0\.1$/,
      ],
      [
        'fail',
        /^a WebSocket upgrade of \/ws through the proxy is answered HTTP 404: the proxy does not pass upgrades on/,
        /proxy_set_header Upgrade \$http_upgrade/,
      ],
      [
        'fail',
        /^a WebSocket upgrade of \/ingest through the proxy is answered HTTP 404/,
        /proxy_set_header Connection \$ck_connection/,
      ],
      [
        'warn',
        /^the proxy sends no X-Forwarded-Proto https/,
        /proxy_set_header X-Forwarded-Proto \$scheme;/,
      ],
    ]
    for (const [status, message, fix] of expected) {
      const f = find('proxy', status, message)
      expect({ message, found: !!f }).toEqual({ message, found: true })
      expect(f!.fix).toMatch(fix)
    }
    expect(report.findings.filter((f) => f.status === 'fail').map((f) => f.check)).toEqual([
      'proxy',
      'proxy',
      'proxy',
      'proxy',
    ])
    expect(find('proxy', 'ok', /^https:\/\/conference\.test:\d+ leads to the server/)).toBeDefined()
    expect(
      find(
        'ports',
        'ok',
        /^HTTP-FLV port \d+ \(--flv-port\) on 127\.0\.0\.1: held by the running server$/,
      ),
    ).toBeDefined()
  }, 60000)

  test('docs/deploy.md shows what these broken runs print', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../docs/deploy.md'), 'utf8')
    const example =
      /<!-- doctor-example:start -->\n+```text\n([\s\S]*?)```\n+<!-- doctor-example:end -->/.exec(
        doc,
      )?.[1]
    expect(example).toBeDefined()
    // Ports, temp paths and timings differ from run to run: each stands for any value there.
    const shape = (line: string) =>
      line
        .replace(/\/tmp\/ck-doctor-\w+/g, '/tmp/ck-doctor-X')
        .replace(/\(\S+\/node_modules\//g, '(…/node_modules/')
        .replace(/(:|port )\d{2,5}\b/g, '$1N')
        .replace(/node-[0-9a-f]{12}/g, 'node-X')
        .replace(/\d+ MiB free/g, 'N MiB free')
        .replace(/not writable by \S+/g, 'not writable by USER')
        .replace(/doctor: \d+ failures?, \d+ warnings? \(\d+ findings\)/, 'doctor: TOTALS')
        .trimEnd()
    const real = new Set(printed.join('\n').split('\n').map(shape))
    const missing = example!.split('\n').filter((l) => l.trim() && !real.has(shape(l)))
    expect(missing).toEqual([])
  })
})
