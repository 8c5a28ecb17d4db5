// --public-url: the address clients reach a server by through its TLS proxy. What it accepts, and
// what the server makes of it: the signalling URL it gives out, the HTTP-FLV base members get
// (the proxy's origin, so that an https page may play it), and the Host a development server
// answers. The cluster's use of it (move, node list) is test/cluster/tls-drain.test.ts.
import { request } from 'http'
import { parsePublicUrl, publicFlvBase, publicUrls } from '../../server/public-url'
import { startServer } from '../../testkit/server'
import { useServer } from '../../testkit/server-suite'

describe('parsePublicUrl', () => {
  test.each([
    ['https://conf.example.com', 'https://conf.example.com'],
    ['https://conf.example.com:443/', 'https://conf.example.com'],
    ['https://Conf.Example.com:8443', 'https://conf.example.com:8443'],
    ['wss://conf.example.com:8443/ws', 'https://conf.example.com:8443'],
    ['wss://conf.example.com', 'https://conf.example.com'],
    ['http://10.0.0.5:8080', 'http://10.0.0.5:8080'],
    ['ws://[::1]:8080/ws', 'http://[::1]:8080'],
  ])('%s is the origin %s', (spec, origin) => {
    expect(parsePublicUrl(spec)!.origin).toBe(origin)
  })

  test('unset is null', () => expect(parsePublicUrl('')).toBeNull())

  test.each([
    'conf.example.com',
    'ftp://conf.example.com',
    'https://conf.example.com/conference',
    'https://conf.example.com/ws',
    'wss://conf.example.com/socket',
    'https://conf.example.com/?x=1',
    'https://conf.example.com/#top',
    'https://user:pw@conf.example.com',
  ])('%s is refused, naming the option', (spec) => {
    expect(() => parsePublicUrl(spec)).toThrow(/^--public-url: expected https:\/\/host\[:port\]/)
  })

  test('the URLs made from it', () => {
    const origin = parsePublicUrl('https://conf.example.com:8443')!
    expect(publicUrls(origin)).toEqual({
      http: 'https://conf.example.com:8443',
      ws: 'wss://conf.example.com:8443/ws',
    })
    expect(publicFlvBase(origin, 'live')).toBe('https://conf.example.com:8443/live')
  })
})

describe('a server with --public-url', () => {
  const suite = useServer({ dev: true, publicUrl: 'https://conf.example.com:8443' })

  test('gives clients its public URLs; its own listener stays where it is', () => {
    expect(suite.server.publicWsUrl).toBe('wss://conf.example.com:8443/ws')
    expect(suite.server.publicHttpUrl).toBe('https://conf.example.com:8443')
    expect(suite.server.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/)
  })

  test("members play HTTP-FLV through the proxy's origin; RTMP is the engine's own", async () => {
    const c = await suite.client('flv-viewer')
    await c.emedia.mgr.joinRoom({ roomName: 'public-url' })
    const pub = await c.emedia.mgr.pubStream('cam')
    const play = await c.emedia.mgr.subStream(pub.data.stream)
    expect(play.data.flv).toMatch(
      new RegExp(`^https://conf\\.example\\.com:8443/live/${pub.data.streamId}\\.flv\\?token=`),
    )
    expect(play.data.rtmp.startsWith(`${suite.server.engine.rtmpBase()}/`)).toBe(true)
  })

  test('in development mode it answers the public name as a Host, and no other', async () => {
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${suite.server.httpUrl}/healthz`, { headers: { host } }, (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        })
        req.on('error', reject)
        req.end()
      })
    expect(await get('conf.example.com:8443')).toBe(200)
    expect(await get('evil.example.com:8443')).toBe(421)
  })
})

test('a bad --public-url stops the start before anything listens', async () => {
  await expect(startServer({ publicUrl: 'https://conf.example.com/app' })).rejects.toThrow(
    '--public-url: expected https://host[:port]',
  )
})
