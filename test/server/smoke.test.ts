import { startServer, tokenFor } from '../helpers/server'
import { RawClient } from '../helpers/raw-client'
import { ConferenceServer } from '../../server/app'

let server: ConferenceServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(() => server.stop())

test('smoke', async () => {
  const a = await RawClient.connect(server.wsUrl)
  const r = await a.call('join', { roomName: 'r1' }, tokenFor(server, 'alice'))
  expect(r.result.self.role).toBe(7)
  const b = await RawClient.connect(server.wsUrl)
  const r2 = await b.call('join', { roomName: 'r1' }, tokenFor(server, 'bob'))
  expect(r2.result.self.role).toBe(3)
  const j = await a.event('memberJoined')
  expect(j.data.member.name).toBe('bob')
  a.close()
  b.close()
})
