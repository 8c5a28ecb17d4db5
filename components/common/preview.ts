// My camera's preview before any push: the page's live-pusher with no URL shows the camera once
// told to (LivePusherContext.startPreview, base library 2.7.0). <pre-join> previews this way
// before the call, and <pusher-tile> (`preview`) while the room joins.

/** Starts the preview of the live-pusher rendered by the setData just made: it exists on the
 * next tick, and by then it may be wanted no more (`stillWanted`). */
export function startCameraPreview(stillWanted: () => boolean): void {
  wx.nextTick(() => {
    if (stillWanted()) wx.createLivePusherContext().startPreview({ fail: () => {} })
  })
}

export function stopCameraPreview(): void {
  wx.createLivePusherContext().stopPreview({ fail: () => {} })
}
