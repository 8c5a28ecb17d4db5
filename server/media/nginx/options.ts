// What the nginx-rtmp engine takes beyond every engine's options: its defaults and their checks.
import { type EngineLog, type EngineLogLevel, type EngineOptions } from '../engine-base'
import { findNginx } from './process'

export type NginxLogLevel = EngineLogLevel
export type NginxLog = EngineLog

/** `bind` is the RTMP listen address; nginx's own error log lines go through `logLevel`. */
export interface NginxEngineOptions extends EngineOptions {
  /**
   * RTMP port; 0 picks a free one (nginx cannot listen on 0: we find a free port, and pick again
   * if it was taken before nginx bound it). Default 1935.
   */
  rtmpPort?: number
  /** The nginx binary. Default: `nginx` on PATH, else /usr/sbin/nginx. */
  nginxPath?: string
  /** Default /usr/lib/nginx/modules/ngx_rtmp_module.so (Debian's libnginx-mod-rtmp). */
  modulePath?: string
  /**
   * A publisher that sends nothing for this long is dropped (drop_idle_publisher once media
   * flowed; a /stat check for one that never sent any). 0 = never. Default 10.
   */
  idlePublisherSec?: number
  /** How long start() waits for nginx to answer. Default 10 s. */
  startTimeoutMs?: number
}

export const DEFAULT_MODULE_PATH = '/usr/lib/nginx/modules/ngx_rtmp_module.so'

/** The binary (null: none found) and module to use. */
export function nginxPaths(opts: Pick<NginxEngineOptions, 'nginxPath' | 'modulePath'>) {
  return {
    nginxPath: opts.nginxPath ?? findNginx(),
    modulePath: opts.modulePath ?? DEFAULT_MODULE_PATH,
  }
}

/** The options with defaults filled in; a bad value throws `error(why)`. */
export function nginxSettings(opts: NginxEngineOptions, error: (message: string) => Error) {
  const idleSec = opts.idlePublisherSec ?? 10
  if (typeof idleSec !== 'number' || !(idleSec >= 0)) {
    throw error(`idlePublisherSec must be a number >= 0, got ${idleSec}`)
  }
  const startTimeoutMs = opts.startTimeoutMs ?? 10000
  if (!(startTimeoutMs > 0)) throw error(`startTimeoutMs must be > 0, got ${startTimeoutMs}`)
  return { ...nginxPaths(opts), idlePublisherMs: Math.round(idleSec * 1000), startTimeoutMs }
}
