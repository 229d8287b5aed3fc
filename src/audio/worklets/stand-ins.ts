// Imported first by standalone.worklet.ts: where that file runs as the socket Worker, the processors'
// modules still evaluate (their classes extend AudioWorkletProcessor, they call registerProcessor), so
// a Worker gets inert stand-ins for those two names. In an AudioWorklet, nothing changes.
const scope = globalThis as { registerProcessor?: unknown; AudioWorkletProcessor?: unknown };

/** True in an AudioWorkletGlobalScope, false in the socket Worker. */
export const inWorklet = typeof scope.registerProcessor === 'function';

if (!inWorklet) {
  scope.AudioWorkletProcessor = Object; // a class to extend, never instantiated here
  scope.registerProcessor = () => {};
}
