// The media gate with the embedded engine (node-media-server in process).
import { mediaGateSuite } from '../helpers/media-gate-suite'

mediaGateSuite()
