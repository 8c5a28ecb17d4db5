// A media job that fails (here: its recordings directory is a file) is surfaced to the
// conference's admins and logged, never silent; signalling goes on. Its own file: one embedded
// engine per process.
import fs from 'fs'
import os from 'os'
import path from 'path'
import { pushTestPattern, stopAllMedia } from '../../testkit/ffmpeg'
import { nodeClient } from '../../testkit/sdk-client'
import { startServer } from '../../testkit/server'
import { until } from '../../testkit/wait'

const recordings = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-rec-err-'))
afterAll(() => fs.rmSync(recordings, { recursive: true, force: true }))

test('a media job that fails is reported to the admins (mediaError), never silently', async () => {
  const blocked = path.join(recordings, 'not-a-directory')
  fs.writeFileSync(blocked, 'x')
  const other = await startServer({ recordingsDir: blocked })
  const admin = await nodeClient(other, 'err-admin')
  const talker = await nodeClient(other, 'err-talker')
  try {
    await admin.emedia.mgr.joinRoom({ roomName: 'r', password: '', role: 7, config: { rec: true } })
    await talker.emedia.mgr.joinRoom({ roomName: 'r', password: '' })
    const pub = await talker.emedia.mgr.pubStream('cam')
    pushTestPattern(pub.data.rtmp)
    await until(() => admin.events('mediaError').length > 0, 10000, 'mediaError')
    const info = admin.events('mediaError')[0][0] as { job: string; message: string }
    expect(info.job).toMatch(/^start:CF_/)
    expect(info.message).toMatch(/ENOTDIR|not a directory/)
    expect(talker.events('mediaError')).toHaveLength(0) // admins only
  } finally {
    await Promise.all([admin.close(), talker.close()])
    await stopAllMedia()
    await other.stop()
  }
})
