import { DelayEstimator } from './delay-estimator.js';
import { TimeStretch } from './time-stretch.js';

/**
 * Least delay the adaptive buffer adds, in ms: one render quantum and a little, so audio arriving on
 * time never waits longer. For a fixed buffer (`adaptive: false`), the prebuffer.
 */
export const DEFAULT_PREBUFFER_MS = 4;
/** Most agent audio kept queued, in ms; beyond it the oldest is dropped (a safety net, not a normal path). */
export const DEFAULT_MAX_QUEUE_MS = 30_000;

/**
 * Most voiced audio is sped up to drain a backlog (0.15: 15 % faster), and slowed down to build one
 * before the queue runs dry: one pitch period removed or added per period / rate of output.
 */
const SPEED_UP = 0.15;
const SLOW_DOWN = 0.2;
/** After an analysis that changed nothing, play this long before the next one (bounds the cost), in ms. */
const RETRY_MS = 10;
/** How long the concealment plays, fading out, when the queue runs dry, in ms. */
const CONCEAL_MS = 25;
/**
 * Jitter a session is assumed to have until it has shown its own, in ms. It never delays the first
 * sound: playback starts at once and is slowed down toward it, and it is forgotten linearly over the
 * first ASSUMED_FOR arrivals (about a second of audio in 20 ms frames), leaving the measured jitter.
 */
const ASSUMED_JITTER_MS = 60;
const ASSUMED_FOR = 50;
/**
 * Least jitter assumed once playing, in ms: a late wake-up of the threads that carry audio (network,
 * socket Worker) on a busy device shows in no arrival statistics until it has caused an underrun. One
 * frame (20 ms, as NetEq keeps) was not enough on a starved 2-core machine (README, Playback). The
 * first sound does not wait for it; the queue is stretched up to it.
 */
export const LEAST_JITTER_MS = 40;
/** Nothing queued and no audio for this long ends a turn: the next audio is a new stream, in ms. */
const TURN_GAP_MS = 250;

/** Options for {@link JitterBuffer}. */
export interface JitterBufferOptions {
  /** Sample rate of the pushed and pulled samples, in Hz. */
  sampleRate: number;
  /**
   * Least delay added before playback starts or resumes, in ms (default {@link DEFAULT_PREBUFFER_MS});
   * the adaptive buffer adds the jitter it has measured. A fixed buffer waits for this much queued audio.
   */
  prebufferMs?: number;
  /** Most audio kept queued, in ms (default {@link DEFAULT_MAX_QUEUE_MS}); beyond it the oldest is dropped. */
  maxMs?: number;
  /** Length of the fades at start, underrun and interrupt, in ms (default 5). */
  fadeMs?: number;
  /**
   * Default true: learn the delay from the arrivals, drain and build the queue by time-scale
   * modification, conceal underruns. False: the fixed prebuffer and nothing else.
   */
  adaptive?: boolean;
}

/** Counters and state of a {@link JitterBuffer}. */
export interface JitterBufferStats {
  /** Times the queue ran dry during playback (includes ordinary ends of speech: the two look alike). */
  underruns: number;
  /** Samples dropped because the queue hit its cap. */
  droppedSamples: number;
  /** Silence played between an underrun and the resumption of playback (counted when playback resumes). */
  insertedSilenceSamples: number;
  /** Samples played by repeating the last pitch period after an underrun (part of the inserted silence). */
  concealedSamples: number;
  /** Samples added by slowing playback down (pitch kept). */
  stretchedSamples: number;
  /** Samples saved by speeding playback up (pitch kept). */
  shortenedSamples: number;
  /** Delay the buffer aims for, in samples: the least delay plus the measured jitter. */
  targetSamples: number;
  /** True while queued audio is being played (false while prebuffering). */
  playing: boolean;
}

// The queue starts this small and doubles on demand, so a buffer with a 30 s cap costs little until used.
const INITIAL_CAPACITY_MS = 1000;

