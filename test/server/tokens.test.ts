// Media URL tokens: bound to kind, conference, member and stream, expiring, and short enough for
// nginx-rtmp, which keeps only 255 bytes of `name?query`.
import { Tokens } from '../../server/auth/tokens'

const tokens = new Tokens('test-secret', 'default')
const claims = {
  kind: 'pub' as const,
  confrId: 'CF_abcdefghijklmnop',
  memberId: 'MS_abcdefghijklmnop',
  streamId: 'ST_abcdefghijklmnop',
}

test('a media token verifies for its kind and stream only', () => {
  const t = tokens.mintMedia(claims, 60)
  expect(tokens.verifyMedia(t, 'pub', claims.streamId)).toEqual(claims)
  expect(() => tokens.verifyMedia(t, 'play', claims.streamId)).toThrow('not a play token')
  expect(() => tokens.verifyMedia(t, 'pub', 'ST_other')).toThrow(/bad signature/)
  const play = tokens.mintMedia({ ...claims, kind: 'play' }, 60)
  expect(tokens.verifyMedia(play, 'play', claims.streamId).memberId).toBe(claims.memberId)
})

test('a signature guessed in multi-byte characters of the right length is a bad signature', () => {
  // The media signature once had a compare of its own that checked string lengths, so such a
  // guess made timingSafeEqual throw a RangeError instead of being refused as a bad signature.
  const parts = tokens.mintMedia(claims, 60).split('.')
  const guess = [...parts.slice(0, 4), 'é'.repeat(parts[4].length)].join('.')
  expect(() => tokens.verifyMedia(guess, 'pub', claims.streamId)).toThrow(/bad signature/)
})

test('tampering with any field, a foreign secret or expiry is refused', () => {
  const t = tokens.mintMedia(claims, 60)
  const parts = t.split('.')
  const swapped = [parts[0], parts[1], 'MS_someoneelse12345', parts[3], parts[4]].join('.')
  expect(() => tokens.verifyMedia(swapped, 'pub', claims.streamId)).toThrow(/bad signature/)
  const later = [
    parts[0],
    parts[1],
    parts[2],
    (parseInt(parts[3], 36) + 9999).toString(36),
    parts[4],
  ].join('.')
  expect(() => tokens.verifyMedia(later, 'pub', claims.streamId)).toThrow(/bad signature/)
  const foreign = new Tokens('other-secret', 'default').mintMedia(claims, 60)
  expect(() => tokens.verifyMedia(foreign, 'pub', claims.streamId)).toThrow(/bad signature/)
  expect(() => tokens.verifyMedia(tokens.mintMedia(claims, -5), 'pub', claims.streamId)).toThrow(
    'token expired',
  )
  expect(() => tokens.verifyMedia('a.b.c', 'pub', claims.streamId)).toThrow('malformed token')
})

test('a push URL stays far below nginx-rtmp’s 255-byte name?query limit', () => {
  const nameQuery = `${claims.streamId}?token=${tokens.mintMedia(claims, 7200)}`
  expect(nameQuery.length).toBeLessThan(128)
})

test("a member's play credential verifies for any stream as a play, never as a push, and only untampered", () => {
  const m = tokens.mintMemberMedia(claims.confrId, claims.memberId, 60)
  for (const streamId of [claims.streamId, 'ST_another']) {
    expect(tokens.verifyMedia(m, 'play', streamId)).toMatchObject({
      confrId: claims.confrId,
      memberId: claims.memberId,
      streamId,
    })
  }
  expect(() => tokens.verifyMedia(m, 'pub', claims.streamId)).toThrow('not a pub token')
  const [k, c, , exp, sig] = m.split('.')
  const other = [k, c, 'MS_someoneelse12345', exp, sig].join('.')
  expect(() => tokens.verifyMedia(other, 'play', claims.streamId)).toThrow(/bad signature/)
  // A stream's play token signature is not a member credential's, and the other way round.
  const play = tokens.mintMedia({ ...claims, kind: 'play' }, 60).split('.')
  const asMember = ['m', ...play.slice(1)].join('.')
  expect(() => tokens.verifyMedia(asMember, 'play', claims.streamId)).toThrow(/bad signature/)
  const expired = tokens.mintMemberMedia(claims.confrId, claims.memberId, -1)
  expect(() => tokens.verifyMedia(expired, 'play', claims.streamId)).toThrow('token expired')
  expect(`${claims.streamId}?token=${m}`.length).toBeLessThan(120)
})

test('a member-list cursor is bound to its member and conference; anything else is -400', () => {
  const at = { phase: 1 as const, seq: 12345 }
  const cur = tokens.mintCursor(claims.confrId, claims.memberId, at)
  expect(tokens.verifyCursor(cur, claims.confrId, claims.memberId)).toEqual(at)
  for (const [cursor, confrId, memberId] of [
    [cur, claims.confrId, 'MS_other'],
    [cur, 'CF_other', claims.memberId],
    ['0' + cur.slice(1), claims.confrId, claims.memberId],
    ['garbage', claims.confrId, claims.memberId],
  ])
    expect(() => tokens.verifyCursor(cursor, confrId, memberId)).toThrow(
      expect.objectContaining({ code: -400 }),
    )
})
