// The messages between the AudioEngine (main thread) and its two processors. Audio travels as bare
// ArrayBuffers, transferred rather than copied; everything else is a small typed object.

/** `registerProcessor` names; prefixed so they cannot clash with a site's own worklets. */
export const CAPTURE_PROCESSOR = 'voice-agent-capture';
export const PLAYBACK_PROCESSOR = 'voice-agent-playback';

/** How often the playback processor reports its level and stats, per second. */
export const REPORTS_PER_SECOND = 30;

/** `processorOptions` of the capture node. */
export interface CaptureOptions {
  muted: boolean;
}

/** `processorOptions` of the playback node. */
export interface PlaybackOptions {
  /** Least delay before playback starts, in ms; the jitter buffer adds the network jitter it measures. */
  prebufferMs: number;
}

/**
 * Main thread → either processor: `port` (the MessagePort in `event.ports`) is where the capture
 * processor posts its frames, or where the playback processor takes agent audio from (the transport).
 */
export type PortCommand = { type: 'port' };

/** Main thread → capture processor. */
export type CaptureCommand = { type: 'muted'; muted: boolean } | PortCommand;

/** Capture processor → main thread: the microphone level, about REPORTS_PER_SECOND times a second while it changes. */
export type CaptureReport = { level: number };

/**
 * Main thread → playback processor: barge-in, or the port agent audio comes on (Int16 LE, 16 kHz,
 * any length, as bare ArrayBuffers from the transport).
 */
export type PlaybackCommand = { type: 'interrupt' } | PortCommand;

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

/** Playback processor → main thread, about `REPORTS_PER_SECOND` times a second while something changes. */
export type PlaybackReport = { level: number } & PlaybackStats;
