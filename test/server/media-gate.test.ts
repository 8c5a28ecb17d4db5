// The media gate with the embedded engine (node-media-server in process).
import { mediaGateSuite } from './media-gate-suite'

mediaGateSuite()
