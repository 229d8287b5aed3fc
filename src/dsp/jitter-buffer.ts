/** Agent audio queued before playback starts or resumes, in ms: absorbs ordinary network jitter. */
export const DEFAULT_PREBUFFER_MS = 60;
/** Most agent audio kept queued, in ms; beyond it the oldest is dropped (a safety net, not a normal path). */
export const DEFAULT_MAX_QUEUE_MS = 30_000;

/** Options for {@link JitterBuffer}. */
export interface JitterBufferOptions {
  /** Sample rate of the pushed and pulled samples, in Hz. */
  sampleRate: number;
  /** Audio to queue before playback starts or resumes, in ms (default {@link DEFAULT_PREBUFFER_MS}). */
  prebufferMs?: number;
  /** Most audio kept queued, in ms (default {@link DEFAULT_MAX_QUEUE_MS}); beyond it the oldest is dropped. */
  maxMs?: number;
  /** Length of the fades at start, underrun and interrupt, in ms (default 5). */
  fadeMs?: number;
}

/** Counters and state of a {@link JitterBuffer}. */
export interface JitterBufferStats {
  /** Times the queue ran dry during playback (includes ordinary ends of speech: the two look alike). */
  underruns: number;
  /** Samples dropped because the queue hit its cap. */
  droppedSamples: number;
  /** Silence played between an underrun and the resumption of playback (counted when playback resumes). */
  insertedSilenceSamples: number;
  /** True while queued audio is being played (false while prebuffering). */
  playing: boolean;
}

// The queue starts this small and doubles on demand, so a buffer with a 30 s cap costs little until used.
const INITIAL_CAPACITY_MS = 1000;

/**
 * Playback queue between the network and the audio thread: a growable ring buffer of Float32 samples.
 * Playback starts once `prebufferMs` is queued. The output gain never jumps: it rises from 0 over
 * `fadeMs` when playback (re)starts, and is held at most at (samples left)/(fade samples), so the last
 * `fadeMs` before the queue runs dry fade out instead of ending in a click.
 */
export class JitterBuffer {
  /** Sample rate, in Hz. */
  readonly sampleRate: number;
  readonly #prebufferSamples: number;
  readonly #maxSamples: number;
  readonly #fadeSamples: number;

  #ring: Float32Array;
  #readPos = 0;
  #count = 0;
  #gain = 0;
  #isPlaying = false;
  // Underrun bookkeeping: silence played since the last underrun, not yet counted as inserted.
  #starved = false;
  #gapSamples = 0;
  // The faded-out head of the audio cut by interrupt(), played before anything else.
  readonly #tail: Float32Array;
  #tailPos = 0;
  #tailLength = 0;
  #underruns = 0;
  #droppedSamples = 0;
  #insertedSilenceSamples = 0;

  /** A buffer for audio at `options.sampleRate`; see {@link JitterBufferOptions} for the defaults. */
  constructor(options: JitterBufferOptions) {
    const { sampleRate, prebufferMs = DEFAULT_PREBUFFER_MS, maxMs = DEFAULT_MAX_QUEUE_MS, fadeMs = 5 } = options;
    const samples = (ms: number): number => Math.round((ms * sampleRate) / 1000);
    this.sampleRate = sampleRate;
    this.#prebufferSamples = samples(prebufferMs);
    this.#maxSamples = Math.max(1, samples(maxMs));
    this.#fadeSamples = Math.max(1, samples(fadeMs));
    this.#ring = new Float32Array(
      Math.min(this.#maxSamples, Math.max(samples(INITIAL_CAPACITY_MS), 2 * this.#prebufferSamples, 1)),
    );
    this.#tail = new Float32Array(this.#fadeSamples);
  }

  /** Samples queued and not yet played (excluding an interrupt's fade-out). */
  get queuedSamples(): number {
    return this.#count;
  }

  /** A snapshot of the counters. */
  get stats(): JitterBufferStats {
    return {
      underruns: this.#underruns,
      droppedSamples: this.#droppedSamples,
      insertedSilenceSamples: this.#insertedSilenceSamples,
      playing: this.#isPlaying,
    };
  }

