// The option tables of docs/server.md, each between its markers (<!-- NAME:start … --> and
// <!-- NAME:end -->): `npm run docs:options` writes them, test/server/docs.test.ts checks them.
import { describeOptions, OPTIONS } from './config'
import { DOCTOR } from './doctor/options'
import { EDGE_CONFIG } from './media/nginx-edge-cli'
import { optionsTable } from './options'

export const DOC_TABLES: ReadonlyArray<{ marker: string; table: () => string }> = [
  { marker: 'options', table: describeOptions },
  // Doctor takes every option of the server, listed above; only its own here.
  {
    marker: 'doctor-options',
    table: () => optionsTable(DOCTOR.options.filter((o) => !OPTIONS.includes(o as never))),
  },
  { marker: 'edge-config-options', table: () => optionsTable(EDGE_CONFIG.options) },
]

/** Matches a marked table: group 1 the start marker, 2 the table, 3 the end marker. */
export const markedTable = (marker: string) =>
  new RegExp(`(<!-- ${marker}:start[^>]*-->\\n)([\\s\\S]*?)(\\n<!-- ${marker}:end -->)`)
