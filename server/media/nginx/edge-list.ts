// Which RTMP base a member plays from: one of the configured edges (--edge-rtmp), the same one
// every time for a member, or the origin when there are no edges. Publishers and the server's
// own jobs always use the origin (server/media/origin.ts).
export interface EdgeList {
  /** rtmp://host:port/app bases, as configured (no trailing slash). */
  readonly bases: readonly string[]
}

/** The configured list parsed and checked; throws with the reason on a bad entry. */
export function parseEdgeList(list: string, app: string): EdgeList {
  const bases = list
    .split(',')
    .map((s) => s.trim().replace(/\/+$/, ''))
    .filter(Boolean)
  for (const base of bases) {
    let url: URL
    try {
      url = new URL(base)
    } catch {
      throw new Error(`--edge-rtmp: "${base}" is not a URL`)
    }
    if (url.protocol !== 'rtmp:' || !url.hostname || url.search || url.hash) {
      throw new Error(`--edge-rtmp: "${base}" is not of the form rtmp://host[:port]/${app}`)
    }
    // Players keep the stream path: the edge must serve the origin's application name.
    if (url.pathname !== `/${app}`) {
      throw new Error(`--edge-rtmp: "${base}" must end in /${app} (the --rtmp-app)`)
    }
  }
  return { bases }
}

const parsed = new Map<string, EdgeList>()

/** parseEdgeList, once per distinct configuration. */
export function edgeList(list: string, app: string): EdgeList {
  const key = `${app}\n${list}`
  let edges = parsed.get(key)
  if (!edges) {
    edges = parseEdgeList(list, app)
    parsed.set(key, edges)
  }
  return edges
}

/** FNV-1a: a stable, well-spread 32-bit hash of the member id (no crypto needed here). */
function hash(id: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** The edge a member plays from: always the same for one member id; null without edges. */
export function edgeFor(edges: EdgeList, memberId: string): string | null {
  if (edges.bases.length === 0) return null
  return edges.bases[hash(memberId) % edges.bases.length]
}
