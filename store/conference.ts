// The conference store: the one listener of the SDK. It turns emedia callbacks into observable
// state and offers the actions the components need. Actions never reject: they resolve true /
// false, and a failure lands in `lastError` and the `error` event, so a tap handler needs no catch.
// Here: the state and what is derived from it. The actions: joining.ts, publishing.ts, admin.ts,
// component-events.ts; the SDK's callbacks: sdk-events.ts.
import { comparer, computed, makeAutoObservable, observable } from 'mobx-miniprogram'
import { ExitReason, Role } from '../sdk/protocol'
import type { Attrs, Conference, Member, Stream } from '../sdk/protocol'
import { AdminActions } from './admin'
import { ComponentEvents } from './component-events'
import { coreOf, createCore } from './core'
import { fail } from './errors'
import { JoinActions, REJOINABLE } from './joining'
import { MediaState, type PusherOptions } from './media-state'
import { PublishActions } from './publishing'
import { listen } from './sdk-events'
import { canPublishRole, tileIds, tileOf, type TileSource } from './tiles'
import type {
  ConnectionStatus,
  EmediaLike,
  KitError,
  LocalMedia,
  PermissionDenied,
  StoreEventName,
  StoreEvents,
  Tile,
} from './types'

export type { CreateOptions } from './joining'
export type { PusherOptions }

/** The actions, written in the files of their topic (mixed in at the end of this file). */
export interface ConferenceStore
  extends JoinActions, PublishActions, AdminActions, ComponentEvents {}

export class ConferenceStore implements TileSource {
  status: ConnectionStatus = 'idle'
  /** emedia `onConferenceExit` reason of the last exit (ExitReason), null before any. */
  exitReason: number | null = null
  /** emedia `failed` code of the last exit (0 for a normal hang-up). */
  exitCode: number | null = null
  conference: Conference | null = null
  self: Member | null = null
  attrs: Attrs = {}
  readonly members = observable.map<string, Member>({}, { deep: false })
  readonly streams = observable.map<string, Stream>({}, { deep: false })
  readonly streamIdByMember = observable.map<string, string>()
  /** Our pusher and the remote players (media-state.ts). */
  readonly media = new MediaState((error, action) => fail(coreOf(this), action, error))
  /** Publish as soon as the role allows it (after join, after a promotion). */
  autoPublish = false
  lastError: KitError | null = null

  private readonly unsubscribers: Array<() => void>

  constructor(emedia: EmediaLike) {
    // Not observable, kept off the public surface: the SDK, the emitter, the join plan (core.ts).
    const core = createCore(this, emedia)
    makeAutoObservable<ConferenceStore, 'unsubscribers'>(
      this,
      {
        unsubscribers: false,
        media: false,
        conference: observable.ref,
        self: observable.ref,
        attrs: observable.ref,
        lastError: observable.ref,
        tileIds: computed({ equals: comparer.structural }),
        // Plain methods: called inside bindings' reactions, they must track, not act.
        tileOf: false,
        on: false,
      },
      { autoBind: true },
    )
    this.unsubscribers = listen(core)
  }

  // ---- derived ----

  get local(): LocalMedia {
    return this.media.local
  }

  get plays() {
    return this.media.plays
  }

  get speaking() {
    return this.media.speaking
  }

  get permissionDenied(): PermissionDenied {
    return this.media.permissionDenied
  }

  /** How long a tile waits for media before it re-creates its native component. */
  get stallTimeoutMs(): number {
    return this.media.stallTimeoutMs
  }

  set stallTimeoutMs(ms: number) {
    this.media.stallTimeoutMs = ms
  }

  get inConference(): boolean {
    return this.status === 'joined' || this.status === 'reconnecting'
  }

  get canPublish(): boolean {
    return this.inConference && canPublishRole(this.self?.role)
  }

  get isAdmin(): boolean {
    return this.self?.role === Role.ADMIN
  }

  /** Tile ids in display order; equal arrays keep their identity so the grid does not re-render. */
  get tileIds(): string[] {
    return this.inConference ? tileIds(this) : []
  }

  get tiles(): Tile[] {
    return this.tileIds.map((id) => tileOf(this, id)).filter((t): t is Tile => !!t)
  }

  /** One tile, reading only that member's observables (what a tile component binds). */
  tileOf(memberId: string): Tile | undefined {
    return this.inConference ? tileOf(this, memberId) : undefined
  }

  /** The membership was lost (network, grace window) rather than ended: join again on show. */
  get needsRejoin(): boolean {
    return (
      this.status === 'exited' &&
      coreOf(this).plan !== null &&
      this.exitReason === ExitReason.FAILED &&
      REJOINABLE.has(this.exitCode ?? 0)
    )
  }

  on<K extends StoreEventName>(name: K, fn: (data: StoreEvents[K]) => void): () => void {
    return coreOf(this).events.on(name, fn as (data: StoreEvents[StoreEventName]) => void)
  }

  // ---- setup ----

  /** Passes server and identity options to the SDK (`emedia.config`); empty values are left out. */
  configure(options: Record<string, unknown>): boolean {
    const clean: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(options)) if (v !== undefined && v !== '') clean[k] = v
    const c = coreOf(this)
    try {
      c.emedia.config(clean)
      return true
    } catch (err) {
      return fail(c, 'configure', err)
    }
  }

  setAutoPublish(on: boolean): void {
    this.autoPublish = on
  }

  setPusherOptions(options: PusherOptions): void {
    this.media.setPusherOptions(options)
  }

  /** Stops listening to the SDK (a store made for one page). */
  dispose(): void {
    for (const off of this.unsubscribers) off()
    this.unsubscribers.length = 0
  }
}

// Each action is written once, in the file of its topic, as a method of a class there; the methods
// are copied onto the store's prototype (TypeScript's documented mixin pattern) before any store
// exists, so makeAutoObservable makes them bound actions exactly as the methods written above.
for (const mixin of [JoinActions, PublishActions, AdminActions, ComponentEvents]) {
  for (const name of Object.getOwnPropertyNames(mixin.prototype)) {
    if (name === 'constructor') continue
    const method = Object.getOwnPropertyDescriptor(mixin.prototype, name)!
    Object.defineProperty(ConferenceStore.prototype, name, method)
  }
}

export function createConferenceStore(emedia: EmediaLike): ConferenceStore {
  return new ConferenceStore(emedia)
}
