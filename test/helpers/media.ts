// Shared by the media tests: a recorder worklet that taps any node, tone frames on the wire format,
// and small measuring helpers. Not a test file itself.
import { floatToInt16, int16ToFloat } from '../../src/dsp/pcm.js';
import { FRAME_SAMPLES, WIRE_RATE } from '../../src/wire.js';
import type { AudioEngine } from '../../src/audio/audio-engine.js';
import { concat, sine } from '../../tools/signals.js';

export { sleep, until } from '../../tools/wait.js';
import { addWorkletModule } from '../../src/audio/worklet-loader.js';

/** A test-only processor: posts a copy of each input block with the context frame it was rendered at. */
const RECORDER_CODE = `
registerProcessor('test-recorder', class extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0][0];
    if (channel) this.port.postMessage({ frame: currentFrame, samples: channel.slice() });
    return true;
  }
});`;

/** Records what a node outputs, block by block, with each block's context frame. */
export class Recorder {
  private readonly blocks: { frame: number; samples: Float32Array }[] = [];

  private constructor(private readonly node: AudioWorkletNode) {
    node.port.onmessage = (event) => this.blocks.push(event.data);
  }

  /** Starts recording `source`. The recorder has no output: the engines render it because its input is live. */
  static async tap(source: AudioNode): Promise<Recorder> {
    await addWorkletModule(source.context, RECORDER_CODE);
    const node = new AudioWorkletNode(source.context, 'test-recorder', { numberOfOutputs: 0 });
    source.connect(node);
    return new Recorder(node);
  }

  /** Context frame of the first recorded sample. */
  get startFrame(): number {
    return this.blocks[0]?.frame ?? 0;
  }

  /** Everything recorded so far, contiguous from `startFrame`. */
  samples(): Float32Array {
    return concat(this.blocks.map((block) => block.samples));
  }

  stop(): void {
    this.node.disconnect();
    this.node.port.onmessage = null;
  }
}

/** A continuous sine at 16 kHz cut into wire frames (Int16 LE) of `frameSamples` samples each. */
export function toneFrames(
  freq: number,
  amplitude: number,
  seconds: number,
  frameSamples = FRAME_SAMPLES,
): ArrayBuffer[] {
  const total = Math.round(seconds * WIRE_RATE);
  const pcm = floatToInt16(sine(freq, WIRE_RATE, total, { amplitude }));
  const frames: ArrayBuffer[] = [];
  for (let i = 0; i < total; i += frameSamples) frames.push(pcm.slice(i, i + frameSamples).buffer);
  return frames;
}

/** Wire frames joined back into Float32 samples. */
export function framesToFloat(frames: ArrayBuffer[]): Float32Array {
  const out = new Float32Array(frames.reduce((n, f) => n + f.byteLength / 2, 0));
  let offset = 0;
  for (const frame of frames) {
    int16ToFloat(new Int16Array(frame), out.subarray(offset));
    offset += frame.byteLength / 2;
  }
  return out;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** `fn` applied to consecutive windows of `size` samples. */
export function perWindow<T>(samples: Float32Array, size: number, fn: (window: Float32Array) => T): T[] {
  const out: T[] = [];
  for (let i = 0; i + size <= samples.length; i += size) out.push(fn(samples.subarray(i, i + size)));
  return out;
}

/** Index of the first sample louder than `threshold`, or -1. */
export function firstLoud(samples: Float32Array, threshold = 1e-3): number {
  return samples.findIndex((s) => Math.abs(s) > threshold);
}

/** Index of the last sample louder than `threshold`, or -1. */
export function lastLoud(samples: Float32Array, threshold = 1e-3): number {
  let i = samples.length - 1;
  while (i >= 0 && Math.abs(samples[i]) <= threshold) i--;
  return i;
}

/** Longest run of exactly-zero samples: a gap in playback. */
export function longestZeroRun(samples: Float32Array): number {
  let longest = 0;
  let run = 0;
  for (const s of samples) {
    run = s === 0 ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

/** Puts `replacement` in place of `navigator.mediaDevices.getUserMedia`; the returned function undoes it. */
function replaceGetUserMedia(
  replacement: (original: MediaDevices['getUserMedia'], constraints?: MediaStreamConstraints) => Promise<MediaStream>,
): () => void {
  const media = navigator.mediaDevices;
  const original = media.getUserMedia;
  media.getUserMedia = (constraints) => replacement(original.bind(media), constraints);
  return () => void (media.getUserMedia = original);
}

/** Wraps `getUserMedia` to keep each stream it hands out and what it was asked; `restore()` undoes it. */
export function spyOnGetUserMedia(): {
  streams: MediaStream[];
  constraints: MediaStreamConstraints[];
  restore(): void;
} {
  const streams: MediaStream[] = [];
  const constraints: MediaStreamConstraints[] = [];
  const restore = replaceGetUserMedia(async (original, asked = {}) => {
    constraints.push(asked);
    const stream = await original(asked);
    streams.push(stream);
    return stream;
  });
  return { streams, constraints, restore };
}

/**
 * Stands in for the microphone at the getUserMedia seam, for tests that need a known signal: each engine's
 * fake device plays its own (tools/engines.ts). Each call gets a track playing `freqs`, each at `amplitude`,
 * from an AudioContext of its own at `sampleRate` (default: the device's, as the engine's own context).
 * Give the engine's rate: Firefox (ESR 153) plays a track from a context at another rate about 4× too loud.
 * `restore()` puts getUserMedia back and closes those contexts.
 */
export function injectMicrophone(
  freqs: readonly number[],
  { amplitude = 0.25, sampleRate }: { amplitude?: number; sampleRate?: number } = {},
): { restore(): Promise<void> } {
  const contexts: AudioContext[] = [];
  const restoreGetUserMedia = replaceGetUserMedia(async () => {
    const context = new AudioContext(sampleRate ? { sampleRate } : {});
    contexts.push(context);
    const destination = new MediaStreamAudioDestinationNode(context, { channelCount: 1 });
    const gain = new GainNode(context, { gain: amplitude });
    gain.connect(destination);
    for (const frequency of freqs) {
      const tone = new OscillatorNode(context, { frequency });
      tone.connect(gain);
      tone.start();
    }
    await context.resume();
    return destination.stream;
  });
  return {
    async restore() {
      restoreGetUserMedia();
      await Promise.all(contexts.map((context) => context.close()));
    },
  };
}

/** The transport's ends of an engine's ports, as a test drives them: microphone frames out, agent audio in. */
export interface EngineWire {
  onFrame: ((frame: ArrayBuffer) => void) | null;
  /** Posts agent audio to the playback worklet (transferred), as the transport does. */
  play(pcm: ArrayBuffer): void;
}

/** Attaches fresh ports to `engine` (before open()), as the session does with its transport's. */
export function wire(engine: AudioEngine): EngineWire {
  const capture = new MessageChannel();
  const playback = new MessageChannel();
  engine.attach({ capture: capture.port1, playback: playback.port1 });
  const io: EngineWire = { onFrame: null, play: (pcm) => playback.port2.postMessage(pcm, [pcm]) };
  capture.port2.onmessage = ({ data }: MessageEvent<ArrayBuffer>) => io.onFrame?.(data);
  return io;
}
