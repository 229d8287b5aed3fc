import { floatToInt16 } from './pcm.js';

/**
 * Cuts a stream of Float32 blocks of any size into fixed-size Int16 frames (320 samples = 640 bytes,
 * the wire frame at 16 kHz). Each frame is a new Int16Array owning its whole buffer, so it can be
 * transferred to another thread or sent as is.
 */
export class Framer {
  /** Samples per emitted frame. */
  readonly frameSamples: number;
  // The frame being filled; converted as samples arrive so no Float32 staging copy is needed.
  #frame: Int16Array | null = null;
  #fill = 0;

  /** A framer emitting frames of `frameSamples` samples (the wire's is FRAME_SAMPLES in wire.ts). */
  constructor(frameSamples: number) {
    if (!Number.isInteger(frameSamples) || frameSamples < 1) {
      throw new RangeError(`frameSamples must be a positive integer, got ${frameSamples}`);
    }
    this.frameSamples = frameSamples;
  }

  /** Appends `samples`, calling `emit` synchronously for every frame completed. */
  push(samples: Float32Array, emit: (frame: Int16Array) => void): void {
    let i = 0;
    while (i < samples.length) {
      const frame = this.#frame ?? new Int16Array(this.frameSamples);
      this.#frame = frame;
      const n = Math.min(this.frameSamples - this.#fill, samples.length - i);
      floatToInt16(samples.subarray(i, i + n), frame.subarray(this.#fill, this.#fill + n));
      i += n;
      this.#fill += n;
      if (this.#fill === this.frameSamples) {
        this.#frame = null;
        this.#fill = 0;
        emit(frame);
      }
    }
  }
}
