import { toVoiceAgentError, VoiceAgentError } from '../errors.js';
import { openMicrophone } from './microphone.js';
import type { SessionAudio } from '../session/session-audio.js';
import { DEFAULT_PREBUFFER_MS } from '../dsp/jitter-buffer.js';
import processorsCode from './worklets/processors.worklet.ts?worklet';
import { addWorkletModule } from './worklet-loader.js';
import {
  CAPTURE_PROCESSOR,
  PLAYBACK_PROCESSOR,
  type CaptureCommand,
  type CaptureOptions,
  type CaptureReport,
  type PlaybackCommand,
  type PlaybackOptions,
  type PlaybackReport,
  type PlaybackStats,
} from './worklets/messages.js';

/** Options of {@link AudioEngine}. */
export interface AudioEngineOptions {
  /**
   * Where to load the worklet processors from instead of the copy inside the script (a Blob URL): for
   * sites whose Content-Security-Policy does not allow `blob:` workers. Serve `dist/voice-agent.worklet.js`.
   */
  workletUrl?: string;
  /**
   * Least delay before agent audio plays, in ms (default DEFAULT_PREBUFFER_MS, a few ms); the jitter
   * buffer adds the network jitter it measures during the session.
   */
  prebufferMs?: number;
  /** The AudioContext's sample rate. Default: the device's own (usually 44.1 or 48 kHz), which avoids a second resampler in the browser. */
  sampleRate?: number;
}

/** How long a context may stay suspended after the microphone is granted before we give up. */
const RESUME_TIMEOUT_MS = 3000;

/**
 * The browser side of the audio: microphone → capture worklet → 640-byte frames, and agent audio →
 * playback worklet → speakers, in ONE AudioContext. All per-sample work runs on the audio thread; the
 * main thread only passes ArrayBuffers (transferred, not copied) and reads levels. Single use: open()
 * once, close() once (or more; it is idempotent).
 */
export class AudioEngine implements SessionAudio {
  /** Where microphone frames go (640 bytes each); frames arriving while it is null are dropped. */
  onFrame: ((frame: ArrayBuffer) => void) | null = null;
  /** Called about 30 times a second while a level changes. */
  onLevels: ((input: number, output: number) => void) | null = null;
  /** Called when the microphone fails mid-session. */
  onError: ((error: VoiceAgentError) => void) | null = null;

  #context: AudioContext | null = null;
  #stream: MediaStream | null = null;
  #source: MediaStreamAudioSourceNode | null = null;
  #capture: AudioWorkletNode | null = null;
  #playback: AudioWorkletNode | null = null;
  /** Agent audio that arrived while open() was still loading the worklets. */
  #pending: ArrayBuffer[] = [];
  #closing: Promise<void> | null = null;
  #muted = false;
  #inputLevel = 0;
  #outputLevel = 0;
  #stats: PlaybackStats = { underruns: 0, dropped: 0, queued: 0, target: 0, concealed: 0 };

  readonly #options: AudioEngineOptions;

  constructor(options: AudioEngineOptions = {}) {
    this.#options = options;
  }

  /** Microphone level, 0..1 (0 while muted). */
  get inputLevel(): number {
    return this.#inputLevel;
  }

  /** Agent voice level, 0..1. */
  get outputLevel(): number {
    return this.#outputLevel;
  }

