// The media-engine adapter: what the conference server needs from an RTMP server, whichever it is
// (node-media-server embedded, nginx-rtmp through HTTP callbacks, SRS hooks).

/** One RTMP/FLV session as the engine reports it. */
export interface MediaSession {
  /** The engine's id for this connection; used to close it. */
  sessionId: string
  /** RTMP application, e.g. 'live'. */
  app: string
  /** Stream name (our stream id). */
  stream: string
  /** Parsed query string of the URL the client used (holds `token`). */
  query: Record<string, string>
  /** Remote address as the engine saw it. */
  ip: string
}

export type MediaKind = 'publish' | 'play'

/**
 * The server's side of the contract. `authorize` is synchronous on purpose: the embedded engine
 * must refuse inside its pre-event, before any media flows (node-media-server cannot wait there).
 */
export interface MediaHooks {
  /** null to allow; otherwise the reason for refusing. */
  authorize(kind: MediaKind, session: MediaSession): string | null
  /** Media started flowing (publish) or a player attached (play). Only for allowed sessions. */
  started(kind: MediaKind, session: MediaSession): void
  /** The session ended. Only for sessions that were allowed and started. */
  stopped(kind: MediaKind, session: MediaSession): void
}

export interface MediaEngine {
  readonly name: string
  start(hooks: MediaHooks): Promise<void>
  stop(): Promise<void>
  /** Base for URLs clients use, e.g. rtmp://192.168.1.5:1935/live (no trailing slash). */
  rtmpBase(): string
  /** Base of the RTMP URLs players use: rtmpBase, unless players attach elsewhere (a play edge). */
  playBase(): string
  /** HTTP-FLV base, e.g. http://127.0.0.1:8000/live, or null when the engine has none. */
  flvBase(): string | null
  /** Disconnect one session (a publisher or a player). Unknown ids are ignored. */
  closeSession(sessionId: string): void
}
