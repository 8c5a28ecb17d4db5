// What the kit does about each live-pusher / live-player code (docs/status-codes.md is the
// readable form of these tables). Pure functions: the store records state from them, the tiles
// act on them.
import type { SoundLevel } from './types'

export type PusherAction =
  /** Media flows: the push is healthy. */
  | 'pushing'
  /** Progress on the way to pushing. */
  | 'progress'
  /** WeChat is retrying by itself. */
  | 'retrying'
  /** Retries exhausted / the server closed: restart the push ourselves (with backoff). */
  | 'restart'
  /** WeChat stopped the push (suspended, phone call): restart when the page shows again. */
  | 'suspended'
  /** Camera or microphone unusable: the push cannot work until the user fixes it. */
  | 'device'
  /** Informational. */
  | 'none'

/** Codes of live-pusher bindstatechange and what they mean to the kit (others: 'none'). */
export const PUSHER_CODES: Readonly<Record<number, PusherAction>> = {
  1001: 'progress',
  1002: 'pushing',
  1003: 'progress',
  1007: 'pushing',
  1008: 'progress',
  1102: 'retrying',
  [-1307]: 'restart',
  3001: 'restart',
  3002: 'restart',
  3003: 'restart',
  3004: 'restart',
  3005: 'restart',
  5000: 'suspended',
  5001: 'suspended',
  [-1301]: 'device',
  [-1302]: 'device',
  [-1303]: 'restart',
  [-1304]: 'restart',
  [-1305]: 'device',
  [-1306]: 'device',
}

export function pusherAction(code: number): PusherAction {
  return PUSHER_CODES[code] ?? 'none'
}

export type PlayerAction = 'playing' | 'progress' | 'retrying' | 'replay' | 'ended' | 'none'

/** Codes of live-player bindstatechange and what they mean to the kit (others: 'none'). */
export const PLAYER_CODES: Readonly<Record<number, PlayerAction>> = {
  2001: 'progress',
  2002: 'playing',
  2003: 'playing',
  2004: 'playing',
  2008: 'progress',
  2103: 'retrying',
  2006: 'ended',
  [-2301]: 'replay',
  [-2302]: 'replay',
  3001: 'replay',
  3002: 'replay',
  3003: 'replay',
  3004: 'replay',
  3005: 'replay',
}

export function playerAction(code: number): PlayerAction {
  return PLAYER_CODES[code] ?? 'none'
}

/** binderror codes of live-pusher that mean a permission the user refused. */
export const PERMISSION_ERRORS: Record<number, 'camera' | 'microphone'> = {
  10001: 'camera',
  10002: 'microphone',
}

/** Restarts of one kind before the kit escalates (fresh URL / re-mount). */
export const MAX_RESTARTS = 3

/** A native component that shows no sign of media this long is re-created. */
export const STALL_TIMEOUT_MS = 10000

/** Exponential backoff: 1 s, 2 s, 4 s … capped at 16 s. `attempt` counts from 0. */
export function backoffMs(attempt: number, baseMs = 1000, maxMs = 16000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt))
}

/** The fields of a live-pusher / live-player netstatus event the kit reads. */
export interface NetInfo {
  videoBitrate?: number
  audioBitrate?: number
  videoFPS?: number
  /** Network jitter in ms. */
  netJitter?: number
}

/** netstatus info with any bitrate means media is flowing. */
export function netInfoAlive(info: NetInfo | undefined): boolean {
  return !!info && ((info.videoBitrate ?? 0) > 0 || (info.audioBitrate ?? 0) > 0)
}

/**
 * Network quality of one netstatus event: 1 (bad) to 5 (excellent). No media flowing is 1; then a
 * point off for each sign of trouble: video under 15 fps (two under 8), jitter over 80 ms (two
 * over 200 ms). Audio alone with low jitter is 5.
 */
export function netQuality(info: NetInfo | undefined): 1 | 2 | 3 | 4 | 5 {
  if (!info || !netInfoAlive(info)) return 1
  let score = 5
  const fps = info.videoFPS
  if ((info.videoBitrate ?? 0) > 0 && fps !== undefined) score -= fps < 8 ? 2 : fps < 15 ? 1 : 0
  const jitter = info.netJitter ?? 0
  score -= jitter > 200 ? 2 : jitter > 80 ? 1 : 0
  return Math.max(1, score) as 1 | 2 | 3 | 4 | 5
}

/** audiovolumenotify volume (0–100) above which a member counts as speaking. */
export const SPEAKING_VOLUME = 20

/** The volume at which each bar of a name tag's sound meter lights (1–4 bars); under the first,
 * none: level 0 is exactly "not speaking". */
export const LEVEL_STEPS = [SPEAKING_VOLUME, 35, 50, 70] as const

/** The meter's bars for an audiovolumenotify volume. */
export function soundLevel(volume: number): SoundLevel {
  let level = 0
  for (const step of LEVEL_STEPS) if (volume >= step) level += 1
  return level as SoundLevel
}

/**
 * A tile's meter moves between lit levels at most once in this long. audiovolumenotify comes
 * several times a second for every pusher and player (WeChat sets its period, not us) and speech
 * crosses the steps on most of them: each change is a setData from the logic layer to the view,
 * so nine talkers would flood the bridge the video needs. Four frames a second still reads as a
 * live meter. Going silent or starting to speak (level 0 ↔ lit) is never held back: it is the
 * speaking state, which the ring and the active speaker follow at once.
 */
export const LEVEL_INTERVAL_MS = 250
