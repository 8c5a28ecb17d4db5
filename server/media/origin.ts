// Where a conference's media lives: the RTMP base of the engine that holds its streams. The ONE
// place that answers it: publishers push there, server jobs play from there, and edges relay
// from there (server/media/nginx/edge-hooks.ts). In one process that is this server's own
// engine; in a cluster it becomes the engine of the node hosting the conference.
import { type MediaUrls } from '../conference/context'

/** e.g. rtmp://10.0.0.5:1935/live (no trailing slash). */
export function originOf(media: Pick<MediaUrls, 'rtmpBase'>, _confrId: string): string {
  return media.rtmpBase()
}
