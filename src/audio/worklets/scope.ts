/**
 * The AudioWorkletGlobalScope's names (`sampleRate`, `registerProcessor`, ...), typed. Import it only from
 * `*.worklet.ts` files: on the main thread these names do not exist (see types/audio-worklet.d.ts).
 */
export const workletScope = globalThis as unknown as AudioWorkletGlobalScope;

/** The microphone's level, 0..1, as the capture processor last measured it; the playback processor reports it. */
export const input = { level: 0 };

/** Samples per process() call: the Web Audio render quantum. */
export const RENDER_QUANTUM = 128;
