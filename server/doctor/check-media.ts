// What the media side needs on this machine: nginx with its rtmp module for --engine nginx (the
// config the engine would generate, put through `nginx -t`), and ffmpeg with the codecs the
// recordings, mixes and browser uploads use.
import { spawnSync } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import { type ServerConfig } from '../config'
import { ffmpegPaths } from '../media/ffmpeg'
import { renderOriginConfig } from '../media/nginx/config'
import { nginxPaths } from '../media/nginx/options'
import { nginxAvailable } from '../media/nginx/process'
import { type Finding, finding } from './findings'

const INSTALL_NGINX = 'apt-get install nginx libnginx-mod-rtmp (docs/deploy.md, Install)'

export function nginxFindings(config: ServerConfig): Finding[] {
  if (config.engine !== 'nginx')
    return [finding('nginx', 'skip', 'engine embedded: nginx is not used')]
  const { nginxPath, modulePath } = nginxPaths({ modulePath: config.nginxModule })
  const available = nginxAvailable(nginxPath, modulePath)
  if (!available.ok) {
    const fix =
      nginxPath && !fs.existsSync(modulePath)
        ? `apt-get install libnginx-mod-rtmp, or --nginx-module <path of ngx_rtmp_module.so>`
        : INSTALL_NGINX
    return [finding('nginx', 'fail', available.reason ?? 'nginx is not usable', fix)]
  }
  // The config the engine would write, callbacks aside: nginx -t loads the module with it.
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-doctor-nginx-'))
  try {
    const file = path.join(prefix, 'nginx.conf')
    fs.writeFileSync(
      file,
      renderOriginConfig({
        modulePath,
        prefix,
        bind: config.host,
        rtmpPort: config.rtmpPort || 1935,
        app: config.rtmpApp,
        callbackBase: 'http://127.0.0.1:9/doctor',
        controlSocket: path.join(prefix, 'control.sock'),
        errorLevel: 'error',
        idlePublisherMs: 10000,
        workerUser: null,
      }),
    )
    const t = spawnSync(nginxPath!, ['-t', '-q', '-e', 'stderr', '-p', prefix + '/', '-c', file], {
      encoding: 'utf8',
      timeout: 10000,
    })
    const version = spawnSync(nginxPath!, ['-v'], { encoding: 'utf8' }).stderr.trim()
    if (t.status !== 0) {
      const why = (t.stderr || t.error?.message || '').trim().split('\n')[0]
      return [
        finding(
          'nginx',
          'fail',
          `${nginxPath} does not take the engine's config with ${modulePath}: ${why}`,
          /binary compatible|version/.test(why)
            ? 'install the libnginx-mod-rtmp built for this nginx (the same Debian release)'
            : INSTALL_NGINX,
        ),
      ]
    }
    return [
      finding('nginx', 'ok', `${version.replace(/^nginx version: /, '')} loads ${modulePath}`),
    ]
  } finally {
    fs.rmSync(prefix, { recursive: true, force: true })
  }
}

/** Encoders and decoders the media jobs use: the mix (H.264, AAC), browser uploads (VP8, Opus). */
const CODECS = [
  { list: '-encoders', name: 'libx264', for: 'recMerge, the live mix and VP8 browser uploads' },
  { list: '-encoders', name: 'aac', for: 'mixes and browser uploads' },
  { list: '-decoders', name: 'vp8', for: 'browser uploads' },
  { list: '-decoders', name: 'opus', for: 'browser uploads' },
] as const

export function ffmpegFindings(env: NodeJS.ProcessEnv): Finding[] {
  let ffmpeg: string
  try {
    ffmpeg = ffmpegPaths(env).ffmpeg
  } catch (e) {
    return [
      finding(
        'ffmpeg',
        'fail',
        `no ffmpeg: ${(e as Error).message.split('\n')[0]}`,
        'npm install (it comes with @ffmpeg-installer/ffmpeg), or FFMPEG_PATH=<an ffmpeg>',
      ),
    ]
  }
  const run = (args: string[]) => spawnSync(ffmpeg, args, { encoding: 'utf8', timeout: 10000 })
  const version = run(['-hide_banner', '-version'])
  if (version.status !== 0)
    return [
      finding(
        'ffmpeg',
        'fail',
        `${ffmpeg} does not run: ${version.error?.message ?? version.stderr.trim()}`,
        'FFMPEG_PATH=<an ffmpeg that runs here>, or npm install again',
      ),
    ]
  const lists = { '-encoders': run(['-hide_banner', '-encoders']).stdout, '-decoders': '' }
  lists['-decoders'] = run(['-hide_banner', '-decoders']).stdout
  const missing = CODECS.filter(
    (c) => !new RegExp(`^\\s*\\S+\\s+${c.name}\\s`, 'm').test(lists[c.list]),
  )
  const name = version.stdout.split(' ').slice(0, 3).join(' ')
  if (missing.length)
    return [
      finding(
        'ffmpeg',
        'fail',
        `${name}: lacks ${missing.map((c) => `${c.name} (${c.for})`).join(', ')}`,
        'FFMPEG_PATH=<an ffmpeg built with them>, or unset it for the one npm installs',
      ),
    ]
  return [
    finding('ffmpeg', 'ok', `${name} (${ffmpeg}), with ${CODECS.map((c) => c.name).join(', ')}`),
  ]
}