/**
 * Playback queue between the network and the audio thread: a growable ring buffer of Float32 samples,
 * modelled on WebRTC's NetEq. Each push is timed by the samples pulled so far (the audio clock), so
 * the buffer measures how late audio arrives; it aims for a delay of `prebufferMs` plus a high
 * percentile of that lateness, starts a stream once that long has passed since its earliest arrival,
 * and then shortens or lengthens the queue by whole pitch periods ({@link TimeStretch}) toward it.
 * When the queue runs dry, the last pitch period is repeated, fading out; audio that comes back
 * fades in. The output gain never jumps. With `adaptive: false` it is a fixed prebuffer: playback
 * starts once `prebufferMs` is queued, and the last `fadeMs` before the queue runs dry fade out.
 */
export class JitterBuffer {
  /** Sample rate, in Hz. */
  readonly sampleRate: number;
  readonly #adaptive: boolean;
  readonly #prebufferSamples: number;
  readonly #maxSamples: number;
  readonly #fadeSamples: number;
  readonly #stretch: TimeStretch;
  readonly #delays = new DelayEstimator();

  readonly #counts = {
    underruns: 0,
    droppedSamples: 0,
    insertedSilenceSamples: 0,
    concealedSamples: 0,
    stretchedSamples: 0,
    shortenedSamples: 0,
  };
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

  // Time, in samples: the clock is the output pulled so far; pushed/consumed count the input stream.
  #clock = 0;
  #pushed = 0;
  #consumed = 0;
  #lastPushAt = -Infinity;
  // Earliest arrival of the current stream on its media clock (arrival time minus audio before it).
  #earliest = Infinity;
  // The output of the last time-scale step (in the stretcher's `out`), and how much input it stands for.
  #pendPos = 0;
  #pendLength = 0;
  #pendInput = 0;
  /** Output to play before the next time-scale analysis. */
  #wait = 0;
  // The last real samples played (for concealment) and the concealment in progress, before its fade.
  readonly #history: Float32Array;
  #historyPos = 0;
  readonly #concealment: Float32Array;
  #concealPos = 0;
  #concealGain = 0;
  #concealStep = 0;

  /** A buffer for audio at `options.sampleRate`; see {@link JitterBufferOptions} for the defaults. */
  constructor(options: JitterBufferOptions) {
    const {
      sampleRate,
      prebufferMs = DEFAULT_PREBUFFER_MS,
      maxMs = DEFAULT_MAX_QUEUE_MS,
      fadeMs = 5,
      adaptive = true,
    } = options;
    this.sampleRate = sampleRate;
    this.#adaptive = adaptive;
    this.#prebufferSamples = this.#samples(prebufferMs);
    this.#maxSamples = Math.max(1, this.#samples(maxMs));
    this.#fadeSamples = Math.max(1, this.#samples(fadeMs));
    this.#ring = new Float32Array(
      Math.min(this.#maxSamples, Math.max(this.#samples(INITIAL_CAPACITY_MS), 2 * this.#prebufferSamples, 1)),
    );
    this.#tail = new Float32Array(this.#fadeSamples);
    this.#stretch = new TimeStretch(sampleRate);
    this.#concealment = new Float32Array(this.#samples(CONCEAL_MS));
    // Two periods before the last samples played (up to a period): the one repeated and the one before.
    this.#history = new Float32Array(3 * this.#stretch.maxPeriod);
  }

  /** Samples still to be played (excluding an interrupt's fade-out). */
  get queuedSamples(): number {
    return this.#count + this.#pendLength - this.#pendPos;
  }

  /** How far playback has come through everything pushed, in input samples (played, skipped or dropped). */
  get playedSamples(): number {
    const pending = this.#pendLength - this.#pendPos;
    return this.#consumed - (pending && (pending * this.#pendInput) / this.#pendLength);
  }

  /** A snapshot of the counters. */
  get stats(): JitterBufferStats {
    return { ...this.#counts, targetSamples: this.#target(), playing: this.#isPlaying };
  }

  /** Queues `samples`; returns how many samples (oldest first) were dropped to stay within the cap. */
  push(samples: Float32Array): number {
    if (this.#adaptive) {
      // Times the arrival: a new stream after a long enough pause, else how late it is.
      const idle = this.#count === 0 && !this.#isPlaying && this.#pendPos === this.#pendLength;
      if (idle && this.#clock - this.#lastPushAt >= this.#samples(TURN_GAP_MS)) this.#earliest = Infinity;
      const media = this.#clock - this.#pushed;
      // Several pushes in one quantum arrived together: the first of them was the late one.
      if (this.#clock !== this.#lastPushAt && this.#earliest !== Infinity) {
        this.#delays.add(((media - this.#earliest) * 1000) / this.sampleRate); // early ones count as on time
      }
      this.#earliest = Math.min(this.#earliest, media);
      this.#lastPushAt = this.#clock;
    }
    this.#pushed += samples.length;
    let input = samples;
    // The cap counts what a stretch still has pending too: queuedSamples never exceeds it.
    let dropped = Math.max(0, this.queuedSamples + input.length - this.#maxSamples);
    if (dropped > 0) {
      // Dropping oldest audio mid-playback is an audible jump, accepted since the cap is a safety net.
      const fromQueue = Math.min(dropped, this.#count);
      this.#readPos = (this.#readPos + fromQueue) % this.#ring.length;
      this.#count -= fromQueue;
      input = input.subarray(Math.min(input.length, dropped - fromQueue));
      this.#counts.droppedSamples += dropped;
      this.#consumed += dropped;
    }
    // Grows the ring (doubling, up to the cap) to hold it.
    let size = this.#ring.length;
    if (this.#count + input.length > size) {
      while (size < this.#count + input.length) size *= 2;
      const grown = new Float32Array((size = Math.min(size, this.#maxSamples)));
      const tail = Math.min(this.#count, this.#ring.length - this.#readPos);
      grown.set(this.#ring.subarray(this.#readPos, this.#readPos + tail), 0);
      grown.set(this.#ring.subarray(0, this.#count - tail), tail);
      this.#ring = grown;
      this.#readPos = 0;
    }
    const write = (this.#readPos + this.#count) % size;
    const first = Math.min(input.length, size - write);
    this.#ring.set(input.subarray(0, first), write);
    this.#ring.set(input.subarray(first), 0);
    this.#count += input.length;
    return dropped;
  }

  /** Fills `out` with the next samples to play; silence when there is nothing (yet) to play. */
  pull(out: Float32Array): void {
    const n = out.length;
    // Nothing asked, nothing played: time-scale decisions are made per block that sounds.
    if (n === 0) return;
    let i = 0;
    while (this.#tailPos < this.#tailLength && i < n) out[i++] = this.#tail[this.#tailPos++];
    // Where the concealment starts adding to `out` (an earlier one still sounding, or one to start).
    let concealFrom = i;

    // Ready: waited the target since the stream's earliest arrival, or (fixed) the prebuffer is queued.
    const ready = this.#adaptive ? this.#delay() >= this.#target(true) : this.#count >= this.#prebufferSamples;
    if (!this.#isPlaying && this.#count > 0 && ready) {
      this.#isPlaying = true;
      if (this.#starved) this.#counts.insertedSilenceSamples += this.#gapSamples;
      this.#starved = false;
      this.#gapSamples = 0;
      // A new stream's concealment must not replay an older one's audio.
      this.#history.fill(0);
      // A concealment still sounding cross-fades into the returning audio.
      this.#concealStep = Math.max(this.#concealStep, this.#concealGain / this.#fadeSamples);
    }
    if (this.#isPlaying && this.#adaptive && this.#wait <= 0 && this.#pendPos === this.#pendLength) this.#adapt();

    while (this.#isPlaying && i < n) {
      if (this.#pendPos < this.#pendLength) {
        const length = Math.min(n - i, this.#pendLength - this.#pendPos);
        i = this.#play(this.#stretch.out, this.#pendPos, length, out, i);
        this.#pendPos += length;
      } else if (this.#count > 0) {
        const length = Math.min(n - i, this.#count, this.#ring.length - this.#readPos);
        i = this.#play(this.#ring, this.#readPos, length, out, i);
        this.#readPos = (this.#readPos + length) % this.#ring.length;
        this.#count -= length;
        this.#consumed += length;
      } else {
        this.#counts.underruns++;
        this.#isPlaying = false;
        this.#starved = true;
        // Nothing arrives during a pull, so the samples this block has played so far are the last: the
        // concealment cross-fades from them, correcting what was written.
        if (this.#adaptive) concealFrom = i - this.#startConcealment(i - concealFrom);
      }
    }

    if (i < n) {
      out.fill(0, i);
      if (this.#starved) this.#gapSamples += n - i;
    }
    // The concealment, faded out faster when audio comes back or on interrupt(); counted while it fills
    // a gap, not while it cross-fades into returning audio.
    const c = this.#concealment;
    for (i = concealFrom; i < n && this.#concealGain > 0 && this.#concealPos < c.length; i++) {
      out[i] += c[this.#concealPos++] * this.#concealGain;
      this.#concealGain -= this.#concealStep;
    }
    if (!this.#isPlaying) this.#counts.concealedSamples += i - concealFrom;
    this.#clock += n;
    this.#wait -= n;
  }

  /**
   * Drops all queued audio (barge-in), fading out over `fadeMs` instead of stopping with a click. Not
   * counted as an underrun or as dropped samples; playback restarts as at the start of a turn.
   */
  interrupt(): void {
    // While an earlier fade-out is still playing nothing queued has been heard yet: keep that fade.
    if (this.#tailPos === this.#tailLength) {
      const pending = this.#pendLength - this.#pendPos;
      const n = this.#isPlaying ? Math.min(this.#fadeSamples, this.#count + pending) : 0;
      for (let i = 0; i < n; i++) {
        const sample =
          i < pending
            ? this.#stretch.out[this.#pendPos + i]
            : this.#ring[(this.#readPos + i - pending) % this.#ring.length];
        this.#tail[i] = sample * this.#gain * ((n - 1 - i) / n);
      }
      this.#tailPos = 0;
      this.#tailLength = n;
    }
    this.#concealStep = Math.max(this.#concealStep, this.#concealGain / this.#fadeSamples);
    this.#consumed += this.#count;
    this.#readPos = 0;
    this.#count = 0;
    this.#pendPos = this.#pendLength = 0;
    this.#gain = 0;
    this.#isPlaying = false;
    this.#starved = false;
    this.#gapSamples = 0;
    this.#earliest = Infinity;
  }

  #samples(ms: number): number {
    return Math.round((ms * this.sampleRate) / 1000);
  }

  /** The delay aimed for, in samples; at a (re)start, only the jitter measured counts. */
  #target(starting = false): number {
    if (!this.#adaptive) return this.#prebufferSamples;
    const { jitterMs, arrivals } = this.#delays;
    const assumed = starting ? 0 : Math.max(LEAST_JITTER_MS, ASSUMED_JITTER_MS * (1 - arrivals / ASSUMED_FOR));
    return this.#prebufferSamples + this.#samples(Math.max(jitterMs, assumed));
  }

  /** How long the next queued sample will have waited, measured from its stream's earliest arrival. */
  #delay(): number {
    return this.#clock - this.#consumed - this.#earliest;
  }

  /** Shortens or lengthens the head of the queue by a pitch period when the delay is off target. */
  #adapt(): void {
    const stretch = this.#stretch;
    const excess = this.#delay() - this.#target();
    const available = Math.min(this.#count, stretch.head.length);
    if (Math.abs(excess) < this.#fadeSamples || available < this.#fadeSamples) return;
    for (let i = 0; i < available; i++) stretch.head[i] = this.#ring[(this.#readPos + i) % this.#ring.length];
    this.#wait = this.#samples(RETRY_MS);
    if (!stretch.analyse(available)) return;
    const p = stretch.period;
    // Silence is changed back to back (pauses go at up to 4× and 2× speed); voiced audio at the rate bounds.
    if (excess >= p) {
      this.#pendLength = stretch.shorten();
      this.#pendInput = 2 * p;
      this.#counts.shortenedSamples += 2 * p - this.#pendLength;
      this.#wait = stretch.silent ? 0 : p / SPEED_UP;
    } else if (-excess >= p / 2) {
      this.#pendLength = stretch.lengthen();
      this.#pendInput = p;
      this.#counts.stretchedSamples += p;
      this.#wait = stretch.silent ? 0 : p / SLOW_DOWN;
    } else return;
    this.#pendPos = 0;
    this.#readPos = (this.#readPos + this.#pendInput) % this.#ring.length;
    this.#count -= this.#pendInput;
    this.#consumed += this.#pendInput;
  }

  /** Copies `length` samples from `source` to `out` at `i` under the fade gain; returns the new `i`. */
  #play(source: Float32Array, from: number, length: number, out: Float32Array, i: number): number {
    const step = 1 / this.#fadeSamples;
    const history = this.#history;
    let h = this.#historyPos;
    let gain = this.#gain;
    // The fixed buffer fades out the last fadeMs before the queue runs dry; the adaptive one conceals.
    let left = this.#adaptive ? Infinity : this.#count;
    for (let k = from; k < from + length; k++) {
      const sample = source[k];
      // Rise by at most one fade step per sample (and fall early enough to reach 0 with the last one).
      gain = Math.min(1, gain + step, --left * step);
      out[i++] = sample * gain;
      history[h] = sample;
      h = h + 1 === history.length ? 0 : h + 1;
    }
    this.#historyPos = h;
    this.#gain = gain;
    return i;
  }

  /**
   * Prepares the concealment from the last `played` samples of the render quantum (at most a period
   * of them are held: corrected in `out`): the pitch period before the held samples, repeated, each
   * repeat cross-fading from it into the period before it so that it joins the next, and the held
   * samples cross-faded into it. Every join is a cross-fade; none relies on the period spanning a
   * whole number of samples. Only #conceal's fade-out is left. Returns how many were held.
   */
  #startConcealment(played: number): number {
    const { head } = this.#stretch;
    const history = this.#history;
    const size = history.length;
    // Newest first, so the analysis (which looks at the start of `head`) sees the latest periods.
    const end = this.#historyPos + size;
    for (let k = 0; k < head.length; k++) head[k] = history[(end - 1 - k) % size];
    this.#stretch.analyse(head.length);
    const p = this.#stretch.period;
    const c = this.#concealment;
    const held = Math.min(played, p);
    const from = end - held;
    const gain = this.#gain;
    for (let j = 0; j < c.length; j++) {
      const k = j % p;
      const w = (k + 1) / (p + 1);
      const repeat = history[(from - p + k) % size] * (1 - w) + history[(from - 2 * p + k) % size] * w;
      // The held samples are in `out` already, at the gain of the moment: the difference is added that
      // cross-fades them into the repeat, all under the fade-out.
      const live = j < held ? history[(from + j) % size] : 0;
      const x = Math.min(1, (j + 1) / (held + 1));
      c[j] = gain * ((live + (repeat - live) * x) * (1 - j / c.length) - live);
    }
    // Counted from where the queue ran dry, as the inserted silence is.
    this.#counts.concealedSamples -= held;
    this.#concealPos = 0;
    this.#concealGain = 1;
    this.#concealStep = 0;
    this.#gain = 0;
    return held;
  }
}
