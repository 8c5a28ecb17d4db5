// The nginx.conf of the origin and of an edge, both written by server/media/nginx/config.ts with
// the builder of directives.ts: their directives, exactly (comments aside), and the values the
// builder refuses. No nginx needed; nginx itself runs these configs in nginx-engine.test.ts and
// nginx-edge.test.ts.
import {
  type EdgeConfigInput,
  type OriginConfigInput,
  renderEdgeConfig,
  renderOriginConfig,
} from '../../server/media/nginx/config'
import {
  address,
  blank,
  block,
  comment,
  directive,
  duration,
  quoted,
  renderConf,
} from '../../server/media/nginx/directives'

/** The directives of a config, nesting kept: comment and blank lines dropped. */
const directives = (conf: string) =>
  conf
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))
    .join('\n')

const listing = (text: string) => text.replace(/^\n/, '').replace(/\n$/, '')
const without = (text: string, ...gone: RegExp[]) =>
  text
    .split('\n')
    .filter((line) => !gone.some((re) => re.test(line)))
    .join('\n')

/** What both configs end with: the player directives, then the http block. */
const tail = (prefix: string) =>
  listing(`
            wait_key on;
            wait_video on;
            publish_notify off;
            play_restart off;
        }
    }
}
http {
    access_log off;
    client_body_temp_path "${prefix}/client_body";
    proxy_temp_path "${prefix}/proxy";
    fastcgi_temp_path "${prefix}/fastcgi";
    uwsgi_temp_path "${prefix}/uwsgi";
    scgi_temp_path "${prefix}/scgi";
    server {
        listen unix:${prefix}/control.sock;
        location = /ready {
            return 204;
        }
        location /control {
            rtmp_control all;
        }
        location = /stat {
            rtmp_stat all;
        }
    }
}
`)

const origin: OriginConfigInput = {
  modulePath: '/usr/lib/nginx/modules/ngx_rtmp_module.so',
  prefix: '/tmp/ck-nginx-abc',
  bind: '::1',
  rtmpPort: 1935,
  app: 'live',
  callbackBase: 'http://127.0.0.1:40123/3f9c',
  controlSocket: '/tmp/ck-nginx-abc/control.sock',
  errorLevel: 'error',
  idlePublisherMs: 10000,
  workerUser: 'nobody nogroup',
}

const ORIGIN = listing(`
load_module "/usr/lib/nginx/modules/ngx_rtmp_module.so";
daemon off;
master_process on;
worker_processes 1;
user nobody nogroup;
worker_rlimit_nofile 8192;
pid "/tmp/ck-nginx-abc/nginx.pid";
error_log "/tmp/ck-nginx-abc/error.log" error;
error_log stderr error;
events {
    worker_connections 4096;
}
rtmp {
    access_log off;
    server {
        listen [::1]:1935;
        notify_method post;
        application live {
            live on;
            record off;
            on_publish http://127.0.0.1:40123/3f9c/on_publish;
            on_play http://127.0.0.1:40123/3f9c/on_play;
            on_publish_done http://127.0.0.1:40123/3f9c/on_publish_done;
            on_play_done http://127.0.0.1:40123/3f9c/on_play_done;
            drop_idle_publisher 10000ms;
${tail('/tmp/ck-nginx-abc')}
`)

const hooks = 'http://10.0.0.5:8080/rtmp-edge/0123456789abcdef0123456789abcdef/e1'
const edge: EdgeConfigInput = {
  modulePath: '/m.so',
  prefix: '/var/lib/ck-edge',
  bind: 'fe80::1',
  rtmpPort: 1936,
  app: 'live',
  hookBase: hooks,
  errorLevel: 'error',
  workerUser: 'nobody nogroup',
  updateSec: 3,
}

const EDGE = listing(`
load_module "/m.so";
daemon off;
master_process on;
worker_processes 1;
user nobody nogroup;
worker_rlimit_nofile 65536;
pid "/var/lib/ck-edge/nginx.pid";
error_log "/var/lib/ck-edge/error.log" error;
events {
    worker_connections 16384;
}
rtmp {
    access_log off;
    server {
        listen [fe80::1]:1936;
        notify_method post;
        application live {
            live on;
            record off;
            deny publish all;
            on_play ${hooks}/on_play;
            on_play_done ${hooks}/on_play_done;
            on_update ${hooks}/on_update;
            notify_update_timeout 3s;
            notify_relay_redirect off;
${tail('/var/lib/ck-edge')}
`)

