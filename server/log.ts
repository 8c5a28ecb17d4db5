// Structured JSON logs (pino). One root logger per server; components take a child with a
// `mod` field so that a line says where it came from.
import pino from 'pino'

export type Logger = pino.Logger

export function createLogger(level: string): Logger {
  return pino({ level, base: { svc: 'conference-server' } })
}
