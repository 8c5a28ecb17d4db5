// The same media gate scenarios with nginx-rtmp as the engine, authorising through its HTTP
// callbacks.
import { mediaGateSuite } from '../helpers/media-gate-suite'
import { describeWithNginx } from '../helpers/nginx'

describeWithNginx('media gate on nginx-rtmp', () => mediaGateSuite({ engine: 'nginx' }))
