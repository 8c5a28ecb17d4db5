// A tiny leveled logger. Quiet by default ('warn'): a mini program's console is the user's, and
// the SDK should only speak there when something is wrong.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 }

export interface Logger {
  level: LogLevel
  debug(...args: unknown[]): void
  info(...args: unknown[]): void
  warn(...args: unknown[]): void
  error(...args: unknown[]): void
}

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && value in rank
}

export function createLogger(level: LogLevel = 'warn', prefix = '[emedia]'): Logger {
  const logger: Logger = {
    level,
    debug: (...args) => write('debug', args),
    info: (...args) => write('info', args),
    warn: (...args) => write('warn', args),
    error: (...args) => write('error', args),
  }
  function write(at: Exclude<LogLevel, 'silent'>, args: unknown[]): void {
    if (rank[at] < rank[logger.level]) return
    console[at](prefix, ...args)
  }
  return logger
}
