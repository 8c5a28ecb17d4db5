// node-media-server 4.4.3 ships no types (@types/node-media-server describes 2.x): the part of
// it that server/media/embedded.ts uses, read from its src/.

declare module 'node-media-server' {
  import type { Socket } from 'net'
  import type { IncomingMessage, Server as HttpServer } from 'http'

  class NodeMediaServer {
    /** Stores the config in the global Context, forces debug logging, starts the rate sampler. */
    constructor(config: NodeMediaServer.Config)
    rtmpServer: {
      /** Wraps a connected socket in an RtmpSession and registers it in Context.sessions. */
      handleRequest(socket: Socket): void
    }
    httpServer: {
      /** Only created when config.http.port is truthy; never listening until run(). */
      httpServer?: HttpServer
    }
    on(event: NodeMediaServer.EventName, listener: (session: NodeMediaServer.Session) => void): void
    /** Stops the rate sampler, destroys RTMP sockets, closes the HTTP/WS servers. */
    stop(): Promise<void>
  }

  namespace NodeMediaServer {
    interface Config {
      bind?: string
      rtmp?: { port?: number }
      http?: { port?: number }
      webadmin?: { enable?: boolean }
    }

    type EventName =
      'prePublish' | 'postPublish' | 'donePublish' | 'prePlay' | 'postPlay' | 'donePlay'

    /** One stream path: its publisher, its players, its GOP cache. */
    interface Broadcast {
      publisher: Session | null
      subscribers: Map<string, Session>
      /** How long a disconnected publisher is kept as "reconnecting" before donePublish. */
      publishGraceMs: number
      getPublishStatus(): 'publishing' | 'reconnecting' | 'idle'
      /** Ends a publish now: emits donePublish, drops the caches. */
      _finishPublish(): void
    }

    /** BaseSession with what its RTMP and FLV subclasses add. */
    interface Session {
      id: string
      /** "address:port" of the peer. */
      ip: string
      protocol: 'rtmp' | 'flv' | string
      isPublisher: boolean
      streamApp: string
      streamName: string
      streamPath: string
      /** Parsed query string (node:querystring for RTMP, express for FLV). */
      streamQuery: Record<string, unknown>
      broadcast: Broadcast
      /** RTMP sessions. */
      socket?: Socket
      /** FLV sessions (HTTP request, or the upgrade request of WS-FLV). */
      req?: IncomingMessage
      /** FLV sessions: an express Response or a ws WebSocket. */
      res?: unknown
      /** Graceful close: socket.end() for RTMP, res.end() / ws.close() for FLV. */
      close(): void
      /** RTMP sessions: the socket's 'data' listener (feeds `rtmp.parserData`). */
      onData?: (data: Buffer) => void
      /** RTMP sessions: the protocol parser. */
      rtmp?: RtmpParser
    }

    /** protocol/rtmp.js: the chunk stream parser of one RTMP session. */
    interface RtmpParser {
      /** The message being read; its header.length is what the peer announced. */
      parserPacket: { header: { length: number }; capacity: number }
      /** One packet (with its payload buffer) per chunk stream id the peer used. */
      inPackets: Map<number, { capacity: number }>
      /** Grows parserPacket's payload buffer to header.length (+1 KiB), zero-filled. */
      packetAlloc(): void
    }
  }

  export = NodeMediaServer
}

declare module 'node-media-server/src/core/context.js' {
  import type { EventEmitter } from 'events'
  import type NodeMediaServer from 'node-media-server'

  /** Process-wide state shared by every NodeMediaServer of the process. */
  const Context: {
    config: NodeMediaServer.Config
    sessions: Map<string, NodeMediaServer.Session>
    broadcasts: Map<string, NodeMediaServer.Broadcast>
    eventEmitter: EventEmitter
  }
  export = Context
}

declare module 'node-media-server/src/core/logger.js' {
  /** console.log with a level filter; one instance shared by the whole package. */
  const logger: {
    level: 'trace' | 'debug' | 'info' | 'warn' | 'error'
    log(message: string, level?: string): void
    debug(message: string): void
    info(message: string): void
    warn(message: string): void
    error(message: string): void
  }
  export = logger
}

declare module 'node-media-server/src/protocol/amf.js' {
  /** An AMF0 command message body: cmd, then the fields its name calls for (transId, cmdObj, …). */
  export function encodeAmf0Cmd(cmd: Record<string, unknown>): Buffer
}

declare module 'node-media-server/src/session/rtmp_client_session.js' {
  import type NodeMediaServer from 'node-media-server'

  /**
   * One relay task of node-media-server's relay server: an RTMP client that plays `url` and
   * publishes what it receives as `streamPath` here (mode 'pull'). run() registers it in
   * Context.sessions; once the remote play starts it becomes the broadcast's publisher
   * (prePublish / postPublish), and donePublish follows when its connection ends.
   */
  class RtmpClientSession implements NodeMediaServer.Session {
    constructor(config: {
      url: string
      mode: 'pull' | 'push'
      streamPath: string
      reconnect?: boolean
    })
    id: string
    ip: string
    protocol: string
    isPublisher: boolean
    streamApp: string
    streamName: string
    streamPath: string
    streamQuery: Record<string, unknown>
    /** null until the remote play started and the session registered as the publisher. */
    broadcast: NodeMediaServer.Broadcast | null
    inBytes: number
    /** The RTMP client of the current connection: received messages go to onPacketCallback. */
    rtmpClient: {
      /** Each media or data message, as parsed (its data may be the parser's reused buffer). */
      onPacketCallback: (packet: RtmpClientSession.PullPacket) => void
      /** The socket closed: unregister, then reconnect or clean up. */
      onCloseCallback: (hadError: boolean) => void
    }
    run(): Promise<void>
    close(): void
    /** Called once the session is over for good (closed, or failed without reconnect). */
    cleanup(): void
  }
  namespace RtmpClientSession {
    /** core/avpacket.js: `size` bytes of `data` are the message. */
    interface PullPacket {
      size: number
      data: Buffer
    }
  }
  export = RtmpClientSession
}
