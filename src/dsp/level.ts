/** Level metering for the UI: block RMS mapped to 0..1 on a dB scale, with instant attack and linear decay. */

/** Time for a meter to fall from full scale to 0 in silence, in ms. */
export const DEFAULT_DECAY_MS = 300;

/** Quietest level shown, in dBFS: anything below reads 0. */
const FLOOR_DB = -60;

/** Maps an RMS value (full scale 1) to 0..1 linearly in dB, from {@link FLOOR_DB} dBFS (0) to 0 dBFS (1). */
export function rmsToLevel(rms: number): number {
  if (!(rms > 0)) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db - FLOOR_DB) / -FLOOR_DB));
}

/** The level of a signal at `level` after a gain of `gain` (linear, 0..1): a shift on the dB scale. */
export function levelAfterGain(level: number, gain: number): number {
  if (!(level > 0) || !(gain > 0)) return 0;
  return Math.min(1, Math.max(0, level + (20 * Math.log10(gain)) / -FLOOR_DB));
}

/**
 * A meter that jumps up to a louder block at once and falls back at a constant rate (in dB per second,
 * like a peak meter), reaching 0 from full scale after `decayMs` of silence.
 */
export class LevelMeter {
  /** Sample rate of the blocks fed to {@link process}, in Hz. */
  readonly sampleRate: number;
  /** Time to fall from 1 to 0, in ms. */
  readonly decayMs: number;
  #current = 0;

  /** A meter for blocks at `sampleRate` Hz; `decayMs` (default {@link DEFAULT_DECAY_MS}) is the fall time from 1 to 0. */
  constructor(sampleRate: number, options: { decayMs?: number } = {}) {
    this.sampleRate = sampleRate;
    this.decayMs = options.decayMs ?? DEFAULT_DECAY_MS;
  }

  /** Current level, 0..1. */
  get level(): number {
    return this.#current;
  }

  /** Measures one block and returns the updated level, 0..1. */
  process(samples: Float32Array): number {
    if (samples.length === 0) return this.#current;
    let sum = 0;
    for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
    const target = rmsToLevel(Math.sqrt(sum / samples.length));
    const fall = (samples.length * 1000) / (this.sampleRate * this.decayMs);
    this.#current = Math.max(target, this.#current - fall, 0);
    return this.#current;
  }
}
