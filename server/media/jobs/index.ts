// Server-side media jobs: recordings, merged recordings and the live mix, run as supervised
// ffmpeg processes. The conference server hands in play URLs and targets; see docs/media-modes.md.
export { Supervisor, DEFAULT_RESTART } from './supervisor'
export type {
  Job,
  JobEnding,
  JobSpec,
  JobState,
  JobLogger,
  RestartPolicy,
  SupervisorOptions,
} from './supervisor'
export { Recorder, recordingPath } from './recorder'
export type { RecorderOptions } from './recorder'
export { Retention, scanRecordings } from './retention'
export type { RetentionOptions, StoredFile, SweepResult } from './retention'
export { Mixer } from './mixer'
export type { MixerOptions } from './mixer'
export { DEFAULT_ENCODING } from './mix-args'
export { concatFiles } from './concat'
export type { MinusOutput, MixEncoding, MixTarget } from './mix-args'
export { gridLayout, gridSize, MAX_MIX_INPUTS } from './layout'
export type { GridLayout, Rect } from './layout'
export { probeInput, DEFAULT_INPUT_TIMEOUT_MS } from './inputs'
export type { InputInfo } from './inputs'
