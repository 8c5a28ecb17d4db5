// Preloaded (node --require) into a child that must reach the tests' TLS proxies by name: the
// names under conference.test (testkit/tls-proxy.ts, DOMAIN) resolve to 127.0.0.1, as its
// clientAgent does for the test's own requests and an /etc/hosts line would on a real host.
'use strict'
const dns = require('dns')

const DOMAIN = 'conference.test'
const lookup = dns.lookup

dns.lookup = function loopbackNames(hostname, options, callback) {
  if (typeof options === 'function') [callback, options] = [options, {}]
  if (typeof options === 'number') options = { family: options }
  if (hostname !== DOMAIN && !String(hostname).endsWith(`.${DOMAIN}`))
    return lookup.call(this, hostname, options, callback)
  if (options && options.all)
    return process.nextTick(callback, null, [{ address: '127.0.0.1', family: 4 }])
  return process.nextTick(callback, null, '127.0.0.1', 4)
}
