// The conference store: a root holding its domain stores, as MobX recommends — `session` (the
// membership: status, conference, members, streams; join, leave, admin), `media` (our pusher,
// the remote players; publish and toggles), `meeting` (the host's controls, hands, chat) and
// `screen` (what this phone's screen chooses for itself: audio route, mutes on this phone,
// mirror, the call's clock). The root owns what spans them: the tiles, the errors
// and events, and the one connection to the SDK (sdk-events.ts). Actions never reject: they
// resolve true / false, and a failure lands in `lastError` and the `error` event.
import { comparer, computed, makeAutoObservable, observable } from 'mobx-miniprogram'
import { Emitter } from '../sdk/emitter'
import { createLogger } from '../sdk/logger'
import { ErrorCode } from 'miniprogram-conference-protocol'
import { toKitError } from './errors'
import { MediaStore } from './media'
import { MeetingStore } from './meeting'
import { ScreenStore } from './screen'
import { connectSdk } from './sdk-events'
import { SessionStore } from './session'
import { featuredTileId, tileIds, tileOf } from './tiles'
import type {
  EmediaLike,
  KitError,
  StoreEventArgs,
  StoreEventName,
  StoreEvents,
  Tile,
} from './types'

export class ConferenceStore {
  readonly session: SessionStore
  readonly media: MediaStore
  /** Revision 6: the host's controls, hands, invitations to speak, chat, the member panel. */
  readonly meeting: MeetingStore
  readonly screen: ScreenStore
  lastError: KitError | null = null

  /** The SDK this store listens to; the domain stores call it through here. */
  readonly sdk: EmediaLike
  private readonly events = new Emitter<StoreEventArgs>(createLogger('warn', '[conference-kit]'))
  private readonly disconnect: () => void

  constructor(emedia: EmediaLike) {
    if (!emedia || !emedia.mgr || typeof emedia.mgr.on !== 'function') {
      throw new TypeError('createConferenceStore(emedia): emedia with mgr.on(...) is required')
    }
    this.sdk = emedia
    this.session = new SessionStore(this)
    this.media = new MediaStore(this)
    this.meeting = new MeetingStore(this)
    this.screen = new ScreenStore(this)
    makeAutoObservable<ConferenceStore, 'events' | 'disconnect'>(
      this,
      {
        session: false,
        media: false,
        meeting: false,
        screen: false,
        sdk: false,
        events: false,
        disconnect: false,
        lastError: observable.ref,
        tileIds: computed({ equals: comparer.structural }),
        // Plain methods: called inside bindings' reactions, they must track, not act.
        tileOf: false,
        on: false,
        emit: false,
      },
      { autoBind: true },
    )
    this.disconnect = connectSdk(this)
  }

  /** Tile ids in display order; equal arrays keep their identity so the grid does not re-render. */
  get tileIds(): string[] {
    return this.session.inConference ? tileIds(this) : []
  }

  get tiles(): Tile[] {
    return this.tileIds.map((id) => tileOf(this, id)).filter((t): t is Tile => !!t)
  }

  /** One tile, reading only that tile's observables (what a tile component binds). */
  tileOf(id: string): Tile | undefined {
    return this.session.inConference ? tileOf(this, id) : undefined
  }

  /** The tile to show large: a shared screen, else the server's mix; '' when neither. */
  get featuredTileId(): string {
    return this.session.inConference ? featuredTileId(this) : ''
  }

  on<K extends StoreEventName>(name: K, fn: (data: StoreEvents[K]) => void): () => void {
    return this.events.on(name, fn as (data: StoreEvents[StoreEventName]) => void)
  }

  emit<K extends StoreEventName>(name: K, data: StoreEvents[K]): void {
    this.events.emit(name, ...([data] as StoreEventArgs[K]))
  }

  /** Passes server and identity options to the SDK (`emedia.config`); empty values are left out. */
  configure(options: Record<string, unknown>): boolean {
    const clean: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(options)) if (v !== undefined && v !== '') clean[k] = v
    try {
      this.sdk.config(clean)
      return true
    } catch (err) {
      return this.fail('configure', err)
    }
  }

  /** Records the failure of the action `name`; false is what that action resolves with. */
  fail(name: string, err: unknown): false {
    const error = toKitError(err, name)
    this.lastError = error
    this.emit('error', error)
    return false
  }

  /** Bad input or a wrong moment, refused before the SDK is asked. */
  reject(name: string, message: string, code: number = ErrorCode.BAD_REQUEST): Promise<false> {
    return Promise.resolve(this.fail(name, { code, message }))
  }

  /** Stops listening to the SDK (a store made for one page). */
  dispose(): void {
    this.disconnect()
  }
}

export function createConferenceStore(emedia: EmediaLike): ConferenceStore {
  return new ConferenceStore(emedia)
}
