// Runs one miniprogram-ci task offline in its own process and writes the result as JSON to a
// file: node ci-runner.js <task> <options.json> <result.json>. Its own process because
// miniprogram-ci leaves a file watcher running after analyseCode, which would hold a jest worker.
// Offline: a dummy appid, a private key made here, and the proxy on a loopback port that was
// bound and closed, so any request it tried would be refused on this machine.
const { generateKeyPairSync } = require('crypto')
const fs = require('fs')
const net = require('net')
const os = require('os')
const path = require('path')
const ci = require('miniprogram-ci')

// Offline: a proxy that cuts every connection. Held open (not a closed port, which someone else
// could bind meanwhile); unref'd, so it does not keep the runner alive.
function offlineProxy() {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => socket.destroy())
    server.listen(0, '127.0.0.1', () => resolve(server.address().port))
    server.unref()
  })
}

function project(projectPath, keyPath) {
  return new ci.Project({
    appid: 'wx0000000000000000',
    type: 'miniProgram',
    projectPath,
    privateKeyPath: keyPath,
    ignores: ['node_modules/**/*'],
  })
}

async function main([task, optionsFile, resultFile]) {
  const options = JSON.parse(fs.readFileSync(optionsFile, 'utf8'))
  ci.proxy(`http://127.0.0.1:${await offlineProxy()}`)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-ci-key-'))
  const keyPath = path.join(dir, 'private.key')
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  })
  fs.writeFileSync(keyPath, privateKey)
  try {
    let result
    if (task === 'analyseCode') {
      result = await ci.analyseCode(project(options.projectPath, keyPath), { silent: true })
    } else if (task === 'checkCodeQuality') {
      result = await ci.checkCodeQuality(project(options.projectPath, keyPath))
    } else if (task === 'packNpmManually') {
      result = await ci.packNpmManually(options)
    } else {
      throw new Error(`unknown task ${task}`)
    }
    fs.writeFileSync(resultFile, JSON.stringify(result))
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err) => {
    console.error(err && err.stack ? err.stack : err)
    process.exit(1)
  },
)
