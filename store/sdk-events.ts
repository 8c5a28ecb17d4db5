// The one place the store connects to the SDK: each emedia callback becomes an action of the
// domain store it concerns (the SDK calls outside any action), so what one callback changes
// reaches the components' bindings as one batch. What spans both stores (a role change, a
// reconnect) is decided here.
import { action, runInAction } from 'mobx-miniprogram'
import { canPublish, type RoleValue } from 'miniprogram-conference-protocol'
import type { EmediaEventName, EmediaEvents, ReconnectedInfo } from '../sdk/events'
import type { ConferenceStore } from './root'

/** Subscribes the store to the SDK; returns the function that unsubscribes. */
export function connectSdk(root: ConferenceStore): () => void {
  const { session, meeting } = root
  const mgr = root.sdk.mgr
  const on = <K extends EmediaEventName>(name: K, handler: (...args: EmediaEvents[K]) => void) =>
    mgr.on(name, action(name, handler))
  const offs = [
    on('memberJoined', session.memberJoined),
    on('memberExited', session.memberExited),
    on('memberUpdated', session.memberUpdated),
    on('streamAdded', session.streamAdded),
    on('streamRemoved', (stream) => session.streamRemoved(stream.id)),
    on('mediaChanged', session.mediaChanged),
    on('roleChanged', (role, roleToken) => onRoleChanged(root, role, roleToken)),
    on('conferenceExit', session.exited),
    on('confrAttrsUpdated', session.attrsUpdated),
    on('memberCount', session.countChanged),
    on('reconnecting', session.reconnecting),
    on('reconnected', (info) => onReconnected(root, info)),
    on('mutedByHost', meeting.mutedChanged),
    on('handsChanged', meeting.setHands),
    on('controlsChanged', meeting.controlsChanged),
    on('speakInvitation', meeting.invited),
    on('speakInvitationAnswered', meeting.invitationAnswered),
    on('message', (message) => meeting.received(message)),
    on('roleDenied', meeting.denied),
  ]
  // The callbacks of one server message (a batch of arrivals, a join's snapshot) as one action:
  // the bindings react once to 50 arrivals, not 50 times.
  mgr.setCallbackBatcher?.(runInAction)
  return () => {
    mgr.setCallbackBatcher?.(null)
    for (const off of offs.splice(0)) off()
  }
}

function onRoleChanged(root: ConferenceStore, role: RoleValue, roleToken?: string): void {
  const { session, media } = root
  if (!session.listening || !session.self) return
  session.roleChanged(role, roleToken)
  if (!canPublish(role)) {
    // The server withdrew our stream with the role.
    media.stopped(false)
  } else if (media.autoPublish && !media.local.streamId) {
    void media.publish()
  }
}

function onReconnected(root: ConferenceStore, info?: ReconnectedInfo): void {
  const { session, media } = root
  if (!session.reconnected()) return
  const mine =
    info?.published?.find((p) => p.stream.id === media.local.streamId) ?? info?.published?.[0]
  if (mine) {
    // A fresh push URL; the native pusher is re-created so no stale session lingers.
    media.published(mine.stream.id, mine.rtmp, true)
  } else if (media.local.wantPublish && media.local.streamId) {
    media.stopped(true)
    void media.publish()
  }
  root.emit('reconnected', {})
}
