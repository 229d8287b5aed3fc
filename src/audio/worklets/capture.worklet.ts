// Runs on the audio thread: microphone at the context's rate → 16 kHz → exact 20 ms Int16 frames, each
// posted as a transferred ArrayBuffer straight to the transport's port (the socket Worker, or the main
// thread where no Worker can start). Nothing goes to the main thread: the playback processor reports
// the level with its own.
import { Framer } from '../../dsp/framer.js';
import { LevelMeter } from '../../dsp/level.js';
import { Resampler } from '../../dsp/resampler.js';
import { FRAME_SAMPLES, WIRE_RATE } from '../../wire.js';
import { CAPTURE_PROCESSOR, type CaptureCommand, type CaptureOptions } from './messages.js';
import { input, RENDER_QUANTUM, workletScope } from './scope.js';

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
  /** The transport's port; frames before it arrives are dropped. */
  #out: MessagePort | null = null;
  /** Framer emits a fresh Int16Array per frame, so its buffer can be handed over rather than copied. */
  readonly #send = (frame: Int16Array) => {
    this.#out?.postMessage(frame.buffer, [frame.buffer]);
    input.level = this.#meter.level;
  };

  constructor(options: AudioWorkletNodeOptions) {
    super(options);
    this.#muted = (options.processorOptions as CaptureOptions).muted;
    this.port.onmessage = ({ data, ports }: MessageEvent<CaptureCommand>) => {
      if (data.type === 'port') this.#out = ports[0];
      else this.#muted = data.muted;
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
