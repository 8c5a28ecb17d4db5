// docs/status-codes.md is the readable form of store/media-policy.ts: every code of the policy,
// of the reference and of the protocol is in the table, and the table says what the policy does.
import * as fs from 'fs'
import * as path from 'path'
import { ErrorCode, ExitReason } from 'miniprogram-conference-protocol'
import { PERMISSION_ERRORS, PLAYER_CODES, PUSHER_CODES } from '../../store/media-policy'

const doc = fs.readFileSync(path.resolve(__dirname, '../../docs/status-codes.md'), 'utf8')
const rows = doc
  .split('\n')
  .map((line) => line.match(/^\|\s*(-?\d+)\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|$/))
  .filter((m): m is RegExpMatchArray => !!m)
  .map((m) => ({ code: Number(m[1]), source: m[2], meaning: m[3], action: m[4] }))

function row(code: number, source: string | RegExp) {
  const found = rows.filter(
    (r) =>
      r.code === code && (typeof source === 'string' ? r.source === source : source.test(r.source)),
  )
  expect([code, source, found.length]).toEqual([code, source, 1])
  return found[0]
}

// The codes WeChat documents for live-pusher / live-player (its live component reference).
const REFERENCE = {
  'live-pusher': [
    1001, 1002, 1003, 1005, 1006, 1007, 1008, -1301, -1302, -1303, -1304, -1305, -1306, -1307, 1101,
    1102, 1103, 3001, 3002, 3003, 3004, 3005, 5000, 5001, 1021, 1022, 4998, 4999, -3301,
  ],
  'live-pusher error': [10001, 10002, 10003, 10004],
  'live-player': [
    2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008, 2009, -2301, -2302, 2101, 2102, 2103, 2104,
    2105, 2106, 3001, 3002, 3003, 3004, 3005,
  ],
}

describe('docs/status-codes.md', () => {
  test('has every code of the reference, once per source', () => {
    for (const [source, codes] of Object.entries(REFERENCE)) {
      for (const code of codes) row(code, source)
    }
  })

  test('has every server error code and every exit reason', () => {
    for (const code of Object.values(ErrorCode)) row(code, /^(server|SDK|server \/ kit)$/)
    for (const reason of Object.values(ExitReason)) row(reason, 'exit reason')
  })

  test('says what the policy does for each pusher / player code', () => {
    for (const [code, action] of Object.entries(PUSHER_CODES)) {
      const r = row(Number(code), 'live-pusher')
      if (action === 'restart')
        expect([code, r.action]).toEqual([code, expect.stringMatching(/^restart/)])
      if (action === 'pushing') expect(r.action).toMatch(/`pushing`/)
      if (action === 'suspended') expect(r.action).toMatch(/`suspended`/)
      if (action === 'device') expect(r.action).toMatch(/error event/)
    }
    for (const [code, action] of Object.entries(PLAYER_CODES)) {
      const r = row(Number(code), 'live-player')
      if (action === 'replay')
        expect([code, r.action]).toEqual([code, expect.stringMatching(/^replay/)])
      if (action === 'playing') expect(r.action).toMatch(/`playing`/)
    }
    for (const code of Object.keys(PERMISSION_ERRORS)) {
      expect(row(Number(code), 'live-pusher error').action).toMatch(/openSetting|as 10001/)
    }
  })
})
