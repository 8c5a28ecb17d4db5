// GET /metrics on the real server: Prometheus text that a parser accepts, gauges that say what
// the server holds, and counters that move with a join and with a refused request.
import parsePrometheus from 'parse-prometheus-text-format'
import { ErrorCode } from 'miniprogram-conference-protocol'
import { useServer } from '../../testkit/server-suite'

const suite = useServer({ dev: true })
const { client } = suite

async function scrape() {
  const res = await fetch(`${suite.server.httpUrl}/metrics`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  const text = await res.text()
  // Every line is a comment or `name{labels} value` (the exposition format's grammar; values
  // are Go floats, so NaN in any case).
  for (const line of text.split('\n').filter(Boolean))
    expect(line).toMatch(
      /^(# (HELP|TYPE) \w+ .*|[a-zA-Z_:][\w:]*(\{.*\})? ([-+\d.eE]+|nan|[+-]inf))$/i,
    )
  const families = parsePrometheus(text)
  const value = (name: string, labels: Record<string, string> = {}) => {
    const family = families.find((f) => f.name === name)
    const sample = family?.metrics.find((m) =>
      Object.entries(labels).every(([k, v]) => m.labels?.[k] === v),
    )
    return sample ? Number(sample.value) : undefined
  }
  return { families, value }
}

describe('/metrics', () => {
  it('parses as Prometheus text and its figures move with a join and an error', async () => {
    const before = await scrape()
    expect(before.families.find((f) => f.name === 'ck_joins_total')?.type).toBe('COUNTER')
    expect(before.value('ck_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0)
    for (const name of [
      'ck_sockets',
      'ck_conferences',
      'ck_members',
      'ck_streams',
      'ck_media_jobs',
      'ck_ingests',
    ])
      expect(before.value(name)).toBe(0)
    const joins = before.value('ck_joins_total') ?? 0
    const flushes = (s: Awaited<ReturnType<typeof scrape>>) => {
      const family = s.families.find((f) => f.name === 'ck_socket_flush_seconds')
      expect(family?.type).toBe('HISTOGRAM')
      return Number((family!.metrics[0] as { count?: string }).count)
    }
    const flushed = flushes(before)

    const c = await client('metrics-user')
    await c.emedia.mgr.joinRoom({ roomName: 'metrics-room', role: 3 })
    const bad = await client('metrics-bad')
    await expect(bad.emedia.mgr.joinConferenceWithTicket('CF_nope', 'bad')).rejects.toBeTruthy()

    const after = await scrape()
    expect(after.value('ck_joins_total')).toBe(joins + 1)
    // The join's reply (and the refusal) left in flushes of their turns.
    expect(flushes(after)).toBeGreaterThan(flushed)
    expect(after.value('ck_sockets')).toBeGreaterThanOrEqual(1)
    expect(after.value('ck_conferences')).toBe(1)
    expect(after.value('ck_members')).toBe(1)
    const errors = after.families.find((f) => f.name === 'ck_errors_total')!.metrics
    console.log(`errors by code after a bad ticket: ${JSON.stringify(errors)}`)
    expect(errors.length).toBeGreaterThan(0)
    expect(
      errors.every((m) => Object.values(ErrorCode).includes(Number(m.labels?.code) as never)),
    ).toBe(true)
  })
})
