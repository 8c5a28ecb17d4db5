// What an invitation carries. The shared card's path names the room (its id, and its name when it
// has one) — never the password: whoever opens the card enters it on the join screen, or comes in
// with the invitation credential once the server issues one (`invite`). The copied text is the
// user's own to pass on, and may name the password, as a meeting app's "copy invitation" does.
import type { Texts } from '../common/i18n'

export interface RoomInfo {
  title: string
  confrId: string
  roomName: string
  password: string
}

/** The page the room is on, as a share path ('/pages/room/room'), '' outside a page. */
export function currentPagePath(): string {
  if (typeof getCurrentPages !== 'function') return ''
  const pages = getCurrentPages()
  const page = pages[pages.length - 1]
  return page && page.route ? `/${page.route}` : ''
}

/** `path?query` with the empty values left out (after the path's own query, when it has one). */
export function withQuery(path: string, params: Record<string, string>): string {
  const query = Object.keys(params)
    .filter((k) => params[k])
    .map((k) => `${k}=${encodeURIComponent(params[k])}`)
    .join('&')
  if (!query) return path
  return `${path}${path.includes('?') ? '&' : '?'}${query}`
}

/** What onShareAppMessage returns: a title, a path, and while the credential is still coming,
 * WeChat's `promise` of the card with it. */
export interface ShareCard {
  title: string
  path: string
  promise?: Promise<{ title: string; path: string }>
}

/** Data for onShareAppMessage: the card's title and the path that opens the same room. */
export function shareData(
  t: Texts,
  room: RoomInfo,
  path: string,
  invite = '',
): { title: string; path: string } {
  return {
    title: `${t.inviteText}: ${room.title}`,
    path: withQuery(path, { confrId: room.confrId, roomName: room.roomName, invite }),
  }
}

/** The invitation a user copies: the meeting, its number and, when it has one, its password. */
export function inviteText(t: Texts, room: RoomInfo): string {
  const lines = [`${t.inviteText}: ${room.title}`, `${t.meetingNumber}: ${room.confrId}`]
  if (room.password) lines.push(`${t.password}: ${room.password}`)
  return lines.join('\n')
}
