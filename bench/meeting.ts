// What running a meeting costs on the wire (protocol revision 6): one chat message and one
// mute-all in a room of 1,000 — the frames and bytes every member together receives, and how long
// until the last of them had it. Two rooms: COMMUNICATION where all 1,000 are talkers (mute-all
// tells each of them its hold: the worst case), and LIVE with a host and 999 audience (mute-all
// is one controlsChanged each; the audience hears its hold when it gets the stage).
import { type Log } from './signalling'
import { LOAD_OVERRIDES, ServerProc } from './server-proc'
import { nowMs, pool, round } from './stats'
import { sleep } from '../testkit/wait'
import { WireClient } from './wire'

export interface WireCost {
  /** Frames the members received (events and the caller's reply). */
  frames: number
  bytes: number
  /** Request sent → the last member had its frame. */
  ms: number
}

export interface MeetingCost {
  room: string
  members: number
  chat: WireCost
  muteAll: WireCost
}

/** Clients of revision 6 (a client that does not say gets none of the meeting's events). */
const REV = 'v=1&rev=6'

async function roomCost(log: Log, live: boolean, n: number): Promise<MeetingCost> {
  const srv = await ServerProc.start({
    ...LOAD_OVERRIDES,
    graceMs: 2000,
    maxConferenceMembers: Math.max(n, 16),
    // No heartbeats while 1,000 fill the room and while frames are counted: nothing else on the wire.
    heartbeatMs: 600000,
  })
  const url = `${srv.wsUrl}?${REV}`
  const clients: WireClient[] = []
  try {
    const host = await WireClient.connect(url)
    clients.push(host)
    const room = live
      ? { roomName: 'town-hall', type: 12, config: { maxAudienceCount: n } }
      : { roomName: 'all-hands', type: 10, config: { maxTalkerCount: n } }
    const joined = await host.call('join', room, srv.mint('host'))
    const confrId = joined.conference.confrId as string
    const others = await pool(Array.from({ length: n - 1 }), 100, async (_, i) => {
      const c = await WireClient.connect(url)
      await c.call('join', { roomName: room.roomName }, srv.mint(`m-${i}`), 60000)
      return c
    })
    clients.push(...others)
    // The arrivals' frames (and LIVE's counts) are over before anything is counted.
    await sleep(live ? 2500 : 1000)
    const measure = async (what: string, event: string, send: () => Promise<unknown>) => {
      const before = clients.map((c) => [c.received, c.bytes])
      let heard = 0
      let last = 0
      for (const c of others)
        c.on(event, (_data, at) => {
          heard++
          last = Math.max(last, at)
        })
      const t0 = nowMs()
      await send()
      const deadline = Date.now() + 30000
      while (heard < others.length && Date.now() < deadline) await sleep(5)
      // What follows the first frame (a mute-all's second one) arrives within the same turn.
      await sleep(300)
      if (heard < others.length) throw new Error(`${what}: ${heard}/${others.length} heard it`)
      const frames = clients.reduce((sum, c, i) => sum + c.received - before[i][0], 0)
      const bytes = clients.reduce((sum, c, i) => sum + c.bytes - before[i][1], 0)
      return { frames, bytes, ms: round(last - t0) }
    }
    const text = 'The next item is the budget; please look at page 3 before we start. '.repeat(2)
    const chat = await measure('chat', 'message', () =>
      host.call('sendMessage', { confrId, text: text.slice(0, 120) }),
    )
    const muteAll = await measure('mute-all', 'controlsChanged', () =>
      host.call('muteAll', { confrId, audio: true }),
    )
    const name = live ? `LIVE, host + ${n - 1} audience` : `COMMUNICATION, ${n} talkers`
    log(
      `  ${name}: chat ${chat.frames} frames ${round(chat.bytes / 1024, 1)} KiB (${chat.ms} ms); mute-all ${muteAll.frames} frames ${round(muteAll.bytes / 1024, 1)} KiB (${muteAll.ms} ms)`,
    )
    return { room: name, members: n, chat, muteAll }
  } finally {
    for (const c of clients) c.close()
    await srv.stop()
  }
}

/** One chat message and one mute-all in a room of `n`: COMMUNICATION, then LIVE. */
export async function meetingCosts(log: Log, n = 1000): Promise<MeetingCost[]> {
  return [await roomCost(log, false, n), await roomCost(log, true, n)]
}
