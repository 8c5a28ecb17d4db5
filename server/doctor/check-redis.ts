// The cluster's Redis (--redis): reachable with the URL's credentials, and kept private.
import Redis from 'ioredis'
import { type ServerConfig } from '../config'
import { isLoopbackHost } from '../loopback'
import { type Finding, finding } from './findings'

/** The URL without its password, for printing. */
export function redactedRedisUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.href.replace(/\/$/, '')
  } catch {
    return '(not a URL)'
  }
}

export async function redisFindings(config: ServerConfig, timeoutMs: number): Promise<Finding[]> {
  if (!config.redis) return [finding('redis', 'skip', 'no --redis: one process, state in memory')]
  const shown = redactedRedisUrl(config.redis)
  let url: URL
  try {
    url = new URL(config.redis)
    if (!/^rediss?:$/.test(url.protocol)) throw new Error()
  } catch {
    return [
      finding(
        'redis',
        'fail',
        `--redis ${shown} is not a redis:// URL`,
        '--redis redis://[:password@]host:6379',
      ),
    ]
  }
  const out: Finding[] = []
  const client = new Redis(config.redis, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  })
  // connect() only says "Connection is closed"; the reason comes as an 'error' event.
  let lastError: NodeJS.ErrnoException | null = null
  client.on('error', (e: NodeJS.ErrnoException) => (lastError = e))
  try {
    const started = Date.now()
    await client.connect()
    await client.ping()
    const ms = Date.now() - started
    const version = /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? '?'
    out.push(finding('redis', 'ok', `${shown} answers (Redis ${version}, ${ms} ms)`))
  } catch (e) {
    const err = (lastError ?? e) as NodeJS.ErrnoException
    const why = err.code ?? err.message
    const fix = /NOAUTH|WRONGPASS|AUTH/i.test(why)
      ? '--redis redis://:<password>@host:port with the password of its requirepass'
      : `start redis-server there, or correct --redis; from here: redis-cli -u '${shown}' ping`
    return [finding('redis', 'fail', `${shown} cannot be reached: ${why}`, fix)]
  } finally {
    client.disconnect()
  }
  if (!url.password && !isLoopbackHost(url.hostname.replace(/^\[|\]$/g, '')))
    out.push(
      finding(
        'redis',
        'warn',
        `${shown} has no password: whoever reaches it can steer the cluster (the nodes trust it)`,
        'requirepass in redis.conf, --redis redis://:<password>@host:port, and a private network',
      ),
    )
  return out
}
