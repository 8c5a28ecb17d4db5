// Conference attributes: set and delete by talkers and admins. Members hear of the change, not of
// the whole set: the changes of one window (--attrs-interval-ms) go out together in one
// `attrsChanged` frame, and a conference accepts at most --attrs-rate changes a second, so what
// one setAttrs costs the server is bounded by its own size, not by the set's. Clients before
// revision 3 know only `attrsUpdated` (the whole set); they get it, from the same merged flush.
import { ErrorCode } from 'miniprogram-conference-protocol'
import { RpcError } from '../rpc-error'
import { TokenBucket } from '../security/bucket'
import { checkAttrsSize } from '../security/quota'
import { flushArrivals } from './arrivals'
import { Frame } from './frames'
import { canPublish, type ConferenceState, type Peer } from './state'
import { type Caller, type P, type R, type ServiceContext } from './context'
import { membershipOf } from './lookups'

const MAX_ATTRS = 100
/** The revision from which a client takes attrsChanged and shorter replies. */
const DELTA_REV = 3

interface Pending {
  /** key → new value, or null when removed; in the order they changed. */
  changes: Map<string, string | null>
  timer: NodeJS.Timeout | null
  lastFlush: number
  bucket: TokenBucket
}

const pendingOf = new WeakMap<ConferenceState, Pending>()

const speaksDeltas = (peer: Peer | null | undefined) => (peer?.rev ?? 0) >= DELTA_REV

export function setAttrs(ctx: ServiceContext, caller: Caller, p: P<'setAttrs'>): R<'setAttrs'> {
  const { conf, member } = membershipOf(ctx, caller, p.confrId)
  if (!canPublish(member.role))
    throw new RpcError(ErrorCode.NO_RIGHTS, 'audience may not set attributes')
  if (!conf.attrs.has(p.key) && conf.attrs.size >= MAX_ATTRS)
    throw new RpcError(ErrorCode.SERVER_LIMIT, `at most ${MAX_ATTRS} attributes`)
  checkAttrsSize(conf.attrs, p.key, p.val)
  const pending = admitChange(ctx, conf)
  conf.attrs.set(p.key, p.val)
  return changed(ctx, conf, pending, caller, p.key, p.val)
}

export function deleteAttrs(
  ctx: ServiceContext,
  caller: Caller,
  p: P<'deleteAttrs'>,
): R<'deleteAttrs'> {
  const { conf, member } = membershipOf(ctx, caller, p.confrId)
  if (!canPublish(member.role))
    throw new RpcError(ErrorCode.NO_RIGHTS, 'audience may not set attributes')
  const pending = admitChange(ctx, conf)
  conf.attrs.delete(p.key)
  return changed(ctx, conf, pending, caller, p.key, null)
}

/** The conference's pending changes, or -429 when it is over its rate of changes. */
function admitChange(ctx: ServiceContext, conf: ConferenceState): Pending {
  let pending = pendingOf.get(conf)
  if (!pending) {
    const rate = () => ctx.config.attrsRate
    pending = { changes: new Map(), timer: null, lastFlush: 0, bucket: new TokenBucket(rate, rate) }
    pendingOf.set(conf, pending)
  }
  if (!pending.bucket.take())
    throw new RpcError(
      ErrorCode.RATE_LIMITED,
      `this conference's attributes change at most ${ctx.config.attrsRate} times a second`,
    )
  return pending
}

function changed(
  ctx: ServiceContext,
  conf: ConferenceState,
  pending: Pending,
  caller: Caller,
  key: string,
  val: string | null,
): { attrs?: Record<string, string> } {
  // A key changed twice in one window goes out once, with its last value.
  pending.changes.delete(key)
  pending.changes.set(key, val)
  if (!pending.timer) {
    const wait = Math.max(0, pending.lastFlush + ctx.config.attrsIntervalMs - Date.now())
    pending.timer = setTimeout(() => flush(conf, pending), wait)
    pending.timer.unref()
  }
  return speaksDeltas(caller.peer) ? {} : { attrs: conf.attrsObject() }
}

/** One frame per shape for the whole conference, serialised once. */
function flush(conf: ConferenceState, pending: Pending) {
  pending.timer = null
  pending.lastFlush = Date.now()
  const set: Record<string, string> = {}
  const removed: string[] = []
  for (const [k, v] of pending.changes)
    if (v === null) removed.push(k)
    else set[k] = v
  pending.changes.clear()
  flushArrivals()
  let delta: Frame | null = null
  let whole: Frame | null = null
  for (const m of conf.members.values()) {
    if (!m.peer) continue
    if (speaksDeltas(m.peer)) {
      delta ??= Frame.of('attrsChanged', { confrId: conf.id, set, removed })
      m.peer.sendFrame(delta)
    } else {
      whole ??= Frame.of('attrsUpdated', { confrId: conf.id, attrs: conf.attrsObject() })
      m.peer.sendFrame(whole)
    }
  }
}
