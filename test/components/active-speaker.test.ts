// The speaker layout's rule for who is large: it follows the talker without flicker. Pure, with
// times given: a pause between words keeps a run, a short interjection takes nothing, the main
// tile moves only when it has gone quiet and another has talked for HOLD.
import { ActiveSpeaker, GAP, HOLD } from '../../components/member-grid/active-speaker'

const IDS = ['ann', 'bob', 'cy']

describe('active speaker', () => {
  test('nobody has talked: the fallback; the first to talk for HOLD takes it', () => {
    const a = new ActiveSpeaker()
    expect(a.decide(IDS, 'ann', 0)).toEqual({ main: 'ann', recheck: 0 })
    a.hear(['bob'], 100)
    // Not yet: ask again when bob has talked for HOLD.
    expect(a.decide(IDS, 'ann', 100)).toEqual({ main: 'ann', recheck: HOLD })
    expect(a.decide(IDS, 'ann', 100 + HOLD).main).toBe('bob')
  })

  test('pauses between words keep a run going; a short interjection does not take the tile', () => {
    const a = new ActiveSpeaker()
    a.hear(['bob'], 0)
    a.hear([], 400) // a pause shorter than GAP
    a.hear(['bob'], 400 + GAP - 100)
    expect(a.decide(IDS, 'ann', HOLD + 10).main).toBe('bob')
    // cy says "yes" while bob goes on: bob stays.
    a.hear(['bob', 'cy'], 2000)
    a.hear(['bob'], 2300)
    expect(a.decide(IDS, 'ann', 2300 + HOLD).main).toBe('bob')
  })

  test('the main tile moves only when it has gone quiet for GAP and another talked for HOLD', () => {
    const a = new ActiveSpeaker()
    a.hear(['bob'], 0)
    expect(a.decide(IDS, 'ann', HOLD).main).toBe('bob')
    // cy starts while bob still talks: no switch, however long.
    a.hear(['bob', 'cy'], 2000)
    expect(a.decide(IDS, 'ann', 2000 + 3 * HOLD).main).toBe('bob')
    // bob stops; within GAP he keeps it, and the answer says when to ask again.
    a.hear(['cy'], 8000)
    expect(a.decide(IDS, 'ann', 8000 + GAP - 1)).toEqual({ main: 'bob', recheck: 2 })
    expect(a.decide(IDS, 'ann', 8000 + GAP + 1).main).toBe('cy')
  })

  test('of several talking, the one talking longest; a member gone is forgotten', () => {
    const a = new ActiveSpeaker()
    a.hear(['cy'], 0)
    a.hear(['cy', 'bob'], 500)
    expect(a.decide(IDS, 'ann', 2000).main).toBe('cy')
    // cy leaves the call: back to the fallback rule, then bob (talking) takes it.
    expect(a.decide(['ann', 'bob'], 'ann', 2100).main).toBe('bob')
  })
})
