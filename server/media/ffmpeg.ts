// Where ffmpeg and ffprobe come from: FFMPEG_PATH / FFPROBE_PATH when set (a production host's
// own build), else the binaries shipped inside the @ffmpeg-installer / @ffprobe-installer npm
// packages, so nothing depends on what the machine happens to have installed.

export interface FfmpegPaths {
  ffmpeg: string
  ffprobe: string
}

function fromPackage(name: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(name) as { path: string }).path
}

export function ffmpegPaths(env: NodeJS.ProcessEnv = process.env): FfmpegPaths {
  return {
    ffmpeg: env.FFMPEG_PATH || fromPackage('@ffmpeg-installer/ffmpeg'),
    ffprobe: env.FFPROBE_PATH || fromPackage('@ffprobe-installer/ffprobe'),
  }
}
