// Big rooms on one server process (issue 11): 1,000 simultaneous joins into one room, a LIVE
// room filled by 10,000 joins, streamAdded fanned out to 2,000 members (one frame for all), and
// what one chat message and one mute-all cost in a room of 1,000 (meeting.ts).
// Each against a fresh server child, as the signalling section does.
import { type MeetingCost, meetingCosts } from './meeting'
import { fanOut, type FanOut, joinLatency, type JoinLatency, type Log } from './signalling'
import { cpuPlan, pin } from './load-gen'
import { machineLoad, type MachineLoad } from './machine-load'
import { cpuMs } from '../testkit/procs'
import { LOAD_OVERRIDES, ServerProc } from './server-proc'
import { nowMs, pool, round, summarize, type Summary } from './stats'
import { WireClient } from './wire'

export interface LiveFill {
  members: number
  /** Sockets opened before the joins (not part of the fill). */
  connectMs: number
  /** First join sent → last join answered. */
  fillMs: number
  join: Summary
  /** What the joiners heard while the room filled (LIVE: counts, not each arrival). */
  eventsPerMember: number
}

/** Joins into one room, the server's CPU for them, and how busy the machine was meanwhile. */
export interface OneRoomJoins extends JoinLatency {
  serverCpuMs: number
  machine: MachineLoad
}

export interface BigRoom {
  /** 1,000 joins sent at once into one room: COMMUNICATION (as the signalling section) and LIVE. */
  joins: OneRoomJoins[]
  liveFill: LiveFill
  fanOut: FanOut
  /** One chat message and one mute-all in a room of `meeting` members. */
  meeting: MeetingCost[]
}

const LIVE = 12

/** `n` sockets, then `n` audience joins into one new LIVE room, all sent at once. */
export async function liveFill(log: Log, n = 10000): Promise<LiveFill> {
  const srv = await ServerProc.start({
    ...LOAD_OVERRIDES,
    maxConferenceMembers: n + 1,
    graceMs: 2000,
  })
  const clients: WireClient[] = []
  try {
    const owner = await WireClient.connect(srv.wsUrl)
    clients.push(owner)
    const room = { roomName: 'town-hall', type: LIVE, config: { maxAudienceCount: n } }
    await owner.call('join', room, srv.mint('host'))
    const tokens = Array.from({ length: n }, (_, i) => srv.mint(`aud-${i}`))
    const c0 = nowMs()
    clients.push(...(await pool(tokens, 100, () => WireClient.connect(srv.wsUrl))))
    const connectMs = round(nowMs() - c0)
    log(`  ${n} sockets open after ${connectMs} ms; joining all at once`)
    const joinMs: number[] = []
    const t0 = nowMs()
    await Promise.all(
      tokens.map((token, i) => {
        const sent = nowMs()
        return clients[i + 1]
          .call('join', { roomName: 'town-hall' }, token, 60000)
          .then(() => joinMs.push(nowMs() - sent))
      }),
    )
    const fillMs = round(nowMs() - t0)
    const events = clients.slice(1).reduce((s, c) => s + c.events, 0)
    return {
      members: n + 1,
      connectMs,
      fillMs,
      join: summarize(joinMs),
      eventsPerMember: round(events / n, 2),
    }
  } finally {
    for (const c of clients) c.close()
    await srv.stop()
  }
}

/** `n` (1,000) simultaneous joins into one room, COMMUNICATION then LIVE. */
async function thousandJoins(log: Log, n = 1000): Promise<OneRoomJoins[]> {
  const out: OneRoomJoins[] = []
  for (const type of [10, LIVE]) {
    const srv = await ServerProc.start({ ...LOAD_OVERRIDES, graceMs: 1000 })
    pin(srv.pid, cpuPlan().server)
    try {
      const tag = type === LIVE ? 'live' : 'comm'
      const machine = machineLoad()
      const cpu0 = cpuMs(srv.pid)
      const { result, close } = await joinLatency(srv, tag, n, n, { type })
      // The server's CPU for the joins (and its socket opens): what a quieter box would wait on.
      const serverCpuMs = round(cpuMs(srv.pid) - cpu0)
      result.layout = `${result.layout} (${type === LIVE ? 'LIVE' : 'COMMUNICATION'})`
      const load = machine()
      log(
        `  ${n} joins at once, ${result.layout}: p50 ${result.join.p50} ms p99 ${result.join.p99} ms, server CPU ${serverCpuMs} ms (${result.loadGen}; machine ${load.busyPct} % busy, load ${load.loadAvg.join(' → ')})`,
      )
      out.push({ ...result, serverCpuMs, machine: load })
      await close()
    } finally {
      await srv.stop()
    }
  }
  return out
}

export interface BigRoomSizes {
  /** Joins sent at once into one room (COMMUNICATION, then LIVE). */
  joins: number
  liveFill: number
  fanOut: number
  meeting: number
}

export const BIG_ROOM_SIZES: BigRoomSizes = {
  joins: 1000,
  liveFill: 10000,
  fanOut: 2000,
  meeting: 1000,
}

export async function bigRoom(log: Log, sizes: BigRoomSizes = BIG_ROOM_SIZES): Promise<BigRoom> {
  const joins = await thousandJoins(log, sizes.joins)
  const fill = await liveFill(log, sizes.liveFill)
  log(`  LIVE room of ${fill.members} filled by ${fill.members - 1} joins in ${fill.fillMs} ms`)
  const fan = await fanOut(log, sizes.fanOut)
  const meeting = await meetingCosts(log, sizes.meeting)
  return { joins, liveFill: fill, fanOut: fan, meeting }
}
