// Runs on the audio thread: agent audio (Int16 LE at 16 kHz, transferred from the transport) →
// Float32 → the context's rate → adaptive jitter buffer (which times each arrival by the samples it
// has played) → the speakers. Both levels go back to the transport's meter ~20 times a second while
// they change; the main thread gets them with the counters and the turn latency 4 times a second.
import { DEFAULT_MAX_QUEUE_MS, JitterBuffer } from '../../dsp/jitter-buffer.js';
import { LevelMeter, levelAfterGain } from '../../dsp/level.js';
import { int16ToFloat, pcmBytesToInt16 } from '../../dsp/pcm.js';
import { Resampler } from '../../dsp/resampler.js';
import { WIRE_RATE } from '../../wire.js';
import { TurnTimer } from '../turn-latency.js';
import {
  MAIN_REPORT_EVERY,
  PLAYBACK_PROCESSOR,
  REPORTS_PER_SECOND,
  WATCH_MS,
  type PlaybackCommand,
  type PlaybackOptions,
  type PlaybackReport,
} from './messages.js';
import { input, workletScope } from './scope.js';

const { sampleRate, AudioWorkletProcessor } = workletScope;
// currentTime is the scope's live getter: read it from the scope, never destructured.

/** Wire samples in a full queue: the head of a longer frame would be dropped anyway. */
const MAX_INPUT_SAMPLES = (DEFAULT_MAX_QUEUE_MS * WIRE_RATE) / 1000;

class PlaybackProcessor extends AudioWorkletProcessor {
  readonly #resampler = new Resampler(WIRE_RATE, sampleRate);
  readonly #queue: JitterBuffer;
  /** Falls to 0 within its default decay (DEFAULT_DECAY_MS) of silence. */
  readonly #meter = new LevelMeter(sampleRate);
  readonly #reportEvery = Math.round(sampleRate / REPORTS_PER_SECOND);
  #sinceReport = 0;
  #reports = 0;
  /** The main thread gets every report until this context time, ms (someone reads the levels). */
  #watchedUntil = 0;
  readonly #turns = new TurnTimer();
  #volume: number;
  /** The transport's port: agent audio comes on it, the meter's levels go back. */
  #port: MessagePort | null = null;
  #metered = '';
  /** Output samples cut from frames longer than the whole queue, before resampling them. */
  #trimmed = 0;

  constructor(options: AudioWorkletNodeOptions) {
    super(options);
    const { prebufferMs, volume } = options.processorOptions as PlaybackOptions;
    this.#volume = volume;
    this.#queue = new JitterBuffer({ sampleRate, prebufferMs });
    this.port.onmessage = ({ data, ports }: MessageEvent<PlaybackCommand>) => {
      if (data.type === 'port') {
        this.#port = ports[0];
        this.#port.onmessage = (event: MessageEvent<ArrayBuffer>) => this.#enqueue(event.data);
      } else if (data.type === 'volume') this.#volume = data.volume;
      else if (data.type === 'watch') this.#watchedUntil = workletScope.currentTime * 1000 + WATCH_MS;
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
    const now = workletScope.currentTime * 1000;
    // The turn is timed here, at each report, whatever rate the main thread gets them at.
    this.#turns.input(input.level, now);
    this.#turns.output(level, now);
    const levels = [input.level, levelAfterGain(level, this.#volume)];
    const metered = String(levels);
    if (metered !== this.#metered) {
      this.#metered = metered;
      this.#port?.postMessage(levels);
    }
    // Not only while something changes: 4 tasks a second cost the page next to nothing.
    if (now > this.#watchedUntil && ++this.#reports % MAIN_REPORT_EVERY) return;
    const { underruns, droppedSamples, targetSamples, concealedSamples } = this.#queue.stats;
    this.port.postMessage({
      level: levels[1],
      input: levels[0],
      turn: this.#turns.latencyMs,
      underruns,
      dropped: droppedSamples + this.#trimmed,
      queued: this.#queue.queuedSamples,
      target: targetSamples,
      concealed: concealedSamples,
    } satisfies PlaybackReport);
  }
}

workletScope.registerProcessor(PLAYBACK_PROCESSOR, PlaybackProcessor);
