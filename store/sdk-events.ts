// The SDK's callbacks, turned into the store's state and events. The store is the one listener
// of the SDK; each handler is an action (the SDK calls it outside any), so what one callback
// changes reaches the components' bindings as one batch.
import { action } from 'mobx-miniprogram'
import type { Attrs, Member, RoleValue, Stream } from '../sdk/protocol'
import type { EmediaEventName, EmediaEvents, MediaUpdate, ReconnectedInfo } from '../sdk/events'
import type { Core } from './core'
import { applyExit } from './joining'
import { addStream, removeStream, takeSnapshot } from './roster'
import { canPublishRole } from './tiles'

/** Subscribes the store to the SDK; returns the functions that unsubscribe. */
export function listen(c: Core): Array<() => void> {
  const on = <K extends EmediaEventName>(
    name: K,
    handler: (c: Core, ...args: EmediaEvents[K]) => void,
  ) =>
    c.emedia.mgr.on(
      name,
      action(name, (...args: EmediaEvents[K]) => handler(c, ...args)),
    )
  return [
    on('memberJoined', onMemberJoined),
    on('memberExited', onMemberExited),
    on('memberUpdated', onMemberUpdated),
    on('streamAdded', onStreamAdded),
    on('streamRemoved', onStreamRemoved),
    on('mediaChanged', onMediaChanged),
    on('roleChanged', onRoleChanged),
    on('conferenceExit', applyExit),
    on('confrAttrsUpdated', onAttrsUpdated),
    on('reconnecting', onReconnecting),
    on('reconnected', onReconnected),
  ]
}

/** Callbacks count while we join and while we are in: a late one must not refill an exited store. */
function listening(c: Core): boolean {
  return c.store.status === 'joining' || c.store.inConference
}

function onMemberJoined(c: Core, member: Member): void {
  const { store } = c
  if (!listening(c)) return
  if (member.isSelf || member.id === store.self?.id) {
    store.self = member
    return
  }
  const known = store.members.has(member.id)
  store.members.set(member.id, member)
  // The SDK reports the members already there through memberJoined while we join: they come
  // with `join`; only later arrivals are `memberjoin`.
  if (!known && store.status !== 'joining') c.events.emit('memberjoin', { member })
}

function onMemberExited(c: Core, member: Member, reason?: unknown): void {
  const { store } = c
  if (!listening(c) || !store.members.has(member.id)) return
  const streamId = store.streamIdByMember.get(member.id)
  const stream = streamId ? store.streams.get(streamId) : undefined
  if (stream) removeStream(c, stream)
  store.members.delete(member.id)
  store.media.forgetMember(member.id)
  c.events.emit('memberexit', { member, reason })
}

/** Another member's role or nickname changed (our own role comes through roleChanged). */
function onMemberUpdated(c: Core, member: Member): void {
  if (listening(c) && c.store.members.has(member.id)) c.store.members.set(member.id, member)
}

function onStreamAdded(c: Core, stream: Stream): void {
  if (listening(c) && stream.memId !== c.store.self?.id) addStream(c, stream)
}

function onStreamRemoved(c: Core, stream: Stream): void {
  const known = c.store.streams.get(stream.id)
  if (listening(c) && known) removeStream(c, known)
}

function onMediaChanged(c: Core, stream: Stream, update?: MediaUpdate): void {
  const known = c.store.streams.get(stream.id)
  if (!listening(c) || !known) return
  const voff = update?.voff ?? stream.voff ?? known.voff
  const aoff = update?.aoff ?? stream.aoff ?? known.aoff
  if (voff !== known.voff || aoff !== known.aoff)
    c.store.streams.set(stream.id, { ...known, voff, aoff })
}

function onRoleChanged(c: Core, role: RoleValue, roleToken?: string): void {
  const { store } = c
  if (!listening(c) || !store.self) return
  store.self = { ...store.self, role }
  if (roleToken && store.conference) store.conference = { ...store.conference, roleToken }
  if (!canPublishRole(role)) {
    // The server withdrew our stream with the role.
    store.media.stopped(false)
  } else if (store.autoPublish && !store.local.streamId) {
    void store.publish()
  }
}

function onAttrsUpdated(c: Core, attrs: Attrs): void {
  if (listening(c)) c.store.attrs = { ...attrs }
}

function onReconnecting(c: Core): void {
  if (c.store.status === 'joined') c.store.status = 'reconnecting'
}

function onReconnected(c: Core, info?: ReconnectedInfo): void {
  const { store } = c
  if (!store.inConference) return
  store.status = 'joined'
  store.self = c.emedia.mgr.getSelf() ?? store.self
  takeSnapshot(c)
  const mine =
    info?.published?.find((p) => p.stream.id === store.local.streamId) ?? info?.published?.[0]
  if (mine) {
    // A fresh push URL; the native pusher is re-created so no stale session lingers.
    store.media.published(mine.stream.id, mine.rtmp, true)
  } else if (store.local.wantPublish && store.local.streamId) {
    store.media.stopped(true)
    void store.publish()
  }
  c.events.emit('reconnected', {})
}
