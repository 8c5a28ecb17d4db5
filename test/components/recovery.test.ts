// The recovery policy of the tiles (unit, fake timers): retry with backoff, re-create a native
// component that shows no media, and ask for a fresh URL after MAX_RESTARTS.
import { Recovery } from '../../components/common/recovery'
import { MAX_RESTARTS, STALL_TIMEOUT_MS, backoffMs } from '../../store/media-policy'

function setup() {
  const steps: string[] = []
  const recovery = new Recovery({
    retry: () => steps.push('retry'),
    remount: () => steps.push('remount'),
    refresh: () => steps.push('refresh'),
  })
  return { steps, recovery }
}

describe('tile recovery', () => {
  beforeEach(() => jest.useFakeTimers())
  afterEach(() => jest.useRealTimers())

  test('backoff doubles from 1 s and is capped', () => {
    expect([0, 1, 2, 3, 10].map((n) => backoffMs(n))).toEqual([1000, 2000, 4000, 8000, 16000])
  })

  test('a failure retries after the backoff; repeated failures back off, then a fresh URL', () => {
    const { steps, recovery } = setup()
    recovery.failed()
    jest.advanceTimersByTime(999)
    expect(steps).toEqual([])
    jest.advanceTimersByTime(1)
    expect(steps).toEqual(['retry'])
    recovery.failed()
    jest.advanceTimersByTime(1999)
    expect(steps).toEqual(['retry'])
    jest.advanceTimersByTime(1)
    recovery.failed()
    jest.advanceTimersByTime(4000)
    expect(steps).toEqual(['retry', 'retry', 'retry'])
    recovery.failed()
    expect(steps).toEqual(['retry', 'retry', 'retry', 'refresh'])
    expect(MAX_RESTARTS).toBe(3)
  })

  test('a failure reported twice before its retry restarts once', () => {
    const { steps, recovery } = setup()
    recovery.failed()
    recovery.failed()
    jest.advanceTimersByTime(10000)
    expect(steps).toEqual(['retry'])
  })

  test('no media within the stall timeout re-creates the component; media in time does not', () => {
    const { steps, recovery } = setup()
    recovery.watch()
    jest.advanceTimersByTime(STALL_TIMEOUT_MS - 1)
    recovery.healthy()
    jest.advanceTimersByTime(STALL_TIMEOUT_MS)
    expect(steps).toEqual([])

    recovery.watch()
    jest.advanceTimersByTime(STALL_TIMEOUT_MS)
    expect(steps).toEqual(['remount'])
  })

  test('healthy media resets the count: failures after it start from the first backoff', () => {
    const { steps, recovery } = setup()
    for (let i = 0; i < MAX_RESTARTS; i++) {
      recovery.failed()
      jest.advanceTimersByTime(backoffMs(i))
    }
    recovery.healthy()
    recovery.failed()
    jest.advanceTimersByTime(1000)
    expect(steps).toEqual(['retry', 'retry', 'retry', 'retry'])
  })

  test('stop cancels what is pending', () => {
    const { steps, recovery } = setup()
    recovery.watch()
    recovery.failed()
    recovery.stop()
    jest.advanceTimersByTime(60000)
    expect(steps).toEqual([])
  })
})