  /** Playback counters, as last reported by the playback worklet (at most ~33 ms old). */
  get stats(): PlaybackStats {
    return { ...this.#stats };
  }

  /** The node that feeds the speakers (null until open() resolves); tests and visualisers tap it. */
  get output(): AudioNode | null {
    return this.#playback;
  }

  /** True: the capture worklet sends silent frames, keeping their timing. */
  get muted(): boolean {
    return this.#muted;
  }

  set muted(muted: boolean) {
    this.#muted = muted;
    this.#capture?.port.postMessage({ type: 'muted', muted } satisfies CaptureCommand);
  }

  /**
   * Opens the microphone and the audio graph. The context is created (and resumed) before the first
   * await, so a click handler calling this counts as the user gesture that lets audio start. If close()
   * is called meanwhile, this resolves without building the graph, and a microphone granted later is
   * stopped the moment it arrives.
   */
  async open(constraints: MediaTrackConstraints = {}): Promise<void> {
    if (this.#context || this.#closing) throw new Error('AudioEngine.open() can be called only once.');
    let context: AudioContext;
    try {
      context = this.#context = new AudioContext(
        this.#options.sampleRate ? { sampleRate: this.#options.sampleRate } : {},
      );
    } catch (err) {
      throw toVoiceAgentError(err, 'audio_failed');
    }
    const resumed = context.resume().catch(() => undefined);
    try {
      const [stream] = await Promise.all([
        this.#openMicrophone(constraints),
        this.#options.workletUrl
          ? context.audioWorklet.addModule(this.#options.workletUrl)
          : addWorkletModule(context, processorsCode),
      ]);
      await withTimeout(resumed, RESUME_TIMEOUT_MS);
      if (this.#closing) return;
      if (context.state !== 'running') {
        throw new VoiceAgentError('audio_failed/blocked');
      }
      this.#connect(context, stream);
    } catch (err) {
      if (this.#closing) return; // closed meanwhile: nothing to report
      await this.close();
      throw toVoiceAgentError(err, 'audio_failed');
    }
  }

  /**
   * Queues agent audio (Int16 LE, 16 kHz mono, any length) for gapless playback. The buffer is
   * transferred to the audio thread, so it is detached (empty) for the caller afterwards.
   */
  play(pcm: ArrayBuffer): void {
    if (this.#closing || pcm.byteLength === 0) return;
    if (this.#playback) this.#postPlayback(pcm);
    else if (this.#context) this.#pending.push(pcm);
  }

  /** Drops all queued agent audio at once, fading out over a few ms so it does not click. */
  interrupt(): void {
    this.#pending = [];
    this.#playback?.port.postMessage({ type: 'interrupt' } satisfies PlaybackCommand);
  }

  /** Stops the tracks, disconnects the nodes and closes the context. Idempotent; never rejects. */
  close(): Promise<void> {
    this.#closing ??= this.#release();
    return this.#closing;
  }

  async #release(): Promise<void> {
    this.#pending = [];
    for (const node of [this.#capture, this.#playback]) {
      if (!node) continue;
      node.port.onmessage = null;
      node.port.close();
    }
    for (const node of [this.#source, this.#capture, this.#playback]) node?.disconnect();
    if (this.#context) this.#context.onstatechange = null;
    this.#stream?.getTracks().forEach((track) => {
      track.onended = null;
      track.stop();
    });
    this.#setLevels(0, 0);
    await this.#context?.close().catch(() => undefined);
  }

  async #openMicrophone(constraints: MediaTrackConstraints): Promise<MediaStream> {
    const stream = await openMicrophone(constraints);
    if (this.#closing) {
      // The element went away while the permission prompt was up: release the mic at once.
      stream.getTracks().forEach((track) => track.stop());
    } else {
      this.#stream = stream;
    }
    return stream;
  }

  #connect(context: AudioContext, stream: MediaStream): void {
    this.#source = context.createMediaStreamSource(stream);
    // No output and not connected to the destination: the microphone never reaches the speakers.
    // Chromium still runs a worklet that has a live input (measured by test/media/capture.test.ts).
    this.#capture = new AudioWorkletNode(context, CAPTURE_PROCESSOR, {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      channelCount: 1,
      channelCountMode: 'explicit', // downmix a stereo microphone
      processorOptions: { muted: this.#muted } satisfies CaptureOptions,
    });
    this.#capture.port.onmessage = (event: MessageEvent<CaptureReport>) => this.#onCaptureReport(event.data);
    this.#source.connect(this.#capture);

    this.#playback = new AudioWorkletNode(context, PLAYBACK_PROCESSOR, {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: {
        prebufferMs: this.#options.prebufferMs ?? DEFAULT_PREBUFFER_MS,
      } satisfies PlaybackOptions,
    });
    this.#playback.port.onmessage = (event: MessageEvent<PlaybackReport>) => {
      const { level, ...stats } = event.data;
      this.#stats = stats;
      this.#setLevels(this.#inputLevel, level);
    };
    this.#playback.connect(context.destination);
    this.#watch(context, stream);

    for (const pcm of this.#pending) this.#postPlayback(pcm);
    this.#pending = [];
  }

  /** Mid-session failures: a microphone that goes away, a context the browser suspends. */
  #watch(context: AudioContext, stream: MediaStream): void {
    for (const track of stream.getAudioTracks()) {
      // Fires when the device is unplugged or revoked, not for our own stop() in release().
      track.onended = () => {
        if (this.#closing) return;
        this.onError?.(new VoiceAgentError('microphone_unavailable/ended'));
      };
    }
    // Browsers suspend a running context on their own (another tab taking audio focus, iOS
    // interruptions): resume it, or the agent falls silent and the microphone stops sending.
    context.onstatechange = () => {
      if (!this.#closing && context.state === 'suspended') void context.resume().catch(() => undefined);
    };
  }

  #postPlayback(pcm: ArrayBuffer): void {
    this.#playback!.port.postMessage(pcm satisfies PlaybackCommand, [pcm]);
  }

  #onCaptureReport({ frame, level }: CaptureReport): void {
    this.onFrame?.(frame);
    this.#setLevels(level, this.#outputLevel);
  }

  #setLevels(input: number, output: number): void {
    if (input === this.#inputLevel && output === this.#outputLevel) return;
    this.#inputLevel = input;
    this.#outputLevel = output;
    this.onLevels?.(input, output);
  }
}

/** Waits for `promise`, but no longer than `ms`. */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
