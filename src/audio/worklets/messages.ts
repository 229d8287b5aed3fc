// The messages between the AudioEngine (main thread) and its two processors. Audio travels as bare
// ArrayBuffers, transferred rather than copied; everything else is a small typed object.

/** `registerProcessor` names; prefixed so they cannot clash with a site's own worklets. */
export const CAPTURE_PROCESSOR = 'voice-agent-capture';
export const PLAYBACK_PROCESSOR = 'voice-agent-playback';

/**
 * How often the playback processor posts both levels to the meter (on its transport port, to the socket
 * Worker) while they change, per second.
 */
export const REPORTS_PER_SECOND = 20;

/**
 * Of those, the one in how many that also goes to the main thread (levels, stats, turn latency): every
 * report is a task on the page's main thread, so it gets 4 a second, unless the levels are being read
 * (a `watch` command: all of them for the next {@link WATCH_MS}).
 */
export const MAIN_REPORT_EVERY = 5;

/** How long a `watch` command keeps the main thread's reports at the meter's rate, ms. */
export const WATCH_MS = 1000;

/** `processorOptions` of the capture node. */
export interface CaptureOptions {
  muted: boolean;
}

/** `processorOptions` of the playback node. */
export interface PlaybackOptions {
  /** Least delay before playback starts, in ms; the jitter buffer adds the network jitter it measures. */
  prebufferMs: number;
  /** The volume (gain after the node, 0..1): the reported agent level is the level heard. */
  volume: number;
}

/**
 * Main thread → either processor: `port` (the MessagePort in `event.ports`) is where the capture
 * processor posts its frames, or where the playback processor takes agent audio from (the transport).
 */
export type PortCommand = { type: 'port' };

/** Main thread → capture processor. */
export type CaptureCommand = { type: 'muted'; muted: boolean } | PortCommand;

/**
 * Main thread → playback processor: barge-in, a new volume, someone reads the levels (`watch`), or the
 * port agent audio comes on (Int16 LE, 16 kHz, any length, as bare ArrayBuffers from the transport) and
 * the meter's levels go back on.
 */
export type PlaybackCommand = { type: 'interrupt' | 'watch' } | { type: 'volume'; volume: number } | PortCommand;

/** Playback counters since the node started. */
export interface PlaybackStats {
  /** Times the queue ran dry while playing. */
  underruns: number;
  /** Samples (at the context rate) dropped because the queue was full. */
  dropped: number;
  /** Agent audio queued and not yet played, in samples at the context rate. */
  queued: number;
  /** Delay the jitter buffer aims for (least delay + measured jitter), in samples at the context rate. */
  target: number;
  /** Samples played by concealing underruns (the last pitch period repeated, fading out). */
  concealed: number;
}

/**
 * Playback processor → main thread, 4 times a second (see {@link MAIN_REPORT_EVERY}): the agent's
 * level as heard (`level`, after the volume), the microphone's (`input`, from the capture processor,
 * which shares the worklet scope), the last turn latency measured on the audio thread (`turn`, ms, or
 * null), and the playback stats.
 */
export type PlaybackReport = { level: number; input: number; turn: number | null } & PlaybackStats;
