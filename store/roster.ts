// The others in the conference as the store holds them: members, their streams, each stream's
// playback. Called from the store's actions and SDK handlers, inside their action.
import { action } from 'mobx-miniprogram'
import type { Stream } from '../sdk/protocol'
import type { Core } from './core'
import { fail } from './errors'

/** Members and streams as the SDK holds them now (after join and after a reconnect). */
export function takeSnapshot(c: Core): void {
  const { store } = c
  const mgr = c.emedia.mgr
  const selfId = store.self?.id
  const members = mgr.getMembers().filter((m) => m.id !== selfId && !m.isSelf)
  for (const id of [...store.members.keys()]) {
    if (!members.some((m) => m.id === id)) store.members.delete(id)
  }
  for (const m of members) store.members.set(m.id, m)
  const streams = mgr.getStreams().filter((s) => s.memId !== selfId)
  for (const id of [...store.streams.keys()]) {
    const stream = store.streams.get(id)!
    if (!streams.some((s) => s.id === id)) removeStream(c, stream)
  }
  for (const s of streams) addStream(c, s)
}

export function addStream(c: Core, stream: Stream): void {
  const { store } = c
  store.streams.set(stream.id, stream)
  store.streamIdByMember.set(stream.memId, stream.id)
  store.media.addPlayback(stream.id, stream.rtmp ?? '')
  if (!stream.rtmp) void refreshPlayUrl(c, stream.memId)
}

export function removeStream(c: Core, stream: Stream): void {
  const { store } = c
  store.streams.delete(stream.id)
  store.media.dropPlayback(stream.id)
  if (store.streamIdByMember.get(stream.memId) === stream.id) {
    store.streamIdByMember.delete(stream.memId)
  }
}

/** ConferenceStore.refreshPlayUrl; also for a stream announced without a URL. */
export async function refreshPlayUrl(c: Core, memberId: string): Promise<boolean> {
  const streamId = c.store.streamIdByMember.get(memberId)
  if (!streamId) return false
  try {
    const { data } = await c.emedia.mgr.subStream(streamId, { refresh: true })
    applyPlayUrl(c, streamId, data.rtmp)
    return true
  } catch (err) {
    return fail(c, 'subscribe', err)
  }
}

// After the await: an action of its own.
const applyPlayUrl = action('applyPlayUrl', (c: Core, streamId: string, url: string): void => {
  if (c.store.streams.has(streamId)) c.store.media.setPlayUrl(streamId, url)
})
