// The built mini program SDK on a real network, for the tests that mount <conference-room>
// against the real server: miniprogram-simulate's wx keeps its mocks (live contexts, authorize,
// nextTick); only the network is real (testkit/wx-shim: connectSocket is a real WebSocket).
import * as path from 'path'
import type * as Sdk from '../../sdk/index'
import type { WxLike } from '../../sdk/index'
import { type createWxShim } from '../../testkit/wx-shim'
import { DIST } from './mount'

// The SDK a mini program gets: the build output, as the components' store module sees it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk: typeof Sdk = require(path.join(DIST, 'sdk/index.js'))

export type LiveEmedia = ReturnType<typeof sdk.createEmedia>

/** Puts the shim's network on simulate's wx and makes an emedia on it (quiet). */
export function realNetworkEmedia(shim: ReturnType<typeof createWxShim>): LiveEmedia {
  const w = wx as unknown as Record<string, unknown>
  for (const name of [
    'connectSocket',
    'request',
    'onNetworkStatusChange',
    'offNetworkStatusChange',
  ] as const)
    w[name] = shim[name]
  const emedia = sdk.createEmedia({ adapter: sdk.createWxAdapter(wx as unknown as WxLike) })
  emedia.config({ logLevel: 'silent' })
  return emedia
}
