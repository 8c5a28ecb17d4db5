// The server, the Node SDK and `ws` run inside a jsdom test file (the live component test): they
// need Node's timers there. jsdom's setTimeout returns a number (no .unref(), which the server
// calls) and jsdom has no setImmediate (which ws uses). Import this first: it puts Node's timers on
// the jsdom global; the components work the same with them.
import * as timers from 'timers'

const g = globalThis as unknown as Record<string, unknown>
const t = timers as unknown as Record<string, unknown>
for (const kind of ['Timeout', 'Interval', 'Immediate'])
  for (const name of [`set${kind}`, `clear${kind}`]) g[name] = t[name]
