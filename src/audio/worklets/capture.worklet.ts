// Runs on the audio thread: microphone at the context's rate → 16 kHz → exact 20 ms Int16 frames, each
// posted to the main thread as a transferred ArrayBuffer together with the microphone level (one
// message per frame: every message is a main-thread task, so levels ride along rather than add 30 more).
import { Framer } from '../../dsp/framer.js';
import { LevelMeter } from '../../dsp/level.js';
import { Resampler } from '../../dsp/resampler.js';
import { FRAME_SAMPLES, WIRE_RATE } from '../../wire.js';
import { CAPTURE_PROCESSOR, type CaptureCommand, type CaptureOptions, type CaptureReport } from './messages.js';
import { RENDER_QUANTUM, workletScope } from './scope.js';

const { sampleRate, AudioWorkletProcessor } = workletScope;

class CaptureProcessor extends AudioWorkletProcessor {
  readonly #resampler = new Resampler(sampleRate, WIRE_RATE);
  readonly #framer = new Framer(FRAME_SAMPLES);
  /** Falls to 0 within its default decay (DEFAULT_DECAY_MS) of silence. */
  readonly #meter = new LevelMeter(sampleRate);
  #silence = new Float32Array(0);
  /** Reused every block: no garbage on the audio thread. */
  #resampled = new Float32Array(0);
  #muted: boolean;
  /** Framer emits a fresh Int16Array per frame, so its buffer can be handed over rather than copied. */
  readonly #send = (frame: Int16Array) => {
    const report: CaptureReport = { frame: frame.buffer as ArrayBuffer, level: this.#meter.level };
    this.port.postMessage(report, [frame.buffer]);
  };

  constructor(options: AudioWorkletNodeOptions) {
    super(options);
    this.#muted = (options.processorOptions as CaptureOptions).muted;
    this.port.onmessage = (event: MessageEvent<CaptureCommand>) => {
      this.#muted = event.data.muted;
    };
  }

  process(inputs: Float32Array[][]): boolean {
    // No channel while the source has nothing (track ended or not started yet): silence keeps the
    // frames coming at 50 a second, which the service expects, as it does while muted.
    const mic = inputs[0]?.[0];
    const samples = mic && !this.#muted ? mic : this.#silent(mic?.length ?? RENDER_QUANTUM);
    this.#meter.process(samples);
    const length = this.#resampler.outputLength(samples.length);
    if (this.#resampled.length < length) this.#resampled = new Float32Array(length);
    this.#resampler.processInto(samples, this.#resampled);
    this.#framer.push(this.#resampled.subarray(0, length), this.#send);
    return true;
  }

  #silent(length: number): Float32Array {
    if (this.#silence.length !== length) this.#silence = new Float32Array(length);
    return this.#silence;
  }
}

workletScope.registerProcessor(CAPTURE_PROCESSOR, CaptureProcessor);
