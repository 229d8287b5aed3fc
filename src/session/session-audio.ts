import type { VoiceAgentError } from '../errors.js';
import type { VoiceAgentStats } from '../events.js';
import type { AudioPorts } from './transport.js';

/** The audio engine's part of `getStats()`. */
export type AudioStats = Pick<
  VoiceAgentStats,
  'underruns' | 'bufferedMs' | 'sampleRate' | 'outputLatencyMs' | 'turnLatencyMs' | 'echoCancellation'
>;

/**
 * What the session needs from the audio engine. The session owns the order of things (token, socket,
 * protocol); the engine owns the microphone, the AudioContext and the worklets. Tests pass a fake.
 */
export interface SessionAudio {
  /**
   * Opens the microphone (the integrator's `constraints` merged over the engine's defaults: mono, echo
   * cancellation, noise suppression, auto gain) and the audio graph. MUST create its AudioContext synchronously, before the
   * returned promise is created, because `start()` calls it inside the click handler (iOS Safari only
   * lets a context start during the user gesture). Rejects with a `VoiceAgentError` whose code is
   * `microphone_denied`, `microphone_not_found`, `microphone_unavailable` or `audio_failed`.
   */
  open(constraints: MediaTrackConstraints): Promise<void>;
  /**
   * The transport's ports, called once right after the engine is created: the capture worklet posts
   * each 640-byte frame (320 Int16 LE samples at 16 kHz, transferred) to `capture` from the microphone's
   * grant on, and the playback worklet plays every ArrayBuffer (Int16 LE, 16 kHz mono, any length) that
   * arrives on `playback`, gaplessly. Audio never passes through the main thread.
   */
  attach(ports: AudioPorts): void;
  /** Drops all queued agent audio at once, with a short fade (barge-in). */
  interrupt(): void;
  /** Sends silence instead of the microphone while true. */
  muted: boolean;
  /** Gain of the agent's voice, 0..1, applied smoothly; `outputLevel` reports what is played. */
  volume: number;
  /**
   * Switches the input to `deviceId` (undefined: the default) without interrupting the frames. Rejects
   * with a `VoiceAgentError` (the current input is kept) when the device cannot be opened.
   */
  setMicrophone(deviceId: string | undefined): Promise<void>;
  /** Routes playback to `deviceId` where the browser can (`AudioContext.setSinkId`); resolves without effect elsewhere. */
  setSpeaker(deviceId: string | undefined): Promise<void>;
  /** Playback and device figures for `getStats()`. */
  readonly stats: AudioStats;
  /** Called with true when the browser suspended the audio and only a user gesture can resume it, false once resumed. */
  onSuspended: ((needsGesture: boolean) => void) | null;
  /** Current levels, 0..1. */
  readonly inputLevel: number;
  readonly outputLevel: number;
  /**
   * Called when the audio fails after open() resolved, e.g. the microphone is unplugged or taken by
   * another app (`microphone_unavailable`). The session ends with that error.
   */
  onError: ((error: VoiceAgentError) => void) | null;
  /** Stops the tracks, disconnects the nodes and closes the context. Idempotent; never rejects. */
  close(): Promise<void>;
}
