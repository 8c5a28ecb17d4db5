// How a member is named on screen: its nickname, else the nickname its ext carries, else its user
// id (tiles, the member panel, the hand queue).
import type { Member } from 'miniprogram-conference-protocol'

export function displayName(member: Partial<Member> | undefined, fallback = ''): string {
  if (!member) return fallback
  const extName = member.ext && typeof member.ext.nickName === 'string' ? member.ext.nickName : ''
  return member.nickName || extName || member.name || fallback
}
