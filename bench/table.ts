// Plain Markdown tables for the terminal (and for pasting into docs/performance.md).
export function table(head: string[], rows: Array<Array<string | number>>): string {
  const cells = [head, ...rows.map((r) => r.map(String))]
  const width = head.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)))
  const line = (r: string[]) =>
    '| ' + r.map((x, c) => (x ?? '').padEnd(width[c])).join(' | ') + ' |'
  return [line(cells[0]), line(width.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join(
    '\n',
  )
}
