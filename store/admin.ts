// What an admin does to the conference: kick, grant a role, end it for everyone. The server
// decides whether we may; its refusal comes back as the action's error.
import { ErrorCode, type RoleValue } from '../sdk/protocol'
import type { ConferenceStore } from './conference'
import { coreOf, type Core } from './core'
import { fail, reject } from './errors'
import type { EmediaMgrLike } from './types'

/** Methods of ConferenceStore (mixed in by conference.ts). */
export class AdminActions {
  kick(this: ConferenceStore, memberNames: string[]): Promise<boolean> {
    return adminCall(coreOf(this), 'kick', (mgr, id) => mgr.kickMembersById(id, memberNames))
  }

  grantRole(this: ConferenceStore, memberNames: string[], role: RoleValue): Promise<boolean> {
    return adminCall(coreOf(this), 'grantRole', (mgr, id) => mgr.grantRole(id, memberNames, role))
  }

  destroy(this: ConferenceStore): Promise<boolean> {
    return adminCall(coreOf(this), 'destroy', (mgr, id) => mgr.destroyConference(id))
  }
}

async function adminCall(
  c: Core,
  name: string,
  call: (mgr: EmediaMgrLike, confrId: string) => Promise<unknown>,
): Promise<boolean> {
  const confrId = c.store.conference?.confrId
  if (!confrId) return reject(c, name, 'not in a conference', ErrorCode.CONFERENCE_INVALID)
  try {
    await call(c.emedia.mgr, confrId)
    return true
  } catch (err) {
    return fail(c, name, err)
  }
}
