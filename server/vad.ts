/**
 * Energy voice-activity detector for 20 ms frames of 16 kHz Int16 PCM. Pure: no timers, no I/O; the
 * caller feeds frames in order and acts on the events.
 *
 * The noise floor is the quietest frame of the last few seconds (minimum statistics): speech has gaps
 * between words that reveal the floor, while a steady noise (a fan, a looping test tone) becomes the
 * floor itself within one window, so it stops counting as speech.
 */

/** Tuning of {@link EnergyVad}; every duration is rounded to whole frames. */
export interface VadOptions {
  /** Length of one frame. */
  frameMs: number;
  /** Consecutive voiced time needed to declare speech (rejects clicks). */
  onsetMs: number;
  /** Unvoiced time that ends an utterance (pauses between words are shorter). */
  hangoverMs: number;
  /** Utterances with less voiced time than this are discarded (coughs, bumps). */
  minSpeechMs: number;
  /** An utterance is cut here even if the user keeps talking. */
  maxUtteranceMs: number;
  /** How far above the noise floor a frame must be to count as voiced. */
  marginDb: number;
  /** Frames quieter than this never count as voiced, whatever the floor. */
  minLevelDb: number;
  /** Span over which the noise floor is the minimum frame level. */
  floorWindowMs: number;
}

/** Defaults: hangover ~600 ms, minimum utterance ~300 ms, cap 15 s. */
export const DEFAULT_VAD_OPTIONS: Readonly<VadOptions> = {
  frameMs: 20,
  onsetMs: 60,
  hangoverMs: 600,
  minSpeechMs: 300,
  maxUtteranceMs: 15_000,
  marginDb: 10,
  minLevelDb: -50,
  floorWindowMs: 3_000,
};

/** What a frame changed; `null` from {@link EnergyVad.push} means nothing did. */
export type VadEvent =
  /** Speech began (the onset frames are the last ones pushed). */
  | { type: 'start' }
  /** The utterance is over and long enough. `trailingFrames` are the unvoiced frames at its end. */
  | { type: 'end'; speechMs: number; trailingFrames: number; capped: boolean }
  /** The utterance is over but too short to be speech. */
  | { type: 'discard'; speechMs: number };

/** Level of the quietest frame we distinguish; digital silence is clamped to it. */
const SILENCE_DB = -96;

/** RMS level of Int16 samples in dB relative to full scale (-96 for digital silence). */
export function frameLevelDb(samples: Int16Array): number {
  if (samples.length === 0) return SILENCE_DB;
  let sum = 0;
  for (const s of samples) sum += s * s;
  const rms = Math.sqrt(sum / samples.length) / 32768;
  return Math.max(SILENCE_DB, 20 * Math.log10(rms || Number.MIN_VALUE));
}

/** Energy VAD with an adaptive noise floor, onset, hangover, minimum length and length cap. */
export class EnergyVad {
  private readonly options: VadOptions;
  private readonly onsetFrames: number;
  private readonly hangoverFrames: number;
  private readonly maxFrames: number;
  /** Recent frame levels (a ring), for the noise floor. Starts quiet so that early speech is heard. */
  private readonly levels: Float64Array;
  private levelIndex = 0;
  private frame = 0;
  private voicedRun = 0;
  private speaking = false;
  private speechStart = 0;
  private lastVoiced = 0;
  private unvoicedRun = 0;

  constructor(options: Partial<VadOptions> = {}) {
    this.options = { ...DEFAULT_VAD_OPTIONS, ...options };
    const frames = (ms: number) => Math.max(1, Math.round(ms / this.options.frameMs));
    this.onsetFrames = frames(this.options.onsetMs);
    this.hangoverFrames = frames(this.options.hangoverMs);
    this.maxFrames = frames(this.options.maxUtteranceMs);
    this.levels = new Float64Array(frames(this.options.floorWindowMs)).fill(SILENCE_DB);
  }

  /** Whether an utterance is in progress. */
  get inSpeech(): boolean {
    return this.speaking;
  }

  /** Current noise floor estimate in dBFS. */
  get noiseFloorDb(): number {
    return Math.min(...this.levels);
  }

  /** Feeds the next frame; returns the event it caused, if any. */
  push(samples: Int16Array): VadEvent | null {
    const level = frameLevelDb(samples);
    this.levels[this.levelIndex] = level;
    this.levelIndex = (this.levelIndex + 1) % this.levels.length;
    const voiced = level > Math.max(this.noiseFloorDb + this.options.marginDb, this.options.minLevelDb);
    const index = this.frame++;

    if (!this.speaking) {
      this.voicedRun = voiced ? this.voicedRun + 1 : 0;
      if (this.voicedRun < this.onsetFrames) return null;
      this.speaking = true;
      this.speechStart = index - this.voicedRun + 1;
      this.lastVoiced = index;
      this.unvoicedRun = 0;
      this.voicedRun = 0;
      return { type: 'start' };
    }

    if (voiced) {
      this.lastVoiced = index;
      this.unvoicedRun = 0;
    } else {
      this.unvoicedRun++;
    }
    const capped = index - this.speechStart + 1 >= this.maxFrames;
    if (this.unvoicedRun < this.hangoverFrames && !capped) return null;

    this.speaking = false;
    const speechMs = (this.lastVoiced - this.speechStart + 1) * this.options.frameMs;
    if (speechMs < this.options.minSpeechMs) return { type: 'discard', speechMs };
    return { type: 'end', speechMs, trailingFrames: this.unvoicedRun, capped };
  }
}
