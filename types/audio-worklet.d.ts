// Types of the AudioWorkletGlobalScope, which TypeScript's DOM lib does not describe. Types only, on
// purpose: declaring `sampleRate` or `registerProcessor` as globals would let main-thread code use them
// and fail at run time. Worklet files read the values through `workletScope` (src/audio/worklet-scope.ts).
// `@types/audioworklet` would need its own tsconfig without the DOM lib (the two redeclare `MessagePort`,
// `Event`, ...), which `tsc --noEmit` over the whole tree cannot have.

/** The part of `AudioWorkletProcessor` the processors use. */
interface AudioWorkletProcessor {
  readonly port: MessagePort;
}

/** A processor class, as `registerProcessor()` takes it. */
interface AudioWorkletProcessorConstructor {
  new (options: AudioWorkletNodeOptions): AudioWorkletProcessor & {
    process(inputs: Float32Array[][], outputs: Float32Array[][], parameters: Record<string, Float32Array>): boolean;
  };
}

/** The globals of an audio worklet (https://webaudio.github.io/web-audio-api/#AudioWorkletGlobalScope). */
interface AudioWorkletGlobalScope {
  /** The context's sample rate, in Hz. */
  readonly sampleRate: number;
  /** The context time of the block being processed, in seconds. */
  readonly currentTime: number;
  /** The context frame of the block being processed. */
  readonly currentFrame: number;
  readonly AudioWorkletProcessor: new (options?: AudioWorkletNodeOptions) => AudioWorkletProcessor;
  registerProcessor(name: string, processorCtor: AudioWorkletProcessorConstructor): void;
}
