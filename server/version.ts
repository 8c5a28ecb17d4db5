// The server package's version, from its package.json: found by walking up, because the server runs both
// from source (tests) and from dist/ (npm start, the installed package), at different depths.
import { existsSync, readFileSync } from 'fs'
import { dirname, join } from 'path'

function findVersion(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    const file = join(d, 'package.json')
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'miniprogram-conference-server') return pkg.version ?? '0.0.0'
    }
    if (dirname(d) === d) return '0.0.0'
  }
}

export const VERSION = findVersion(__dirname)
