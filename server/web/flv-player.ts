// Plays one HTTP-FLV URL in a <video> with mpegts.js (Media Source Extensions), tuned for a
// call rather than a broadcast: no stash buffer, and the player chases the live edge.
import mpegts from 'mpegts.js'

export interface FlvPlayer {
  destroy(): void
}

export function playFlv(video: HTMLVideoElement, url: string): FlvPlayer {
  const player = mpegts.createPlayer(
    { type: 'flv', isLive: true, url },
    {
      enableWorker: false,
      enableStashBuffer: false,
      stashInitialSize: 128,
      liveBufferLatencyChasing: true,
      liveBufferLatencyMaxLatency: 1.2,
      liveBufferLatencyMinRemain: 0.3,
      lazyLoad: false,
    },
  )
  player.attachMediaElement(video)
  player.load()
  // A live player that stalls (the publisher's network) is resumed from the live edge.
  player.on(mpegts.Events.ERROR, () => {
    player.unload()
    player.load()
  })
  void Promise.resolve(player.play()).catch(() => {
    // Autoplay with sound refused: play muted until the user touches the page.
    video.muted = true
    void video.play().catch(() => {})
    document.addEventListener('click', () => (video.muted = false), { once: true })
  })
  return {
    destroy() {
      player.pause()
      player.unload()
      player.detachMediaElement()
      player.destroy()
    },
  }
}
