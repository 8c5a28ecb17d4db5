// The server's event frames at the byte level: a Frame's wire bytes are the WebSocket text frame a
// client reads (decoded by ws's own receiver, at each of the three header sizes), and a turn's
// arrivals are cut into batches of MAX_BATCH, in join order, whoever asks from where.
import type { Writable } from 'stream'
import WebSocket from 'ws'
import { ArrivalFrames, Frame, MAX_BATCH } from '../../server/conference/frames'

/** What a client's receiver makes of `bytes`: the text messages, in order. */
function decode(bytes: Buffer): Promise<string[]> {
  const { Receiver } = WebSocket as unknown as {
    Receiver: new (o: { isServer: boolean; maxPayload: number }) => Writable
  }
  const receiver = new Receiver({ isServer: false, maxPayload: 0 })
  const out: string[] = []
  receiver.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) throw new Error('a binary frame')
    out.push(data.toString())
  })
  return new Promise((resolve, reject) => {
    receiver.on('error', reject)
    receiver.write(bytes, () => resolve(out))
  })
}

test('a frame is the text frame a client reads, with a 2-, 4- or 10-byte header', async () => {
  // UTF-8 of 1 to 4 bytes a character: the header counts bytes, not characters.
  const texts = ['{"a":1}', `{"s":"${'会议'.repeat(60)}"}`, `{"s":"${'é😀x'.repeat(12000)}"}`]
  expect(texts.map((t) => Buffer.byteLength(t) >= 126)).toEqual([false, true, true])
  expect(Buffer.byteLength(texts[2])).toBeGreaterThanOrEqual(65536)
  const frames = texts.map((t) => new Frame(t))
  expect(frames.map((f) => f.wire.length - Buffer.byteLength(f.text))).toEqual([2, 4, 10])
  expect(await decode(Buffer.concat(frames.map((f) => f.wire)))).toEqual(texts)
  // Made once, the same bytes for every receiver.
  expect(frames[1].wire).toBe(frames[1].wire)
})

describe('arrivals of one turn', () => {
  const n = 2 * MAX_BATCH + 22
  const views = Array.from({ length: n }, (_, i) =>
    JSON.stringify({ id: `MS_${i}`, name: `u${i}` }),
  )
  const idsIn = (f: Frame) => {
    const { event, data } = JSON.parse(f.text)
    return event === 'memberJoined'
      ? [data.member.id]
      : data.members.map((m: { id: string }) => m.id)
  }
  const ids = (from: number) => views.slice(from).map((_, i) => `MS_${from + i}`)

  test('a member there before gets every arrival, in join order, MAX_BATCH to a frame', () => {
    const frames = new ArrivalFrames('CF_x', views).framesFor(5, 0)
    expect(frames.map((f) => idsIn(f).length)).toEqual([MAX_BATCH, MAX_BATCH, 22])
    expect(frames.flatMap(idsIn)).toEqual(ids(0))
    expect(frames.every((f) => JSON.parse(f.text).event === 'membersJoined')).toBe(true)
  })

  test('a joiner of the turn gets those after it; later batches are the frames the others get', () => {
    const arrivals = new ArrivalFrames('CF_x', views)
    const all = arrivals.framesFor(5, 0)
    for (const from of [1, 10, MAX_BATCH - 2, MAX_BATCH, MAX_BATCH + 5, n - 2]) {
      const frames = arrivals.framesFor(5, from)
      expect(frames.flatMap(idsIn)).toEqual(ids(from))
      // Its own batch's rest first, then whole batches shared with everyone.
      for (const f of frames.slice(1)) expect(all).toContain(f)
    }
    // The last of a batch hears of the one after it alone: the frame every revision knows.
    const edge = arrivals.framesFor(5, MAX_BATCH - 1)
    expect(JSON.parse(edge[0].text).event).toBe('memberJoined')
    expect(arrivals.framesFor(5, n - 1).map((f) => JSON.parse(f.text).event)).toEqual([
      'memberJoined',
    ])
    expect(arrivals.framesFor(5, n)).toEqual([])
  })

  test("what every joiner's frames hold grows with arrivals × MAX_BATCH, not arrivals²", () => {
    const arrivals = new ArrivalFrames('CF_x', views)
    const distinct = new Set<Frame>()
    for (let from = 0; from < n; from++)
      for (const f of arrivals.framesFor(5, from)) distinct.add(f)
    const members = [...distinct].reduce((sum, f) => sum + idsIn(f).length, 0)
    expect(members).toBeLessThanOrEqual(n * MAX_BATCH)
  })

  test('an older client gets one memberJoined per arrival, in order', () => {
    const frames = new ArrivalFrames('CF_x', views).framesFor(4, 3)
    expect(frames).toHaveLength(n - 3)
    expect(frames.map((f) => JSON.parse(f.text).event)).toEqual(Array(n - 3).fill('memberJoined'))
    expect(frames.flatMap(idsIn)).toEqual(ids(3))
  })
})
