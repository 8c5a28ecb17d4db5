// The play edge's pull against a scripted RTMP origin (the unit under test is the edge; the
// origin is a script, so that what nginx-rtmp does only now and then happens every time): the
// status that starts the play, the metadata, the codec headers and the key frame arrive in one
// write, as nginx sends them to a pull joining a stream that is publishing. node-media-server's
// pull registers as the stream's publisher only after that status, so without the edge's care
// those first messages were lost and its players never got a decodable picture.
import { createServer, type Server, type Socket } from 'net'
import { encodeAmf0 } from '../../bench/amf0'
import { readFlvTags, testPatternFile, type FlvTag } from '../../bench/flv'
import { MSG, RtmpClient } from '../../bench/rtmp'
import { PlayEdge } from '../../server/media/play-edge'
import { Recorder } from '../../testkit/media-hooks'
import { until } from '../../testkit/wait'

jest.setTimeout(60_000)

/** One RTMP message as a single type-0 chunk (the script announces a chunk size that fits). */
function message(csid: number, type: number, streamId: number, ts: number, payload: Buffer) {
  const head = Buffer.alloc(12)
  head[0] = csid
  head.writeUIntBE(ts, 1, 3)
  head.writeUIntBE(payload.length, 4, 3)
  head[7] = type
  head.writeUInt32LE(streamId, 8)
  return Buffer.concat([head, payload])
}

/**
 * An RTMP server that answers connect, createStream and play, then sends `burst` in the same
 * write as NetStream.Play.Start. `plays` counts the plays it was asked for.
 */
async function scriptedOrigin(
  burst: Buffer,
): Promise<{ server: Server; port: number; plays: () => number }> {
  let plays = 0
  const server = createServer((socket: Socket) => {
    let buf = Buffer.alloc(0)
    let stage = 0
    const answered = new Set<string>()
    socket.on('error', () => socket.destroy())
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d])
      if (stage === 0 && buf.length >= 1537) {
        const c1 = buf.subarray(1, 1537)
        socket.write(Buffer.concat([Buffer.from([3]), Buffer.alloc(1536), c1]))
        buf = buf.subarray(1537)
        stage = 1
      }
      if (stage === 1 && buf.length >= 1536) {
        buf = buf.subarray(1536)
        stage = 2
        const size = Buffer.alloc(4)
        size.writeUInt32BE(65536)
        socket.write(message(2, MSG.setChunkSize, 0, 0, size))
      }
      if (stage !== 2) return
      const text = buf.toString('latin1')
      const once = (name: string, reply: () => Buffer) => {
        if (!text.includes(`\x02\x00${String.fromCharCode(name.length)}${name}`)) return
        if (answered.has(name)) return
        answered.add(name)
        socket.write(reply())
      }
      once('connect', () =>
        message(
          3,
          MSG.command,
          0,
          0,
          encodeAmf0(
            '_result',
            1,
            { fmsVer: 'script' },
            {
              level: 'status',
              code: 'NetConnection.Connect.Success',
            },
          ),
        ),
      )
      once('createStream', () => message(3, MSG.command, 0, 0, encodeAmf0('_result', 2, null, 1)))
      once('play', () => {
        plays++
        const start = encodeAmf0('onStatus', 0, null, {
          level: 'status',
          code: 'NetStream.Play.Start',
          description: 'Start live',
        })
        return Buffer.concat([message(5, MSG.command, 1, 0, start), burst])
      })
    })
  })
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  )
  return { server, port, plays: () => plays }
}

/** The test pattern's first tags: metadata, AVC and AAC sequence headers, a key frame, more. */
function opening(tags: FlvTag[]): Buffer {
  const first = tags.slice(0, 12)
  const csid = (t: FlvTag) => (t.type === MSG.audio ? 4 : t.type === MSG.video ? 6 : 5)
  // nginx-rtmp's empty audio message at the start of a pull that waited for its publisher.
  const empty = message(4, MSG.audio, 1, 0, Buffer.alloc(0))
  return Buffer.concat([empty, ...first.map((t) => message(csid(t), t.type, 1, t.ts, t.data))])
}

describe('play edge pull', () => {
  let edge: PlayEdge
  let origin: Awaited<ReturnType<typeof scriptedOrigin>>
  let tags: FlvTag[]

  beforeAll(async () => {
    tags = readFlvTags(await testPatternFile(20))
    origin = await scriptedOrigin(opening(tags))
    edge = new PlayEdge({ rtmpPort: 0, httpPort: null, logLevel: 'silent' })
    await edge.start(new Recorder())
  })
  afterAll(async () => {
    await edge?.stop()
    origin?.server.close()
  })

  it('keeps what arrives with the play status: a later player starts with the codec headers and the key frame', async () => {
    const sent = opening(tags)
    expect(sent.length).toBeLessThan(65536)
    edge.pull('s1', () => `rtmp://127.0.0.1:${origin.port}/live/s1?token=t`)
    await until(() => origin.plays() === 1, 10000)
    await new Promise((r) => setTimeout(r, 300))

    const { client, name } = await RtmpClient.open(`${edge.rtmpBase()}/s1?token=ok`)
    const video: Buffer[] = []
    const audio: Buffer[] = []
    client.onMedia = (m) => {
      if (m.type === MSG.video) video.push(m.payload)
      if (m.type === MSG.audio) audio.push(m.payload)
    }
    await client.play(name)
    try {
      await until(() => video.length >= 2, 5000)
      // AVC sequence header, then a key frame (frame type 1, AVC NALU).
      expect([video[0][0], video[0][1]]).toEqual([0x17, 0])
      expect([video[1][0] >> 4, video[1][1]]).toEqual([1, 1])
      // The AAC sequence header came first among the audio; no empty message.
      await until(() => audio.length >= 1, 5000)
      expect([audio[0][0] >> 4, audio[0][1]]).toEqual([10, 0])
      expect(audio.every((a) => a.length > 0)).toBe(true)
    } finally {
      client.close()
      edge.drop('s1')
    }
  })
})
