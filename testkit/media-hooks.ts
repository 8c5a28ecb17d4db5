// What a media engine tells the server (server/media/engine.ts MediaHooks), recorded: the engine
// is the layer under test, the server's authorization logic is not.
import { type MediaHooks, type MediaKind, type MediaSession } from '../server/media/engine'

export interface HookEvent {
  hook: 'authorize' | 'started' | 'stopped'
  kind: MediaKind
  session: MediaSession
  at: number
}

/** Records every hook call; refuses what `deny` says to refuse (by default token=bad). */
export class Recorder implements MediaHooks {
  events: HookEvent[] = []
  private waiters: Array<() => void> = []
  deny: (kind: MediaKind, s: MediaSession) => string | null = (_kind, s) =>
    s.query.token === 'bad' ? 'bad token' : null

  authorize(kind: MediaKind, session: MediaSession): string | null {
    this.record('authorize', kind, session)
    return this.deny(kind, session)
  }
  started(kind: MediaKind, session: MediaSession): void {
    this.record('started', kind, session)
  }
  stopped(kind: MediaKind, session: MediaSession): void {
    this.record('stopped', kind, session)
  }

  of(stream: string, hook?: HookEvent['hook']): HookEvent[] {
    return this.events.filter((e) => e.session.stream === stream && (!hook || e.hook === hook))
  }

  /** The first recorded event matching, waiting for it up to timeoutMs. */
  async next(
    hook: HookEvent['hook'],
    kind: MediaKind,
    stream: string,
    timeoutMs = 10000,
  ): Promise<HookEvent> {
    const find = () =>
      this.events.find((e) => e.hook === hook && e.kind === kind && e.session.stream === stream)
    const end = Date.now() + timeoutMs
    for (let found = find(); ; found = find()) {
      if (found) return found
      const left = end - Date.now()
      if (left <= 0) throw new Error(`no ${hook}(${kind}) for ${stream} within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  private record(hook: HookEvent['hook'], kind: MediaKind, session: MediaSession) {
    this.events.push({ hook, kind, session, at: Date.now() })
    for (const wake of this.waiters.splice(0)) wake()
  }
}
