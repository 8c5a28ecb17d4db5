// Secrets are compared in one place, server/security/secret.ts: by bytes, in constant time, and
// never throwing (a throw would answer a guess differently from a wrong secret).
import { sameSecret } from '../../server/security/secret'

test('equal, unequal, shorter, longer', () => {
  expect(sameSecret('s3cret', 's3cret')).toBe(true)
  expect(sameSecret('s3cret', 's3creT')).toBe(false)
  expect(sameSecret('s3cret', 's3cre')).toBe(false)
  expect(sameSecret('s3cret', 's3crett')).toBe(false)
})

test('a guess in multi-byte characters of the same string length is unequal, not a throw', () => {
  // 'é€' is 2 UTF-16 units like 'ab', but 5 bytes: timingSafeEqual throws on unequal byte lengths.
  expect(sameSecret('ab', 'é€')).toBe(false)
  expect(sameSecret('é€', 'ab')).toBe(false)
  expect(sameSecret('é€', 'é€')).toBe(true)
})
