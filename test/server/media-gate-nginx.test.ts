// The same media gate scenarios with nginx-rtmp as the engine, authorising through its HTTP
// callbacks.
import { mediaGateSuite } from './media-gate-suite'
import { describeWithNginx } from '../../testkit/nginx'

describeWithNginx('media gate on nginx-rtmp', () => mediaGateSuite({ engine: 'nginx' }))
