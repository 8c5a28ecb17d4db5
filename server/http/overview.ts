// GET /api/state: the operator console's live view, every conference this node hosts with its
// members and streams (each live stream with a play URL), and the node's health.
import { holdOf } from '../conference/controls'
import { type ConferenceState, type StreamState, SYSTEM_MEMBER } from '../conference/state'
import { type ConferenceService } from '../conference/service'
import { type ServerConfig } from '../config'
import { type Ingest } from '../media/ingest'
import { VERSION } from '../version'

export interface OverviewDeps {
  config: ServerConfig
  service: ConferenceService
  ingest: Ingest
  engineName: string
  /** Media jobs (recordings, mixes) running now. */
  mediaJobs(): number
}

const startedAt = Date.now()

/** The room's mix is 'mix'; a talker's mix-minus says whose voice it leaves out. */
function mixName(c: ConferenceState, s: StreamState): string {
  if (s.mixFor === undefined) return 'mix'
  return `mix − ${c.members.get(s.mixFor)?.nickName || s.mixFor}`
}

export function overview(deps: OverviewDeps) {
  const { service, ingest } = deps
  const uploading = new Set([...ingest.uploads.values()].map((u) => u.memberId))
  const conferences = [...service.conferences.values()].map((c) => {
    const members = [...c.members.values()].map((m) => {
      const cam = c.streamsOf(m.id).find((s) => s.type === 'normal')
      const device = uploading.has(m.id)
        ? 'web'
        : typeof m.ext.device === 'string'
          ? m.ext.device.slice(0, 32)
          : ''
      return {
        id: m.id,
        userId: m.userId,
        nickName: m.nickName,
        role: m.role,
        device,
        voff: cam?.voff ?? null,
        aoff: cam?.aoff ?? null,
        state: m.peer ? 'connected' : 'resuming',
        ext: m.ext,
        /** Revision 6: the host holds its microphone (camera) off; its hand is up. */
        heldAudio: holdOf(c, m).audio,
        heldVideo: holdOf(c, m).video,
        hand: c.meeting.hands.has(m.id),
      }
    })
    const streams = [...c.streams.values()].map((s) => ({
      id: s.id,
      memberId: s.memberId,
      nickName: c.members.get(s.memberId)?.nickName ?? (s.type === 'mix' ? mixName(c, s) : ''),
      type: s.type,
      voff: s.voff,
      aoff: s.aoff,
      live: s.publishSession !== null,
      // Played as the server's own member: the operator is no member of the room.
      flv: s.publishSession ? service.signedUrls('play', c, SYSTEM_MEMBER, s.id).flv : undefined,
    }))
    return {
      confrId: c.id,
      name: c.name,
      type: c.type,
      createdAt: c.createdAt,
      rec: c.rec,
      recMerge: c.recMerge,
      locked: c.meeting.locked,
      muteAll: c.meeting.muteAll,
      members,
      streams,
    }
  })
  return {
    health: {
      ok: true,
      version: VERSION,
      engine: deps.engineName,
      dev: deps.config.dev,
      uptimeSec: Math.round((Date.now() - startedAt) / 1000),
      ...service.stats(),
      ingests: ingest.uploads.size,
      mediaJobs: deps.mediaJobs(),
      rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    },
    conferences,
  }
}
