// The room's palette: `theme` is 'dark', 'light' or 'auto', which follows WeChat's dark mode (the
// app declares "darkmode": true in app.json; without it WeChat reports no theme and the room
// stays dark, as a call screen usually is).

export type ThemeName = 'dark' | 'light'

const named = (theme: string | undefined): ThemeName => (theme === 'light' ? 'light' : 'dark')

/** WeChat's theme now. */
export function systemTheme(): ThemeName {
  try {
    return named(wx.getAppBaseInfo ? wx.getAppBaseInfo().theme : wx.getSystemInfoSync().theme)
  } catch {
    return 'dark'
  }
}

/** The palette for a `theme` property. */
export function themeFor(theme: string): ThemeName {
  return theme === 'auto' ? systemTheme() : named(theme)
}

/** Calls `fn` when WeChat's theme changes; returns the way to stop. */
export function onSystemTheme(fn: (theme: ThemeName) => void): () => void {
  const listener = (res: { theme: string }) => fn(named(res.theme))
  wx.onThemeChange(listener)
  return () => wx.offThemeChange(listener)
}
