// Who the speaker layout shows large when nobody chose: the one talking, with hysteresis so that
// the picture does not flicker. Pure: speaking sets and times in, the main tile out. The volume
// events say "speaking" or "silent" as each crosses the threshold, so a talker flips between
// words: a pause shorter than GAP keeps the run going. The main tile changes only when it has
// been quiet for GAP and another has talked for HOLD; then the one talking longest takes it.

/** A pause in one run of speech (ms). */
export const GAP = 1000
/** How long another must talk before taking the main tile (ms). */
export const HOLD = 1500

interface Run {
  start: number
  /** When last heard; Infinity while speaking. */
  heard: number
}

export class ActiveSpeaker {
  main = ''
  private readonly runs = new Map<string, Run>()

  /** The tiles speaking now (the others are silent). */
  hear(speaking: readonly string[], now: number): void {
    for (const [id, run] of this.runs) {
      if (!speaking.includes(id) && run.heard === Infinity) run.heard = now
    }
    for (const id of speaking) {
      const run = this.runs.get(id)
      if (!run || now - run.heard > GAP) this.runs.set(id, { start: now, heard: Infinity })
      else run.heard = Infinity
    }
  }

  private talking(id: string, now: number): boolean {
    const run = this.runs.get(id)
    return !!run && now - run.heard <= GAP
  }

  /**
   * The main tile at `now` among `ids` (`fallback` while nobody has talked yet), and in how many
   * ms to ask again (0: nothing pending).
   */
  decide(ids: readonly string[], fallback: string, now: number): { main: string; recheck: number } {
    for (const [id, run] of this.runs) {
      if (!ids.includes(id) || now - run.heard > GAP) this.runs.delete(id)
    }
    if (!ids.includes(this.main)) this.main = fallback
    let recheck = 0
    const soonest = (ms: number) => (recheck = recheck ? Math.min(recheck, ms) : ms)
    if (this.talking(this.main, now)) {
      const run = this.runs.get(this.main)!
      // Ask again when the main may have gone quiet.
      if (run.heard !== Infinity) soonest(run.heard + GAP - now + 1)
      return { main: this.main, recheck }
    }
    let best: [string, Run] | undefined
    for (const entry of this.runs) {
      if (entry[0] === this.main || !this.talking(entry[0], now)) continue
      if (now - entry[1].start >= HOLD) {
        if (!best || entry[1].start < best[1].start) best = entry
      } else soonest(entry[1].start + HOLD - now)
    }
    if (best) {
      this.main = best[0]
      return this.decide(ids, fallback, now)
    }
    return { main: this.main, recheck }
  }
}
