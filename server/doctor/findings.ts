// What `conference-server doctor` reports: one finding per thing checked, with the fix when it is
// not right, as text for a person or JSON for a script. Any failure makes the exit code 1.

export type Status = 'ok' | 'warn' | 'fail' | 'skip'

export interface Finding {
  /** The area: config, secrets, ports, public-host, proxy, nginx, redis, recordings, ffmpeg. */
  check: string
  status: Status
  message: string
  /** What to do about it (warn and fail). */
  fix?: string
}

export const finding = (check: string, status: Status, message: string, fix?: string): Finding =>
  fix ? { check, status, message, fix } : { check, status, message }

const LABEL: Record<Status, string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' }

function count(findings: readonly Finding[], status: Status) {
  return findings.filter((f) => f.status === status).length
}

/** One line per finding, its fix under it, then the totals. */
export function formatText(findings: readonly Finding[]): string {
  const width = Math.max(...findings.map((f) => f.check.length))
  const lines: string[] = []
  for (const f of findings) {
    lines.push(`${LABEL[f.status].padEnd(4)}  ${f.check.padEnd(width)}  ${f.message}`)
    if (f.fix) lines.push(`${' '.repeat(width + 8)}fix: ${f.fix}`)
  }
  const fails = count(findings, 'fail')
  const warns = count(findings, 'warn')
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  lines.push(
    '',
    fails || warns
      ? `conference-server doctor: ${plural(fails, 'failure')}, ${plural(warns, 'warning')} (${findings.length} findings)`
      : `conference-server doctor: all ${findings.length} findings ok`,
  )
  return lines.join('\n') + '\n'
}

export function formatJson(findings: readonly Finding[]): string {
  const body = {
    ok: count(findings, 'fail') === 0,
    failures: count(findings, 'fail'),
    warnings: count(findings, 'warn'),
    findings,
  }
  return JSON.stringify(body, null, 2) + '\n'
}

export const exitCode = (findings: readonly Finding[]) => (count(findings, 'fail') > 0 ? 1 : 0)