describe('the origin and edge configs (no nginx needed)', () => {
  it("writes the origin's directives", () => {
    expect(directives(renderOriginConfig(origin))).toBe(ORIGIN)
    const plain = renderOriginConfig({ ...origin, idlePublisherMs: 0, workerUser: null })
    expect(directives(plain)).toBe(without(ORIGIN, /drop_idle_publisher/, /^user /))
  })

  it("writes an edge's directives, with its defaults and without on_update at 0", () => {
    expect(directives(renderEdgeConfig(edge))).toBe(EDGE)
    const defaults = renderEdgeConfig({ ...edge, errorLevel: undefined, updateSec: undefined })
    expect(directives(defaults)).toBe(
      EDGE.replace(' error;', ' warn;').replace(
        'notify_update_timeout 3s',
        'notify_update_timeout 10s',
      ),
    )
    const never = renderEdgeConfig({ ...edge, updateSec: 0, workerUser: null })
    expect(directives(never)).toBe(without(EDGE, /on_update|notify_update_timeout/, /^user /))
  })

  it('ends in a newline and keeps its comments on lines of their own', () => {
    for (const conf of [renderOriginConfig(origin), renderEdgeConfig(edge)]) {
      expect(conf.endsWith('}\n')).toBe(true)
      for (const line of conf.split('\n'))
        expect(line).toMatch(/^( {4})*(# .*|[^#\s][^#]*[;{]|})?$/)
    }
    // The operator is told where the edge's control socket is.
    expect(renderEdgeConfig(edge)).toContain(
      '# curl --unix-socket /var/lib/ck-edge/control.sock http://edge/stat',
    )
  })

  it('refuses any input value nginx would read as syntax, in either config', () => {
    const bad = ['a b', 'a;b', 'a{b', 'a}b', 'a#b', 'a$b', 'a"b', "a'b", 'a\\b', 'a\nb']
    const fields = ['modulePath', 'prefix', 'bind', 'app', 'callbackBase', 'controlSocket']
    for (const value of bad) {
      for (const key of fields) {
        expect(() => renderOriginConfig({ ...origin, [key]: value })).toThrow(/unsafe/)
      }
      for (const key of ['modulePath', 'prefix', 'bind', 'app', 'hookBase']) {
        expect(() => renderEdgeConfig({ ...edge, [key]: value })).toThrow(/unsafe/)
      }
    }
    expect(() => renderOriginConfig({ ...origin, workerUser: 'nobody;evil' })).toThrow(/unsafe/)
    expect(() => renderOriginConfig({ ...origin, rtmpPort: 70000 })).toThrow(/port/)
    expect(() => renderOriginConfig({ ...origin, idlePublisherMs: 1.5 })).toThrow(/whole/)
    expect(() => renderEdgeConfig({ ...edge, updateSec: 1.5 })).toThrow(/updateSec/)
    expect(() => renderEdgeConfig({ ...edge, updateSec: -1 })).toThrow(/updateSec/)
  })
})

describe('the nginx config builder', () => {
  it('renders blocks four spaces deep, flattening groups and leaving out false and null', () => {
    const on = true
    const text = renderConf(
      comment('top'),
      directive('worker_processes', 1),
      blank,
      block('http')(
        [directive('access_log', 'off'), on && directive('gzip', 'on')],
        !on && directive('never', 'here'),
        null,
        block('location', '=', '/x')(comment('why'), directive('return', 204)),
      ),
      directive('pid', quoted('/tmp/p_q')),
      directive('listen', address('::1', 80)),
      directive('drop_idle_publisher', duration(1500, 'ms')),
    )
    expect(text).toBe(
      [
        '# top',
        'worker_processes 1;',
        '',
        'http {',
        '    access_log off;',
        '    gzip on;',
        '    location = /x {',
        '        # why',
        '        return 204;',
        '    }',
        '}',
        'pid "/tmp/p_q";',
        'listen [::1]:80;',
        'drop_idle_publisher 1500ms;',
        '',
      ].join('\n'),
    )
  })

  it('checks every value on its way in', () => {
    expect(() => directive('pid', quoted('/a b'))).toThrow(/unsafe characters in "\/a b"/)
    expect(() => directive('pid', quoted('/a"b'))).toThrow(/unsafe/)
    expect(() => directive('return', '204; evil')).toThrow(/unsafe/)
    expect(() => directive('return', '')).toThrow(/unsafe/)
    expect(() => block('location', '/x {')).toThrow(/unsafe/)
    expect(() => directive('worker_processes', -1)).toThrow(/whole number/)
    expect(() => directive('worker_processes', NaN)).toThrow(/whole number/)
    expect(() => directive('bad name', 'x')).toThrow(/directive name/)
    expect(() => directive('x;y')).toThrow(/directive name/)
    expect(() => comment('one', 'two\n} evil {')).toThrow(/line break/)
    expect(() => duration(0.5, 's')).toThrow(/whole number/)
    expect(() => address('h', 0)).toThrow(/port/)
    expect(() => address('', 80)).toThrow(/unsafe/)
    expect(() => address('h', 65536)).toThrow(/port/)
  })
})
