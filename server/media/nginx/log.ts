// nginx's error log (its stderr) in terms of our log levels, both ways.
import { type EngineLogLevel, type LogLevel } from '../engine-base'
import { type NginxErrorLevel } from './config'

/** Our log level → nginx's error_log level. */
export const NGINX_LEVEL: Record<EngineLogLevel, NginxErrorLevel> = {
  debug: 'info', // nginx's debug level is a firehose (and needs --with-debug)
  info: 'notice',
  warn: 'warn',
  error: 'error',
  silent: 'error',
}

/** An nginx error-log line → our level and message. */
export function parseNginxLine(line: string): { level: LogLevel; message: string } {
  const m = /^\S+ \S+ \[(\w+)\] \d+#\d+: (.*)$/.exec(line)
  if (!m) return { level: 'info', message: line }
  const lv = m[1]
  // nginx-rtmp logs this routine event (our idle limit doing its job) as an error.
  if (m[2].includes('drop idle publisher')) return { level: 'warn', message: m[2] }
  const level: LogLevel = ['emerg', 'alert', 'crit', 'error'].includes(lv)
    ? 'error'
    : lv === 'warn'
      ? 'warn'
      : lv === 'debug'
        ? 'debug'
        : 'info'
  return { level, message: m[2] }
}
