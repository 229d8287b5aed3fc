// Runs on the audio thread: agent audio (Int16 LE at 16 kHz, transferred from the transport) →
// Float32 → the context's rate → adaptive jitter buffer (which times each arrival by the samples it
// has played) → the speakers, plus both levels and the playback counters ~20 times a second while
// they change.
import { DEFAULT_MAX_QUEUE_MS, JitterBuffer } from '../../dsp/jitter-buffer.js';
import { LevelMeter } from '../../dsp/level.js';
import { int16ToFloat, pcmBytesToInt16 } from '../../dsp/pcm.js';
import { Resampler } from '../../dsp/resampler.js';
import { WIRE_RATE } from '../../wire.js';
import {
  PLAYBACK_PROCESSOR,
  REPORTS_PER_SECOND,
  type PlaybackCommand,
  type PlaybackOptions,
  type PlaybackReport,
} from './messages.js';
import { input, workletScope } from './scope.js';

const { sampleRate, AudioWorkletProcessor } = workletScope;

/** Wire samples in a full queue: the head of a longer frame would be dropped anyway. */
const MAX_INPUT_SAMPLES = (DEFAULT_MAX_QUEUE_MS * WIRE_RATE) / 1000;

class PlaybackProcessor extends AudioWorkletProcessor {
  readonly #resampler = new Resampler(WIRE_RATE, sampleRate);
  readonly #queue: JitterBuffer;
  /** Falls to 0 within its default decay (DEFAULT_DECAY_MS) of silence. */
  readonly #meter = new LevelMeter(sampleRate);
  readonly #reportEvery = Math.round(sampleRate / REPORTS_PER_SECOND);
  #sinceReport = 0;
  #reported: PlaybackReport = { level: 0, input: 0, underruns: 0, dropped: 0, queued: 0, target: 0, concealed: 0 };
  /** Output samples cut from frames longer than the whole queue, before resampling them. */
  #trimmed = 0;

  constructor(options: AudioWorkletNodeOptions) {
    super(options);
    const { prebufferMs } = options.processorOptions as PlaybackOptions;
    this.#queue = new JitterBuffer({ sampleRate, prebufferMs });
    this.port.onmessage = ({ data, ports }: MessageEvent<PlaybackCommand>) => {
      if (data.type === 'port') ports[0].onmessage = (event: MessageEvent<ArrayBuffer>) => this.#enqueue(event.data);
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
    const { underruns, droppedSamples, targetSamples, concealedSamples } = this.#queue.stats;
    const next: PlaybackReport = {
      level,
      input: input.level,
      underruns,
      dropped: droppedSamples + this.#trimmed,
      queued: this.#queue.queuedSamples,
      target: targetSamples,
      concealed: concealedSamples,
    };
    const last = this.#reported;
    const same = (Object.keys(next) as (keyof PlaybackReport)[]).every((key) => next[key] === last[key]);
    if (same) return;
    this.#reported = next;
    this.port.postMessage(next);
  }
}

workletScope.registerProcessor(PLAYBACK_PROCESSOR, PlaybackProcessor);
