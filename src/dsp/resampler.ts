import { designLowpass, kaiserBeta, kaiserTaps } from './fir.js';

/** Design stopband attenuation of the anti-aliasing / anti-imaging filter, in dB. */
const ATTENUATION_DB = 75;

// Band edges as fractions of the lower rate's Nyquist frequency. For 16 kHz that is flat to 6.4 kHz and
// fully attenuated from 8.5 kHz: the band 8–8.5 kHz may fold into 7.5–8 kHz, where speech has no
// energy worth keeping, and the wider transition halves the filter length.
const PASS_EDGE = 0.8;
const STOP_EDGE = 1.0625;

// Up to this many phases the table holds every phase exactly (every common rate pair: 44.1k↔16k needs
// 160 or 441). Beyond, e.g. 44056→16000 (2000 phases), a table of INTERPOLATED_PHASES phases is
// interpolated linearly, which keeps the coefficient error near -95 dB.
const MAX_EXACT_PHASES = 512;
const INTERPOLATED_PHASES = 256;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Streaming polyphase rational resampler with a Kaiser-windowed sinc low-pass. Feed blocks of any size;
 * filter state carries across calls. After N input samples in total it has produced exactly
 * floor(N * outRate / inRate) output samples; the signal itself comes out `delaySamples` late.
 */
export class Resampler {
  /** Input sample rate in Hz. */
  readonly inRate: number;
  /** Output sample rate in Hz. */
  readonly outRate: number;
  /** Group delay of the filter, in output samples (may be fractional). */
  readonly delaySamples: number;
  /** Taps applied per output sample (per phase). */
  readonly tapsPerPhase: number;

  // Output n sits at input time (down - 1 + n * down) / up, tracked by an integer accumulator: no drift.
  readonly #up: number;
  readonly #down: number;
  readonly #phases: number;
  // Phase-major coefficients, each phase stored oldest-input-first so the dot product runs forwards.
  readonly #table: Float32Array;
  // Input history written twice (at i and i + taps) so the newest `taps` samples are always contiguous.
  readonly #history: Float32Array;
  #writePos = 0;
  // Position of the next output relative to the next input sample, in units of 1/up input samples.
  #acc = 0;

  /** A resampler from `inRate` to `outRate` (positive integer rates in Hz). */
  constructor(inRate: number, outRate: number) {
    for (const rate of [inRate, outRate]) {
      if (!Number.isInteger(rate) || rate <= 0)
        throw new RangeError(`sample rate must be a positive integer, got ${rate}`);
    }
    this.inRate = inRate;
    this.outRate = outRate;
    const g = gcd(inRate, outRate);
    this.#up = outRate / g;
    this.#down = inRate / g;
    const phases = this.#up <= MAX_EXACT_PHASES ? this.#up : INTERPOLATED_PHASES;
    this.#phases = phases;

    let prototype: Float32Array;
    if (inRate === outRate) {
      // Nothing to band-limit: a single unit tap passes samples through unchanged.
      this.tapsPerPhase = 1;
      prototype = new Float32Array([1]);
    } else {
      const nyquist = Math.min(inRate, outRate) / 2;
      const transition = ((STOP_EDGE - PASS_EDGE) * nyquist) / inRate;
      this.tapsPerPhase = kaiserTaps(ATTENUATION_DB, transition);
      const cutoff = (((PASS_EDGE + STOP_EDGE) / 2) * nyquist) / (inRate * phases);
      // Gain `phases` makes up for the zeros of the (virtual) upsampling, so each phase has unit DC gain.
      prototype = designLowpass(this.tapsPerPhase * phases, cutoff, { beta: kaiserBeta(ATTENUATION_DB), gain: phases });
    }

    const taps = this.tapsPerPhase;
    // One extra phase (the first, shifted by a tap) so interpolation between the last phase and the next
    // input sample needs no wrap-around.
    this.#table = new Float32Array((phases + 1) * taps);
    for (let p = 0; p <= phases; p++) {
      for (let j = 0; j < taps; j++) {
        const k = p + (taps - 1 - j) * phases;
        this.#table[p * taps + j] = k < prototype.length ? prototype[k] : 0;
      }
    }
    this.#history = new Float32Array(2 * taps);
    this.reset();
    // Output n ≈ input at time n * down / up - delayIn, where delayIn = prototype centre - start offset.
    const delayIn = (taps * phases - 1) / (2 * phases) - (this.#down - 1) / this.#up;
    this.delaySamples = (delayIn * this.#up) / this.#down;
  }

  /** Clears the filter history, as if freshly constructed. */
  reset(): void {
    this.#history.fill(0);
    this.#writePos = 0;
    // Starting at down - 1 makes the count after N inputs exactly floor(N * up / down).
    this.#acc = this.#down - 1;
  }

  /** How many samples the next `process` call will produce for `inputLength` input samples. */
  outputLength(inputLength: number): number {
    const span = inputLength * this.#up - this.#acc;
    return span > 0 ? Math.ceil(span / this.#down) : 0;
  }

  /** Resamples a block into a new array of exactly `outputLength(input.length)` samples. */
  process(input: Float32Array): Float32Array {
    const out = new Float32Array(this.outputLength(input.length));
    this.processInto(input, out);
    return out;
  }

  /**
   * Resamples a block into `out` without allocating and returns the number of samples written
   * (`out` must hold at least `outputLength(input.length)`, e.g. `Math.ceil(n * outRate / inRate)`).
   */
  processInto(input: Float32Array, out: Float32Array): number {
    const needed = this.outputLength(input.length);
    if (out.length < needed) throw new RangeError(`output holds ${out.length} samples, need ${needed}`);
    // Locals for the per-sample loop.
    const table = this.#table;
    const history = this.#history;
    const up = this.#up;
    const down = this.#down;
    const phases = this.#phases;
    const taps = this.tapsPerPhase;
    const exact = phases === up;
    let writePos = this.#writePos;
    let acc = this.#acc;
    let o = 0;
    for (let i = 0; i < input.length; i++) {
      writePos = writePos + 1 === taps ? 0 : writePos + 1;
      history[writePos] = history[writePos + taps] = input[i];
      const start = writePos + 1; // oldest of the newest `taps` samples
      for (; acc < up; acc += down) {
        let y: number;
        if (exact) {
          y = dot(table, acc * taps, history, start, taps);
        } else {
          const position = (acc * phases) / up;
          const q = Math.floor(position);
          const frac = position - q;
          const a = dot(table, q * taps, history, start, taps);
          y = frac === 0 ? a : a + frac * (dot(table, (q + 1) * taps, history, start, taps) - a);
        }
        out[o++] = y;
      }
      acc -= up;
    }
    this.#writePos = writePos;
    this.#acc = acc;
    return o;
  }
}

/** Dot product of `n` coefficients from `coef[c]` with `n` samples from `x[s]`. */
function dot(coef: Float32Array, c: number, x: Float32Array, s: number, n: number): number {
  let sum = 0;
  for (let j = 0; j < n; j++) sum += coef[c + j] * x[s + j];
  return sum;
}
