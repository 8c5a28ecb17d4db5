// Hostile bytes on every listening port of a real server process, both engines: the requests of
// the crash findings first, then thousands of seeded cases (port-cases.ts). After each batch the
// same process (same pid, last-resort handler never called) answers /healthz, and a member in a
// live conference is still joined and still receiving the media another member publishes.
// Replay: CK_PORT_FUZZ_SEED=<seed>; more cases per port: CK_PORT_FUZZ_CASES=<n>.
import { execFileSync } from 'child_process'
import { randomBytes, randomInt } from 'crypto'
import { connect } from 'net'
import { Tokens } from '../../server/auth/tokens'
import { type Stream } from 'miniprogram-conference-protocol'
import { ClusterNode } from '../../testkit/cluster'
import { ensureBuilt } from '../../testkit/server-process'
import { pullContinuously, pushTestPattern, stopAllMedia, type Pusher } from '../../testkit/ffmpeg'
import { describeWithNginx } from '../../testkit/nginx'
import { type NodeClient, nodeClient } from '../../testkit/sdk-client'
import { prng } from '../../testkit/prng'
import { FINDING_TARGETS, type PortCase, type PortKind, portCase, showCase } from './port-cases'
import { sleep, until } from '../../testkit/wait'

const SEED = Number(process.env.CK_PORT_FUZZ_SEED ?? randomInt(2 ** 31))
const CASES = Number(process.env.CK_PORT_FUZZ_CASES ?? 0)
/** Cases per port by default (CK_PORT_FUZZ_CASES replaces them all). */
const DEFAULT_CASES: Record<PortKind, number> = {
  http: 1200,
  flv: 600,
  rtmp: 600,
  'play-rtmp': 600,
  hooks: 300,
}
const BATCH = 300
const PARALLEL = 24

jest.setTimeout(180_000)
console.log(`ports-fuzz seed ${SEED} (replay: CK_PORT_FUZZ_SEED=${SEED})`)

/** One case on a fresh connection; resolves whatever the server does (never rejects). */
function send(port: number, c: PortCase): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let timer: NodeJS.Timeout | undefined
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve()
    }
    socket.on('error', done)
    socket.on('close', done)
    // Read and drop what the server answers; a case ends when it closes or goes quiet.
    socket.on('data', () => {
      clearTimeout(timer)
      timer = setTimeout(done, 100)
    })
    socket.on('connect', async () => {
      for (const chunk of c.chunks) {
        if (socket.destroyed) return
        socket.write(chunk)
        if (c.gapMs) await sleep(c.gapMs)
      }
      if (c.then === 'destroy') return done()
      if (c.then === 'end') socket.end()
      timer = setTimeout(done, c.then === 'end' ? 500 : 300)
    })
  })
}

async function sendAll(port: number, cases: PortCase[]): Promise<void> {
  let next = 0
  const lane = async () => {
    while (next < cases.length) await send(port, cases[next++])
  }
  await Promise.all(Array.from({ length: PARALLEL }, lane))
}

/** TCP ports `pid` listens on (ss -p sees the processes of the same user). */
function listeningPorts(pid: number): number[] {
  const out = execFileSync('ss', ['-Hltnp'], { encoding: 'utf8' })
  return out
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => Number(/:(\d+)\s/.exec(line.split(/\s+/)[3] + ' ')?.[1]))
    .filter((p) => p > 0)
}

function request(target: string, upgrade: boolean): string {
  const lines = [`GET ${target} HTTP/1.1`, 'Host: 127.0.0.1']
  if (upgrade) {
    lines.push('Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13')
    lines.push(`Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`)
  }
  return lines.join('\r\n') + '\r\n\r\n'
}

const findingCase = (target: string, upgrade: boolean): PortCase => ({
  name: `${upgrade ? 'upgrade ' : ''}GET ${target}`,
  chunks: [Buffer.from(request(target, upgrade), 'latin1')],
  then: 'read',
})

