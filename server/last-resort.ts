// The process's last resort: an exception or rejection that escaped every error boundary. The
// front doors and the media guards exist so that nothing a client sends gets here; if something
// does, it is a bug of ours: logged loudly and counted (ck_last_resort_total) rather than taking
// every conference of the process down with it.
import { type Logger } from './log'

let count = 0

/** How many times the last resort caught something in this process. */
export function lastResortCount(): number {
  return count
}

/** Installs the handlers once per process (the CLI calls it; embedders choose for themselves). */
export function installLastResort(log: Logger): void {
  const caught = (kind: string) => (err: unknown) => {
    count++
    log.fatal({ err, kind, count }, 'LAST RESORT: an error escaped every handler (a bug)')
  }
  process.on('uncaughtException', caught('uncaughtException'))
  process.on('unhandledRejection', caught('unhandledRejection'))
}
