// The messages between the AudioEngine (main thread) and its two processors. Audio travels as bare
// ArrayBuffers, transferred rather than copied; everything else is a small typed object.

/** `registerProcessor` names; prefixed so they cannot clash with a site's own worklets. */
export const CAPTURE_PROCESSOR = 'voice-agent-capture';
export const PLAYBACK_PROCESSOR = 'voice-agent-playback';

/**
 * How often the playback processor reports both levels and its stats while something changes, per
 * second: as often as the element's meter draws, since every report is a task on the page's main thread.
 */
export const REPORTS_PER_SECOND = 20;

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

/**
 * Playback processor → main thread, about `REPORTS_PER_SECOND` times a second while something changes:
 * the agent's level as played (`level`), the microphone's (`input`, from the capture processor, which
 * shares the worklet scope), and the playback stats.
 */
export type PlaybackReport = { level: number; input: number } & PlaybackStats;
