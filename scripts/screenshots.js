// npm run screenshots: renders every scene (docs/screenshots/README list) in headless Chromium and
// writes docs/screenshots/<scene>.png (dark) and <scene>-light.png for the light scenes.
// Run `npx gulp build` first (the npm script does).
const fs = require('fs')
const path = require('path')
const { openScenes, SHOTS } = require('./screenshots/browser')

async function main() {
  const out = path.resolve(process.argv[2] || path.join(__dirname, '../docs/screenshots'))
  fs.mkdirSync(out, { recursive: true })
  const session = await openScenes()
  try {
    for (const shot of SHOTS) {
      await session.render(shot.scene, shot)
      await session.page.screenshot({ path: path.join(out, `${shot.file}.png`) })
      console.log(`${shot.file}.png`)
    }
  } finally {
    await session.close()
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
