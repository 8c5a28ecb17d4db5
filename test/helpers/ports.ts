// Free TCP ports on loopback, for servers a test starts as separate processes (which cannot be
// given port 0 and asked back): the server's own probe, the one the nginx engine uses.
export { freePort } from '../../server/media/nginx-process'
