// Runs on the audio thread: agent audio (Int16 LE at 16 kHz, transferred from the main thread) →
// Float32 → the context's rate → jitter buffer → the speakers, plus the output level and playback
// counters ~30 times a second while they change.
import { JitterBuffer } from './jitter-buffer.js';
import { LevelMeter } from './level.js';
import { int16ToFloat, pcmBytesToInt16 } from './pcm.js';
import { Resampler } from './resampler.js';
import {
  PLAYBACK_PROCESSOR,
  REPORTS_PER_SECOND,
  WIRE_RATE,
  type PlaybackCommand,
  type PlaybackOptions,
  type PlaybackReport,
} from './worklet-messages.js';
import { workletScope } from './worklet-scope.js';

const { sampleRate, AudioWorkletProcessor } = workletScope;

/** Most agent audio held for playback; the oldest beyond it is dropped (a safety net, not a normal path). */
const MAX_QUEUE_MS = 30_000;
const MAX_INPUT_SAMPLES = (MAX_QUEUE_MS * WIRE_RATE) / 1000;

class PlaybackProcessor extends AudioWorkletProcessor {
  readonly #resampler = new Resampler(WIRE_RATE, sampleRate);
  readonly #queue: JitterBuffer;
  /** Its default release reads 0 within 300 ms of silence. */
  readonly #meter = new LevelMeter(sampleRate);
  readonly #reportEvery = Math.round(sampleRate / REPORTS_PER_SECOND);
  #sinceReport = 0;
  #reported: PlaybackReport = { level: 0, underruns: 0, dropped: 0 };
  /** Output samples cut from frames longer than the whole queue, before resampling them. */
  #trimmed = 0;

  constructor(options: AudioWorkletNodeOptions) {
    super(options);
    const { prebufferMs } = options.processorOptions as PlaybackOptions;
    this.#queue = new JitterBuffer({ sampleRate, prebufferMs, maxMs: MAX_QUEUE_MS });
    this.port.onmessage = (event: MessageEvent<PlaybackCommand>) => {
      if (event.data instanceof ArrayBuffer) this.#enqueue(event.data);
      else this.#interrupt();
    };
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const out = outputs[0][0];
    this.#queue.pull(out);
    const level = this.#meter.process(out);
    this.#sinceReport += out.length;
    if (this.#sinceReport >= this.#reportEvery) {
      this.#sinceReport = 0;
      this.#report(level);
    }
    return true;
  }

  #enqueue(bytes: ArrayBuffer): void {
    let pcm = pcmBytesToInt16(bytes); // drops an odd trailing byte
    if (pcm.length === 0) return;
    if (pcm.length > MAX_INPUT_SAMPLES) {
      // The queue would drop this head anyway: skip it before spending audio-thread time resampling it.
      this.#trimmed += Math.round(((pcm.length - MAX_INPUT_SAMPLES) * sampleRate) / WIRE_RATE);
      pcm = pcm.subarray(pcm.length - MAX_INPUT_SAMPLES);
    }
    this.#queue.push(this.#resampler.process(int16ToFloat(pcm)));
  }

  #interrupt(): void {
    this.#queue.interrupt();
    // The filter still holds the last milliseconds of the dropped audio; the next reply must not start with them.
    this.#resampler.reset();
  }

  #report(level: number): void {
    const { underruns, droppedSamples } = this.#queue.stats;
    const next: PlaybackReport = { level, underruns, dropped: droppedSamples + this.#trimmed };
    const last = this.#reported;
    if (next.level === last.level && next.underruns === last.underruns && next.dropped === last.dropped) return;
    this.#reported = next;
    this.port.postMessage(next);
  }
}

workletScope.registerProcessor(PLAYBACK_PROCESSOR, PlaybackProcessor);
