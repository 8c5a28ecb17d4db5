// A cluster of servers, seen by the SDK: the `move` event sends it to another server where it
// resumes (no exit); a lost server is replaced by the next of JoinResult.nodes.
import { CONFR, FakeServer, joinResult, member, SILENT, stream } from './fake-server'
import { testClient } from './test-client'
import { sleep, until } from '../../testkit/wait'

let a: FakeServer
let b: FakeServer
let c: ReturnType<typeof testClient>
const exits: unknown[][] = []

beforeEach(async () => {
  exits.length = 0
  a = await FakeServer.start()
  b = await FakeServer.start()
  for (const f of [a, b]) f.handle('resume', () => ({ ...joinResult(), published: [] }))
  a.handle('join', () => ({ ...joinResult(), nodes: [b.url] }))
  c = testClient(a)
  c.mgr.onConferenceExit = (reason, failed) => exits.push([reason, failed])
  await c.mgr.joinConference(CONFR, '')
})
afterEach(async () => {
  await c?.mgr.disconnect()
  await a.stop()
  await b.stop()
})

test('move {url}: the SDK leaves this server, resumes on the one named, and is told reconnected', async () => {
  const reconnected = new Promise((r) => (c.mgr.onReconnected = r))
  a.push('move', { reason: 'server shutting down', url: b.url })
  const resume = await b.next('resume')
  expect(resume.params).toMatchObject({ confrId: CONFR, memberId: 'ME' })
  await reconnected
  expect(a.requests('resume')).toHaveLength(0)
  expect(c.mgr.getConnectionState()).toBe('joined')
  expect(exits).toEqual([])
})

test('a server that is gone: the next attempt goes to another server of JoinResult.nodes', async () => {
  await a.stop()
  const resume = await b.next('resume')
  expect(resume.params).toMatchObject({ confrId: CONFR, memberId: 'ME' })
  await sleep(50)
  expect(c.mgr.getConnectionState()).toBe('joined')
  expect(exits).toEqual([])
})

test('nodesChanged: a server that joined the cluster after us is where we fail over to', async () => {
  await c.mgr.disconnect()
  a.handle('join', () => ({ ...joinResult(), nodes: [] }))
  c = testClient(a)
  await c.mgr.joinConference(CONFR, '')
  a.push('nodesChanged', { nodes: [b.url] })
  await sleep(50)
  await a.stop()
  const resume = await b.next('resume')
  expect(resume.params).toMatchObject({ confrId: CONFR, memberId: 'ME' })
})

test('a move that lands as a resume succeeds: the SDK resumes again where it is sent (no wedge)', async () => {
  // b answers the resume and, in the same breath, tells the client to go back to a: the move
  // reaches a client that has just become joined while its reconnect attempt is still returning.
  b.handle('resume', (req) => {
    req.socket.send(JSON.stringify({ id: req.id, result: { ...joinResult(), published: [] } }))
    req.socket.send(JSON.stringify({ event: 'move', data: { reason: 'moved', url: a.url } }))
    return SILENT
  })
  a.push('move', { reason: 'server shutting down', url: b.url })
  await b.next('resume')
  const back = await a.next('resume')
  expect(back.params).toMatchObject({ confrId: CONFR, memberId: 'ME' })
  await until(() => c.mgr.getConnectionState() === 'joined', 3000, 'joined on a again')
  expect(exits).toEqual([])
})

test('move outside a conference is ignored', async () => {
  await c.mgr.exitConference()
  a.push('move', { reason: 'x', url: b.url })
  await sleep(100)
  expect(b.requests('resume')).toHaveLength(0)
})

test('after a move, a stream now played from another engine is withdrawn and announced again; a fresh signature alone is no change', async () => {
  const bob = member('BOB')
  const carol = member('CAROL')
  // Joined with S-BOB and S-CAROL on engine "media"; the new server plays S-BOB from "media2".
  b.handle('resume', () => ({
    ...joinResult(),
    members: [member('ME'), bob, carol],
    streams: [
      stream('S-BOB', bob, { rtmp: 'rtmp://media2/live/S-BOB?token=new' }),
      stream('S-CAROL', carol, { rtmp: 'rtmp://media/live/S-CAROL?token=new' }),
    ],
    published: [],
  }))
  await c.mgr.disconnect()
  c = testClient(a)
  a.handle('join', () => ({
    ...joinResult(),
    members: [member('ME'), bob, carol],
    streams: [stream('S-BOB', bob), stream('S-CAROL', carol)],
    nodes: [b.url],
  }))
  await c.mgr.joinConference(CONFR, '')
  const reconnected = new Promise((r) => (c.mgr.onReconnected = r))
  a.push('move', { reason: 'conference moved', url: b.url })
  await reconnected
  const changes = c.log
    .filter(([name]) => name === 'streamRemoved' || name === 'streamAdded')
    .map(([name, s]) => [name, (s as { id: string; rtmp: string }).id])
  expect(changes.slice(-2)).toEqual([
    ['streamRemoved', 'S-BOB'],
    ['streamAdded', 'S-BOB'],
  ])
  expect(changes.filter(([, id]) => id === 'S-CAROL')).toEqual([['streamAdded', 'S-CAROL']])
})
