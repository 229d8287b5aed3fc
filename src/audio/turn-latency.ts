import { DEFAULT_DECAY_MS } from '../dsp/level.js';
import { FRAME_MS } from '../wire.js';

/** Microphone level (the meter's 0..1 scale, -60..0 dBFS) at or above which the visitor is speaking: -30 dBFS. */
export const SPEAKING_LEVEL = 0.5;
/** Agent level above which the agent is audible: -54 dBFS. */
export const SOUNDING_LEVEL = 0.1;
/** What the meter falls by over one silent frame; a frame that fell less carried sound of its own. */
const FALL_PER_FRAME = FRAME_MS / DEFAULT_DECAY_MS;

/**
 * Measures conversational turn latency from the two meters: from the visitor's last voiced microphone
 * frame to the agent's first audible output after it. The meters decay slowly after sound stops, so
 * "voiced" means a frame whose level did not merely decay; a visitor speaking while the agent is
 * audible (echo, talking over it) starts no turn. Times come from the caller's clock, so the
 * resolution is that of the reports (about 50 ms, the playback worklet reports both levels).
 */
export class TurnTimer {
  /** The last measured turn, in ms, or null until one was measured. */
  latencyMs: number | null = null;
  #lastInput = 0;
  #lastVoiced = 0;
  #armed = false;
  #sounding = false;

  /** One microphone frame's level, at time `now` (ms). */
  input(level: number, now: number): void {
    const voiced = level >= SPEAKING_LEVEL && level > this.#lastInput - FALL_PER_FRAME + 1e-6;
    this.#lastInput = level;
    if (voiced && !this.#sounding) {
      this.#lastVoiced = now;
      this.#armed = true;
    }
  }

  /** One playback report's level, at time `now` (ms). */
  output(level: number, now: number): void {
    const sounding = level > SOUNDING_LEVEL;
    if (sounding && !this.#sounding && this.#armed) {
      this.latencyMs = Math.round(now - this.#lastVoiced);
      this.#armed = false;
    }
    this.#sounding = sounding;
  }
}
