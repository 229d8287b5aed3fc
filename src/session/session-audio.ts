import type { VoiceAgentError } from '../errors.js';

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
   * Where captured microphone frames go: exactly 640 bytes (320 Int16 LE samples at 16 kHz) each.
   * The session sets it once `connected` arrives and clears it on end; frames with no sink are dropped.
   */
  onFrame: ((frame: ArrayBuffer) => void) | null;
  /** Queues agent audio (Int16 LE, 16 kHz mono, any length) for gapless playback. */
  play(pcm: ArrayBuffer): void;
  /** Drops all queued agent audio at once, with a short fade (barge-in). */
  interrupt(): void;
  /** Sends silence instead of the microphone while true. */
  muted: boolean;
  /** Current levels, 0..1. */
  readonly inputLevel: number;
  readonly outputLevel: number;
  /** Called when the levels change: with every microphone frame (50 a second) and each playback report (~30). */
  onLevels: ((input: number, output: number) => void) | null;
  /**
   * Called when the audio fails after open() resolved, e.g. the microphone is unplugged or taken by
   * another app (`microphone_unavailable`). The session ends with that error.
   */
  onError: ((error: VoiceAgentError) => void) | null;
  /** Stops the tracks, disconnects the nodes and closes the context. Idempotent; never rejects. */
  close(): Promise<void>;
}
