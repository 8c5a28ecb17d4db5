// The server process dies (kill -9) and a new one starts on the same ports. Nothing in memory
// survives, so resume must fail cleanly: clients get onConferenceExit(4, -9527), and tokens
// signed with the configured secret still let them rejoin.
import { type ChildProcess } from 'child_process'
import { randomBytes } from 'crypto'
import { mintUserToken } from '../../server/auth/tokens'
import { createEmedia, createNodeAdapter } from 'miniprogram-conference-server/client'
import { pushTestPattern, stopAllMedia } from '../../testkit/ffmpeg'
import { ensureBuilt, healthy, type ServerPorts, spawnServer } from '../../testkit/server-process'
import { until } from '../../testkit/wait'

const children = new Set<ChildProcess>()

/**
 * `conference-server` (the package's bin) with a fixed secret (as `--secret=…`: a random one may start
 * with "-"), on ports it picks (null) or on the same ports again; resolves once /healthz answers.
 */
async function startChild(
  ports: ServerPorts | null,
  secret: string,
): Promise<{ proc: ChildProcess; ports: ServerPorts }> {
  const args = ['--host', '127.0.0.1', `--secret=${secret}`, '--log-level', 'warn']
  const { proc, ready } = await spawnServer({ args, ports, timeoutMs: 10000 })
  children.add(proc)
  proc.on('exit', () => children.delete(proc))
  const bound = { port: ready.port, rtmpPort: ready.rtmpPort, flvPort: ready.flvPort ?? 0 }
  await healthy(proc, ready.httpUrl, 10000)
  return { proc, ports: bound }
}

function killed(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve()
    proc.once('exit', () => resolve())
    proc.kill('SIGKILL')
  })
}

function phone(url: string, token: string) {
  const adapter = createNodeAdapter()
  const emedia = createEmedia({ adapter, config: { host: url, token, logLevel: 'silent' } })
  const exits: Array<[number, number]> = []
  const added: string[] = []
  emedia.mgr.on('conferenceExit', (reason, failed) => exits.push([reason, failed]))
  emedia.mgr.on('streamAdded', (s) => added.push(s.id))
  return { emedia, exits, added }
}

beforeAll(() => ensureBuilt(), 120000)

afterAll(async () => {
  await stopAllMedia()
  await Promise.all([...children].map(killed))
})

test('kill -9 and restart on the same ports: clear exit (4, -9527), same tokens rejoin, media works', async () => {
  const secret = randomBytes(24).toString('base64url')
  const { proc: first, ports } = await startChild(null, secret)
  const url = `ws://127.0.0.1:${ports.port}/ws`
  // Minted before the restart, by the app's backend.
  const token = (userId: string) =>
    mintUserToken({ secret, appId: 'default', userId, ttlSec: 3600 })
  const ann = phone(url, token('ann'))
  const bob = phone(url, token('bob'))
  await ann.emedia.mgr.joinRoom({ roomName: 'restart' })
  await bob.emedia.mgr.joinRoom({ roomName: 'restart' })
  await ann.emedia.mgr.pubStream('cam')

  await killed(first)
  const downAt = Date.now()
  await startChild(ports, secret)
  const upMs = Date.now() - downAt
  await until(() => ann.exits.length + bob.exits.length === 2, 15000, 'both clients told')
  const toldMs = Date.now() - downAt
  expect(ann.exits).toEqual([[4, -9527]])
  expect(bob.exits).toEqual([[4, -9527]])

  const conf = await ann.emedia.mgr.joinRoom({ roomName: 'restart' })
  await bob.emedia.mgr.joinRoom({ roomName: 'restart' })
  expect(bob.emedia.mgr.getConference()!.confrId).toBe(conf.confrId)
  const pub = await ann.emedia.mgr.pubStream('cam')
  const pusher = pushTestPattern(pub.data.rtmp)
  await until(() => bob.added.includes(pub.data.streamId), 15000, 'the stream on the new server')
  await pusher.stop()
  await Promise.all([ann.emedia.mgr.disconnect(), bob.emedia.mgr.disconnect()])
  process.stdout.write(
    `[reliability] restart: new server up after ${upMs} ms, clients told (4, -9527) after ${toldMs} ms\n`,
  )
})
