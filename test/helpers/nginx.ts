// Suites that need Debian's nginx + libnginx-mod-rtmp. Where they are missing the suite says
// loudly that it did not run (and fails under CK_REQUIRE_NGINX=1, which CI sets after installing
// them), rather than passing quietly.
import { NginxEngine } from '../../server/media/nginx'

export const nginxAvailability = NginxEngine.available()

export function describeWithNginx(name: string, body: () => void): void {
  if (nginxAvailability.ok) return describe(name, body)
  describe(name, () => {
    it('is NOT RUN here: nginx-rtmp is not installed', () => {
      const reason = nginxAvailability.reason ?? ''
      console.warn(`${name}: NOT RUN: ${reason}`)
      expect(reason).not.toBe('')
      if (process.env.CK_REQUIRE_NGINX === '1') {
        throw new Error(`CK_REQUIRE_NGINX=1 but nginx-rtmp is not usable: ${reason}`)
      }
    })
  })
}
