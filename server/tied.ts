// A child that ends with us: a server killed with SIGKILL (an operator's kill -9, the OOM killer)
// runs no cleanup, and the nginx it started would keep running, holding the RTMP port the next
// server needs. util-linux's setpriv asks the kernel to send the child SIGTERM when we die
// (PR_SET_PDEATHSIG); nginx takes TERM as a fast shutdown, workers included.
import fs from 'fs'

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((f) => {
  try {
    fs.accessSync(f, fs.constants.X_OK)
    return true
  } catch {
    return false
  }
})

/** `[command, args]` to spawn so that the child gets SIGTERM when this process dies. */
export function tiedToUs(command: string, args: string[]): [string, string[]] {
  // setpriv execs the command (same pid); without it (not Linux) the child is plain.
  if (!SETPRIV) return [command, args]
  return [SETPRIV, ['--pdeathsig', 'TERM', '--', command, ...args]]
}
