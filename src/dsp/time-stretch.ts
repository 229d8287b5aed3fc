/** Shortest pitch period looked for, in ms (400 Hz). */
const MIN_PERIOD_MS = 2.5;
/** Longest pitch period looked for, in ms (~83 Hz, below most adult voices). */
export const MAX_PERIOD_MS = 12;
/** Below this RMS (about -46 dBFS) a segment counts as silence: any period may be cut or repeated. */
const SILENCE_RMS = 0.005;
/** Least normalised correlation between two neighbouring periods for a voiced segment to be changed. */
const MIN_CORRELATION = 0.6;

/**
 * Pitch-synchronous time-scale modification (WSOLA with one pitch period as the shift): a segment is
 * shortened by one period by cross-fading its first period into its second, or lengthened by one
 * period by repeating it through a cross-fade. Whole periods go or come, so the pitch stays; the
 * cross-fades keep the waveform continuous at both ends. The caller copies the head of its queue into
 * `head` and plays `out`; nothing is allocated after construction.
 */
export class TimeStretch {
  /** Longest period, in samples; `head` holds two of them. */
  readonly maxPeriod: number;
  readonly #minPeriod: number;
  /** The queue's next samples, as copied by the caller (at most 2 × maxPeriod are read). */
  readonly head: Float32Array;
  /** The result of the last shorten() or lengthen(). */
  readonly out: Float32Array;
  /** Period found by the last analyse(), in samples. */
  period = 0;
  /** True when the last analyse() found silence (then `period` is the longest that fits). */
  silent = false;

  /** Buffers for audio at `sampleRate` Hz. */
  constructor(sampleRate: number) {
    this.#minPeriod = Math.round((MIN_PERIOD_MS * sampleRate) / 1000);
    this.maxPeriod = Math.round((MAX_PERIOD_MS * sampleRate) / 1000);
    this.head = new Float32Array(2 * this.maxPeriod);
    this.out = new Float32Array(2 * this.maxPeriod);
  }

  /**
   * Looks at the first `available` samples of `head` for the period P that best repeats (x[i] ≈ x[i+P]
   * over i < P, by normalised cross-correlation). Returns false when the segment is too short or is
   * voiced but not periodic enough to change without an audible seam (noise, a word's onset).
   */
  analyse(available: number): boolean {
    const x = this.head;
    const longest = Math.min(this.maxPeriod, available >> 1);
    if (longest < this.#minPeriod) return false;
    let energy = 0;
    for (let i = 0; i < 2 * longest; i++) energy += x[i] * x[i];
    this.silent = energy < SILENCE_RMS * SILENCE_RMS * 2 * longest;
    this.period = longest;
    if (this.silent) return true;
    // Coarse search on every other lag, then the two neighbours of the best: half the work.
    let best = -1;
    for (let p = this.#minPeriod; p <= longest; p += 2) {
      const c = this.#correlation(p);
      if (c > best) [best, this.period] = [c, p];
    }
    for (const p of [this.period - 1, this.period + 1]) {
      if (p <= longest) {
        const c = this.#correlation(p);
        if (c > best) [best, this.period] = [c, p];
      }
    }
    return best >= MIN_CORRELATION;
  }

  /**
   * Writes into `out` what replaces the head's first 2P samples: one period, cross-faded from the
   * first into the second; silence keeps only a quarter, cross-faded over it. Returns its length.
   */
  shorten(): number {
    const { head: x, out, period: p } = this;
    const length = this.silent ? p >> 1 : p;
    const shift = 2 * p - length;
    for (let i = 0; i < length; i++) {
      const w = (i + 1) / (length + 1);
      out[i] = x[i] * (1 - w) + x[i + shift] * w;
    }
    return length;
  }

  /** Writes into `out` what replaces the head's first P samples: that period, then a cross-faded repeat of it. Returns 2P. */
  lengthen(): number {
    const { head: x, out, period: p } = this;
    for (let i = 0; i < p; i++) {
      const w = (i + 1) / (p + 1);
      out[i] = x[i];
      out[p + i] = x[p + i] * (1 - w) + x[i] * w;
    }
    return 2 * p;
  }

  #correlation(p: number): number {
    const x = this.head;
    let xy = 0;
    let xx = 0;
    let yy = 0;
    for (let i = 0; i < p; i++) {
      const a = x[i];
      const b = x[i + p];
      xy += a * b;
      xx += a * a;
      yy += b * b;
    }
    return xy / Math.sqrt(xx * yy + 1e-20);
  }
}
