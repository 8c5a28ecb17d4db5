// `conference-server doctor` as an operator runs it (the built CLI, a real process) against real
// deployments on loopback: a server child (port 0, read back from --ready-file) with the nginx
// engine and a real Redis behind a TLS nginx proxy; then a broken one (a 12-character secret, a
// modules directory without the rtmp module, Redis down, a port held by another process, a public
// host that does not resolve, a recordings directory its user cannot write) and a broken proxy
// (no upgrades, Host without its port, a server that does not trust it). Each finding is asserted.
import { type ChildProcess, spawn } from 'child_process'
import fs from 'fs'
import net from 'net'
import os from 'os'
import path from 'path'
import { type Finding } from '../../server/doctor/findings'
import { nginxAvailability } from '../helpers/nginx'
import { describeRequiring } from '../helpers/optional-suite'
import { redisAvailability, RedisServer } from '../helpers/redis'
import { spawnServer } from '../helpers/server-process'
import { startTlsProxy, type TlsProxy } from '../helpers/tls-proxy'

const CLI = path.resolve(__dirname, '../../server/dist/server/cli.js')
const SECRET = 'a-long-enough-secret-for-this-test-0123456789'
const ADMIN = 'another-long-enough-secret-0123456789abcdef'

/** The proxy block of a good deployment: upgrades passed on, Host with its port, the client named. */
const GOOD = (up: string) => `
        location ~ ^/(ws|ingest)$ {
            proxy_pass ${up};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Real-IP $remote_addr;
        }
        location / {
            proxy_pass ${up};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
        }`

/** What goes wrong with a copied block: no upgrade headers, $host drops the port, no X-F-Proto. */
const BROKEN = (up: string) => `
        location ~ ^/(ws|ingest)$ {
            proxy_pass ${up};
            proxy_set_header Host $host;
        }
        location / {
            proxy_pass ${up};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }`

const availability = {
  ok: nginxAvailability.ok && redisAvailability.ok,
  reason: [nginxAvailability.reason, redisAvailability.reason].filter(Boolean).join('; '),
}
const required = nginxAvailability.ok ? 'CK_REQUIRE_REDIS' : 'CK_REQUIRE_NGINX'

/** What the broken runs printed, for the example in docs/deploy.md. */
const printed: string[] = []

describeRequiring('conference-server doctor', availability, required, () => {
  let tmp: string
  const children: ChildProcess[] = []
  const proxies: TlsProxy[] = []
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

  /** The doctor's findings (--json) and its text; `asUser`: as an unprivileged user, like the unit's. */
  function doctor(args: string[], env: Record<string, string> = {}, asUser = false) {
    const prefix =
      asUser && asRoot
        ? ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--']
        : []
    const argv = [...prefix, process.execPath, CLI, 'doctor', ...args]
    const once = (extra: string[]) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const p = spawn(argv[0], [...argv.slice(1), ...extra], {
          env: { PATH: process.env.PATH, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        let out = ''
        let err = ''
        p.stdout.on('data', (d: Buffer) => (out += d.toString()))
        p.stderr.on('data', (d: Buffer) => (err += d.toString()))
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
      cli: CLI,
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
    await Promise.all(proxies.map((p) => p.stop()))
    await Promise.all(redises.map((r) => r.close()))
    await Promise.all(holders.map((h) => new Promise((r) => h.close(r))))
    fs.rmSync(tmp, { recursive: true, force: true })
  })

  test('a good deployment: every check passes, exit 0', async () => {
    const redis = await RedisServer.start()
    redises.push(redis)
    const args = [
      ...['--engine', 'nginx', '--host', '127.0.0.1', '--public-host', '127.0.0.1'],
      ...[
        '--secret-file',
        secretFile('secret', SECRET),
        '--admin-secret-file',
        secretFile('admin', ADMIN),
      ],
      ...['--trust-proxy', '127.0.0.1', '--redis', redis.url, '--log-level', 'error'],
      ...['--recordings-dir', path.join(tmp, 'recordings'), '--recordings-max-mb', '1024'],
    ]
    const ready = await server(args)
    const proxy = await startTlsProxy(ready.port, GOOD)
    proxies.push(proxy)
    const { code, textCode, text, report, find } = await doctor(
      [
        ...args,
        '--port',
        String(ready.port),
        '--rtmp-port',
        String(ready.rtmpPort),
        '--proxy-url',
        proxy.url,
      ],
      { NODE_EXTRA_CA_CERTS: proxy.certFile },
    )
    expect(report.findings.filter((f) => f.status === 'fail')).toEqual([])
    expect([code, textCode, report.ok]).toEqual([0, 0, true])
    expect(text).toMatch(/conference-server doctor: 0 failures, 1 warning/)
    // The one warning: loopback media URLs (this test's deployment is on loopback).
    expect(report.findings.filter((f) => f.status === 'warn').map((f) => f.check)).toEqual([
      'public-host',
    ])
    for (const [check, message] of [
      [
        'config',
        /^options read: production mode, engine nginx, HTTP 127\.0\.0\.1:\d+, RTMP port \d+, cluster node/,
      ],
      ['secrets', /^--secret-file \S+: 45 characters$/],
      ['secrets', /^--admin-secret-file \S+: 43 characters$/],
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
      ['proxy', /^https:\/\/localhost:\d+ leads to the server/],
      ['proxy', /^the proxy passes Host localhost:\d+ on$/],
      ['proxy', /^WebSocket upgrades of \/ws reach the server$/],
      ['proxy', /^WebSocket upgrades of \/ingest reach the server$/],
      ['proxy', /^the proxy names each client .* and the server trusts it/],
      ['nginx', /^nginx\/\S+ loads \/usr\/lib\/nginx\/modules\/ngx_rtmp_module\.so$/],
      ['redis', /^redis:\/\/127\.0\.0\.1:\d+ answers \(Redis \S+, \d+ ms\)$/],
      ['recordings', /: created at the first recording .* writable\) by /],
      ['recordings', /^0 MiB in 0 files, \d+ MiB free; deleted after 30 days, cap 1024 MiB$/],
      ['ffmpeg', /^ffmpeg version .* with libx264, aac, vp8, opus$/],
    ] as const)
      expect({ check, message, found: !!find(check, 'ok', message) }).toEqual({
        check,
        message,
        found: true,
      })
  }, 90000)

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
    const proxy = await startTlsProxy(ready.port, BROKEN)
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
      [...args, ...ports, '--proxy-url', proxy.url],
      {
        NODE_EXTRA_CA_CERTS: proxy.certFile,
      },
    )
    printed.push(text)
    expect(code).toBe(1)
    const expected: Array<['fail' | 'warn', RegExp, RegExp]> = [
      [
        'fail',
        /^the proxy sends Host localhost for https:\/\/localhost:\d+ \(the port dropped\): the console's sign-in is refused/,
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
        /proxy_set_header Connection "upgrade"/,
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
    expect(find('proxy', 'ok', /^https:\/\/localhost:\d+ leads to the server/)).toBeDefined()
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
