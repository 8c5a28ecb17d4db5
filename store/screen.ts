// What this phone's screen chooses for itself, apart from the meeting: where the others' sound
// comes out (speaker or earpiece), whom this phone does not play (a mute on this phone only),
// whether my camera is shown mirrored, and since when the call runs here. Nothing of it goes to
// the server; the meeting's own state (members, hands, chat, host mutes) is the session's.
import { makeAutoObservable, observable } from 'mobx-miniprogram'
import { ConfrType } from 'miniprogram-conference-protocol'
import type { ConferenceStore } from './root'

/** live-player `sound-mode`: the loudspeaker, or the earpiece held to the ear. */
export type SoundMode = 'speaker' | 'ear'

/** live-pusher `local-mirror`: 'auto' mirrors the front camera only. */
export type LocalMirror = 'auto' | 'enable' | 'disable'

export class ScreenStore {
  soundMode: SoundMode = 'speaker'
  /** Tile ids this phone does not play (the others still hear them). */
  readonly localMutes = observable.set<string>()
  localMirror: LocalMirror = 'auto'
  /** What the others see: mirrored or not (live-pusher `remote-mirror`). */
  remoteMirror = false
  /** When this membership began here (ms since the epoch), 0 when not in a call; a rejoin of the
   * same conference keeps it. */
  since = 0
  private sinceConfrId = ''

  constructor(private readonly root: ConferenceStore) {
    makeAutoObservable<ScreenStore, 'root' | 'sinceConfrId'>(
      this,
      { root: false, sinceConfrId: false },
      { autoBind: true },
    )
    root.on('join', ({ conference }) => this.began(conference.confrId))
    root.on('exit', () => {
      if (!root.session.needsRejoin) this.ended()
    })
  }

  setSoundMode(mode: SoundMode): void {
    this.soundMode = mode
  }

  toggleSoundMode(): SoundMode {
    this.soundMode = this.soundMode === 'speaker' ? 'ear' : 'speaker'
    return this.soundMode
  }

  /** Stop (or resume) playing one tile on this phone. */
  setLocalMute(tileId: string, muted: boolean = !this.localMutes.has(tileId)): void {
    if (muted) this.localMutes.add(tileId)
    else this.localMutes.delete(tileId)
  }

  setLocalMirror(mirror: LocalMirror): void {
    this.localMirror = mirror
  }

  setRemoteMirror(on: boolean): void {
    this.remoteMirror = on
  }

  /** How many are in the call, me included: the server's count in a LIVE conference (the
   * audience is not listed), else those listed. */
  get headCount(): number {
    const { session } = this.root
    if (!session.inConference) return 0
    if (session.conference?.type === ConfrType.LIVE && session.memberCount) {
      return session.memberCount
    }
    return session.members.size + (session.self ? 1 : 0)
  }

  private began(confrId: string, now = Date.now()): void {
    if (this.since && confrId === this.sinceConfrId) return
    this.since = now
    this.sinceConfrId = confrId
    this.localMutes.clear()
  }

  /** The call is over (left, ended, refused): the next one starts its own clock. */
  ended(): void {
    this.since = 0
    this.sinceConfrId = ''
  }
}