function fuzzSuite(engine: 'embedded' | 'nginx') {
  const secret = randomBytes(24).toString('base64url')
  const tokens = new Tokens(secret, 'default')
  let node: ClusterNode
  let pid = 0
  const ports = {} as Record<PortKind, number | undefined>
  let publisher: NodeClient
  let viewer: NodeClient
  let pusher: Pusher
  let puller: ReturnType<typeof pullContinuously>
  let streamId = ''

  beforeAll(async () => {
    ensureBuilt()
    const args = ['--host', '127.0.0.1', `--secret=${secret}`, '--engine', engine]
    args.push('--log-level', 'warn')
    // Every fuzz connection comes from 127.0.0.1: the per-address limits are not under test.
    args.push('--max-sockets-per-address', '0', '--msg-rate-per-address', '0')
    // Ports bound as 0 by the process and read back (--ready-file).
    node = new ClusterNode(`fuzz-${engine}`, args, tokens)
    await node.start(30_000)
    const p = node.ports
    pid = node.pid
    ports.http = p.port
    ports.rtmp = p.rtmpPort
    const own = listeningPorts(pid)
    ports.flv = p.flvPort
    // The nginx engine's play edge: node-media-server's RTMP, in this process.
    if (engine === 'nginx') ports['play-rtmp'] = p.playRtmpPort
    // Any other port of the process is the nginx engine's hook listener (loopback HTTP).
    const others = own.filter((x) => ![p.port, p.rtmpPort, p.flvPort, p.playRtmpPort].includes(x))
    if (engine === 'nginx') {
      expect(others).toHaveLength(1)
      ports.hooks = others[0]
    } else expect(others).toEqual([])

    // A live conference: one member publishes real media, another plays it without a break.
    publisher = await nodeClient(node, 'pub')
    viewer = await nodeClient(node, 'viewer')
    await publisher.emedia.mgr.joinRoom({ roomName: 'under-fire' })
    await viewer.emedia.mgr.joinRoom({ roomName: 'under-fire' })
    const pub = await publisher.emedia.mgr.pubStream('cam')
    streamId = pub.data.streamId
    pusher = pushTestPattern(pub.data.rtmp, { width: 320, height: 180, fps: 10 })
    const added = () =>
      viewer.events('streamAdded').find(([s]) => (s as Stream).id === streamId)?.[0] as
        Stream | undefined
    await until(() => !!added(), 20_000, 'the viewer sees the stream')
    puller = pullContinuously(added()!.rtmp!)
    await until(() => puller.bytes() > 10_000, 20_000, 'media reaches the viewer')
  })

  afterAll(async () => {
    await Promise.all([publisher?.close(), viewer?.close()])
    await stopAllMedia()
    await node?.kill9()
  })

  /** The same process serves, nothing reached the last resort, the call goes on. */
  async function stillServing(what: string) {
    const fail = (why: string) => {
      throw new Error(
        `${engine}: ${why} after ${what} (seed ${SEED}; replay: CK_PORT_FUZZ_SEED=${SEED})\n` +
          `----- server output -----\n${node.output()}`,
      )
    }
    if (!node.running || node.pid !== pid) fail('the server process exited')
    const health = await node.health().catch((e: Error) => fail(`/healthz failed: ${e.message}`))
    if (health?.status !== 200) fail(`/healthz answered ${health?.status}`)
    if (/LAST RESORT/.test(node.output())) fail('the last-resort handler was called')
    if ((await node.metric('ck_last_resort_total')) !== 0) fail('ck_last_resort_total > 0')
    if (viewer.exits.length || !viewer.emedia.mgr.getConference()) fail('the viewer left')
    if (pusher.proc.exitCode !== null) fail(`the publisher's ffmpeg ended: ${pusher.stderr()}`)
    const before = puller.bytes()
    await until(() => puller.bytes() > before, 8000, 'media still reaching the viewer').catch(() =>
      fail(`the viewer stopped receiving media: ${puller.stderr()}`),
    )
  }

  async function batch(kind: PortKind, cases: PortCase[], what: string) {
    const port = ports[kind]!
    await sendAll(port, cases)
    // A crash that follows the close of a socket (node-media-server's FLV one) shows a bit later.
    await sleep(300)
    await stillServing(
      `${what} on the ${kind} port ${port}:\n  ${cases.map(showCase).join('\n  ')}`,
    )
  }

  test('finding 1: a target `new URL` cannot parse, plain and as an upgrade, is an answer', async () => {
    for (const target of FINDING_TARGETS.pages) {
      for (const upgrade of [false, true]) {
        const c = findingCase(target, upgrade)
        await batch('http', [c], c.name)
      }
    }
  })

  // Both engines: the nginx engine's play edge is node-media-server too.
  test('finding 2: a stream name node-media-server refuses, on the FLV port, is an answer', async () => {
    for (const target of FINDING_TARGETS.flv) {
      for (const upgrade of [false, true]) {
        const c = findingCase(target, upgrade)
        await batch('flv', [c], c.name)
      }
    }
  })

  const kinds: PortKind[] =
    engine === 'embedded' ? ['http', 'flv', 'rtmp'] : ['http', 'rtmp', 'hooks', 'flv', 'play-rtmp']
  for (const kind of kinds) {
    test(`seeded hostile bytes on the ${kind} port`, async () => {
      // One stream of cases per port and engine, so that each replays on its own.
      const r = prng(SEED ^ (kinds.indexOf(kind) + 1) ^ (engine === 'nginx' ? 0x100 : 0))
      const total = CASES || DEFAULT_CASES[kind]
      const started = Date.now()
      for (let done = 0; done < total; done += BATCH) {
        const cases = Array.from({ length: Math.min(BATCH, total - done) }, () => portCase(r, kind))
        await batch(kind, cases, `cases ${done + 1}-${done + cases.length}`)
      }
      console.log(`${engine} ${kind}: ${total} cases in ${Date.now() - started} ms (seed ${SEED})`)
    })
  }
}

describe('hostile bytes on every port: embedded engine', () => fuzzSuite('embedded'))
describeWithNginx('hostile bytes on every port: nginx engine', () => fuzzSuite('nginx'))
