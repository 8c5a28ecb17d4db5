// A TLS reverse proxy in front of a server on loopback: Debian's nginx with a self-signed
// certificate for `localhost` (clients trust it through NODE_EXTRA_CA_CERTS), its `location`
// blocks given by the test, in a temp prefix, on a port picked for it (another one while nginx
// finds it taken: server/ports.ts).
import { execFileSync } from 'child_process'
import fs from 'fs'
import net from 'net'
import os from 'os'
import path from 'path'
import { nginxPaths } from '../../server/media/nginx/options'
import { runNginx } from './nginx'
import { onFreePort } from './ports'

export interface TlsProxy {
  /** https://localhost:<port> */
  url: string
  /** The certificate, for NODE_EXTRA_CA_CERTS. */
  certFile: string
  stop(): Promise<void>
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
  })

/** `locations(upstream)`: the server block's location blocks, proxying to `upstream`. */
export async function startTlsProxy(
  upstreamPort: number,
  locations: (upstream: string) => string,
): Promise<TlsProxy> {
  const { nginxPath } = nginxPaths({})
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-tls-proxy-'))
  const certFile = path.join(prefix, 'cert.pem')
  const keyFile = path.join(prefix, 'key.pem')
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
      ...['-keyout', keyFile, '-out', certFile, '-subj', '/CN=localhost'],
      ...['-addext', 'subjectAltName=DNS:localhost'],
    ],
    { stdio: 'ignore' },
  )
  const user = process.getuid?.() === 0 ? 'user nobody nogroup;' : ''
  const launch = async (port: number) => {
    const config = `${user}
daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log stderr error;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path ${prefix}/client_body;
    proxy_temp_path ${prefix}/proxy;
    fastcgi_temp_path ${prefix}/fastcgi;
    uwsgi_temp_path ${prefix}/uwsgi;
    scgi_temp_path ${prefix}/scgi;
    server {
        listen 127.0.0.1:${port} ssl;
        server_name localhost;
        ssl_certificate ${certFile};
        ssl_certificate_key ${keyFile};
${locations(`http://127.0.0.1:${upstreamPort}`)}
    }
}
`
    const file = path.join(prefix, 'nginx.conf')
    fs.writeFileSync(file, config)
    const { stop } = await runNginx(nginxPath!, prefix, file, `TLS proxy on port ${port}`, () =>
      accepts(port),
    )
    return { port, stop }
  }
  try {
    const { port, stop } = await onFreePort(launch)
    return {
      url: `https://localhost:${port}`,
      certFile,
      async stop() {
        await stop()
        fs.rmSync(prefix, { recursive: true, force: true })
      },
    }
  } catch (err) {
    fs.rmSync(prefix, { recursive: true, force: true })
    throw err
  }
}
