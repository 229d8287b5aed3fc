/**
 * The AudioWorkletGlobalScope's names (`sampleRate`, `registerProcessor`, ...), typed. Import it only from
 * `*.worklet.ts` files: on the main thread these names do not exist (see types/audio-worklet.d.ts).
 */
export const workletScope = globalThis as unknown as AudioWorkletGlobalScope;

/** Samples per process() call: the Web Audio render quantum. */
export const RENDER_QUANTUM = 128;
