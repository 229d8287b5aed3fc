/** Lateness classes of the histogram: 1 ms each, the last one collecting anything later. */
const BINS = 400;
/** Share of arrivals the target covers: a high percentile, so one odd arrival does not set it. */
const QUANTILE = 0.99;
/**
 * Weight kept by past arrivals at each new one: 0.996 per 20 ms frame forgets with a ~5 s time
 * constant, so after the network calms the target falls back within ~15 s, and grows at once.
 */
const FORGET = 0.996;

/**
 * How late audio arrives, learned over the session (after WebRTC NetEq's relative-delay histogram):
 * each arrival's delay is taken relative to the earliest arrival of the current stream (its "media
 * clock": arrival time minus the audio sent before it), so network delay that never varies costs
 * nothing. A histogram with exponential forgetting gives a high percentile of those lateness values.
 */
export class DelayEstimator {
  readonly #histogram = new Float64Array(BINS);
  #total = 0;
  #quantileMs = 0;
  /** Arrivals recorded (the prior not counted). */
  arrivals = 0;

  /** Lateness below which {@link QUANTILE} of the recent arrivals fell, in ms (0 before any). */
  get jitterMs(): number {
    return this.#quantileMs;
  }

  /** Records an arrival `latenessMs` behind the earliest of its stream. */
  add(latenessMs: number): void {
    const h = this.#histogram;
    this.arrivals++;
    for (let i = 0; i < BINS; i++) h[i] *= FORGET;
    h[Math.min(BINS - 1, Math.max(0, Math.floor(latenessMs)))] += 1;
    this.#total = this.#total * FORGET + 1;
    // Walk down from the latest class until the mass above reaches the tail share.
    let above = 0;
    let i = BINS - 1;
    while (i > 0 && above + h[i] <= (1 - QUANTILE) * this.#total) above += h[i--];
    this.#quantileMs = i && i + 1; // a class's upper edge, but on-time arrivals (class 0) cost nothing
  }
}
