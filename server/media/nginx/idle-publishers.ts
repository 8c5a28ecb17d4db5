// Publishers that never send media, which nginx's own idle limit does not see.
import { type EngineLog } from '../engine-base'
import { publisherActive } from './control'

/**
 * drop_idle_publisher watches a publisher only from its first media: one allowed that never
 * sends any (a phone that lost coverage right after connecting) would stay published until
 * TCP gives up, and nginx sends nothing to a publisher that could make TCP notice. After the
 * idle limit, /stat says whether it became active; if not, it is dropped.
 */
export class IdlePublisherChecks {
  /** Pending checks by clientid. */
  private readonly timers = new Map<string, NodeJS.Timeout>()

  constructor(
    private readonly idleMs: number,
    private readonly log: EngineLog,
  ) {}

  /**
   * Check a publisher just allowed, after the idle limit: if `stillLive()` then and nginx shows
   * it without media, `drop()` it.
   */
  schedule(socketPath: string, sessionId: string, stillLive: () => boolean, drop: () => void) {
    const timer = setTimeout(() => {
      this.timers.delete(sessionId)
      void this.check(socketPath, sessionId, stillLive, drop)
    }, this.idleMs)
    timer.unref()
    this.timers.set(sessionId, timer)
  }

  /** The publisher ended: nothing to check. */
  cancel(sessionId: string): void {
    clearTimeout(this.timers.get(sessionId))
    this.timers.delete(sessionId)
  }

  cancelAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
  }

  private async check(
    socketPath: string,
    sessionId: string,
    stillLive: () => boolean,
    drop: () => void,
  ): Promise<void> {
    if (!stillLive()) return
    try {
      if (await publisherActive(socketPath, sessionId)) return
    } catch (err) {
      return this.log('warn', `checking publisher ${sessionId}: ${(err as Error).message}`)
    }
    this.log('warn', `publisher ${sessionId} sent no media in ${this.idleMs} ms: dropped`)
    drop()
  }
}