  /** Queues `samples`; returns how many samples (oldest first) were dropped to stay within the cap. */
  push(samples: Float32Array): number {
    let input = samples;
    let dropped = Math.max(0, this.#count + input.length - this.#maxSamples);
    if (dropped > 0) {
      // Dropping oldest audio mid-playback is an audible jump, accepted since the cap is a safety net.
      const fromQueue = Math.min(dropped, this.#count);
      this.#readPos = (this.#readPos + fromQueue) % this.#ring.length;
      this.#count -= fromQueue;
      input = input.subarray(dropped - fromQueue);
      this.#droppedSamples += dropped;
    }
    this.#ensureCapacity(this.#count + input.length);
    const size = this.#ring.length;
    const write = (this.#readPos + this.#count) % size;
    const first = Math.min(input.length, size - write);
    this.#ring.set(input.subarray(0, first), write);
    this.#ring.set(input.subarray(first), 0);
    this.#count += input.length;
    return dropped;
  }

  /** Fills `out` with the next samples to play; silence when there is nothing (yet) to play. */
  pull(out: Float32Array): void {
    let i = 0;
    while (this.#tailPos < this.#tailLength && i < out.length) out[i++] = this.#tail[this.#tailPos++];

    if (!this.#isPlaying && this.#count > 0 && this.#count >= this.#prebufferSamples) {
      this.#isPlaying = true;
      if (this.#starved) this.#insertedSilenceSamples += this.#gapSamples;
      this.#starved = false;
      this.#gapSamples = 0;
    }

    if (this.#isPlaying) {
      // Locals for the per-sample loop.
      const ring = this.#ring;
      const step = 1 / this.#fadeSamples;
      let readPos = this.#readPos;
      let count = this.#count;
      let gain = this.#gain;
      for (; i < out.length && count > 0; i++) {
        const sample = ring[readPos];
        readPos = readPos + 1 === ring.length ? 0 : readPos + 1;
        count--;
        // Rise by at most one fade step per sample; fall early enough to reach 0 with the last sample.
        gain = Math.min(1, gain + step, count * step);
        out[i] = sample * gain;
      }
      this.#readPos = readPos;
      this.#count = count;
      this.#gain = gain;
      if (i < out.length) {
        this.#underruns++;
        this.#isPlaying = false;
        this.#starved = true;
      }
    }

    if (i < out.length) {
      out.fill(0, i);
      if (this.#starved) this.#gapSamples += out.length - i;
    }
  }

  /**
   * Drops all queued audio (barge-in), fading out over `fadeMs` instead of stopping with a click. Not
   * counted as an underrun or as dropped samples; playback restarts after a new prebuffer.
   */
  interrupt(): void {
    // While an earlier fade-out is still playing nothing queued has been heard yet: keep that fade.
    if (this.#tailPos === this.#tailLength) {
      const n = this.#isPlaying ? Math.min(this.#fadeSamples, this.#count) : 0;
      for (let i = 0; i < n; i++) {
        this.#tail[i] = this.#ring[(this.#readPos + i) % this.#ring.length] * this.#gain * ((n - 1 - i) / n);
      }
      this.#tailPos = 0;
      this.#tailLength = n;
    }
    this.#readPos = 0;
    this.#count = 0;
    this.#gain = 0;
    this.#isPlaying = false;
    this.#starved = false;
    this.#gapSamples = 0;
  }

  /** Grows the ring (doubling, up to the cap) so it can hold `needed` samples. */
  #ensureCapacity(needed: number): void {
    if (needed <= this.#ring.length) return;
    let size = this.#ring.length;
    while (size < needed) size *= 2;
    const grown = new Float32Array(Math.min(size, this.#maxSamples));
    const first = Math.min(this.#count, this.#ring.length - this.#readPos);
    grown.set(this.#ring.subarray(this.#readPos, this.#readPos + first), 0);
    grown.set(this.#ring.subarray(0, this.#count - first), first);
    this.#ring = grown;
    this.#readPos = 0;
  }
}
