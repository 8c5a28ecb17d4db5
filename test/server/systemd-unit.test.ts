// The systemd units of docs/deploy.md as printed, checked by systemd itself: `systemd-analyze
// verify` finds no error and no warning in the server's unit (run against the install layout the
// doc describes, made in a temp dir) nor in an edge's. The server's ExecStart gives options the
// server accepts, and the doc's doctor command checks that very configuration.
import { spawnSync } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import { START } from '../../server/config'
import { DOCTOR } from '../../server/doctor/options'
import { parseOptions } from '../../server/options'
import { describeRequiring } from '../../testkit/optional-suite'

const ROOT = path.resolve(__dirname, '../..')
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze'
const doc = fs.readFileSync(path.join(ROOT, 'docs/deploy.md'), 'utf8')

const missing = [SYSTEMD_ANALYZE, '/usr/sbin/nginx'].filter((f) => !fs.existsSync(f))
const availability = {
  ok: missing.length === 0,
  reason: `${missing.join(', ')} missing (Debian packages systemd, nginx)`,
}

/** The ```ini block that starts with `# /etc/systemd/system/<name>`. */
function unit(name: string): string {
  const blocks = [...doc.matchAll(/```ini\n([\s\S]*?)```/g)].map((m) => m[1])
  const found = blocks.find((b) => b.startsWith(`# /etc/systemd/system/${name}\n`))
  if (!found) throw new Error(`docs/deploy.md has no unit ${name}`)
  return found
}

const setting = (text: string, key: string) =>
  new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1] ?? null

function verify(dir: string, name: string, text: string) {
  const file = path.join(dir, name)
  fs.writeFileSync(file, text)
  const r = spawnSync(SYSTEMD_ANALYZE, ['verify', file], { encoding: 'utf8', timeout: 30000 })
  return { code: r.status, output: (r.stdout + r.stderr).trim() }
}

describeRequiring('the systemd units of docs/deploy.md', availability, 'CK_REQUIRE_SYSTEMD', () => {
  let tmp: string
  beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-systemd-'))))
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

  test('conference.service verifies clean against the install layout the doc describes', () => {
    const text = unit('conference.service')
    // /opt/conference as `npm i <tarball>` leaves it: the package under node_modules (this clone's).
    const opt = path.join(tmp, 'opt/conference')
    fs.mkdirSync(path.join(opt, 'node_modules'), { recursive: true })
    fs.symlinkSync(
      path.join(ROOT, 'server'),
      path.join(opt, 'node_modules/miniprogram-conference-server'),
    )
    const placed = text.split('/opt/conference/').join(`${opt}/`)
    expect(verify(tmp, 'conference.service', placed)).toEqual({ code: 0, output: '' })

    const [node, script, ...args] = setting(text, 'ExecStart')!.split(/\s+/)
    expect(node).toBe('/usr/bin/node')
    const bin = script.replace('/opt/conference/', `${opt}/`)
    const help = spawnSync(node, [bin, '--help'], { encoding: 'utf8', timeout: 20000 })
    expect(help.status).toBe(0)
    expect(help.stdout).toMatch(/^conference-server \[start\] \[options\]/)
    // The options are the server's; relative recordings land in the unit's own state directory.
    expect(() => parseOptions(START, args, {})).not.toThrow()
    const state = `/var/lib/${setting(text, 'StateDirectory')}`
    expect(setting(text, 'WorkingDirectory')).toBe(state)
    const recordings = String(parseOptions(START, args, {}).values.recordingsDir ?? 'recordings')
    expect(path.resolve(state, recordings).startsWith(`${state}/`)).toBe(true)

    // The doc's doctor command: the unit's user, working directory, environment file and options.
    const command = /```sh\n(sudo -u [\s\S]*? doctor [\s\S]*?)```/
      .exec(doc)?.[1]
      .replace(/\\\n\s*/g, '')
    expect(command).toBeDefined()
    const m =
      /^sudo -u (\S+) sh -c 'cd (\S+) && set -a && \. (\S+) && exec (\S+) (\S+) doctor (.*)'$/.exec(
        command!.trim(),
      )
    expect(m).not.toBeNull()
    const [, user, dir, envFile, doctorNode, doctorScript, rest] = m!
    expect([user, dir, envFile, doctorNode, doctorScript]).toEqual([
      setting(text, 'User'),
      setting(text, 'WorkingDirectory'),
      setting(text, 'EnvironmentFile'),
      node,
      script,
    ])
    const doctorArgs = rest.split(/\s+/)
    expect(() => parseOptions(DOCTOR, doctorArgs, {})).not.toThrow()
    expect(doctorArgs).toEqual(args)
  })

  test('ck-edge.service verifies clean', () => {
    expect(verify(tmp, 'ck-edge.service', unit('ck-edge.service'))).toEqual({ code: 0, output: '' })
  })

  test('the check catches a broken unit (a misspelt key, a missing binary)', () => {
    const text = unit('ck-edge.service')
    const misspelt = verify(tmp, 'misspelt.service', text.replace('Restart=', 'Restrat='))
    expect(misspelt.output).toMatch(/Unknown key 'Restrat'/)
    const missingBin = verify(
      tmp,
      'nobin.service',
      text.replace('/usr/sbin/nginx', '/usr/sbin/nginx-x'),
    )
    expect(missingBin.code).not.toBe(0)
    expect(missingBin.output).toMatch(/nginx-x is not executable/)
  })
})
